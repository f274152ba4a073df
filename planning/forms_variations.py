"""Forms of the variations: the line is the one clicked, from → to, why, and the act."""

from django import forms

from budget.models import FundingChannel
from governance.models import Deliberation

from .forms_acts import (
    ActChoiceMixin,
    NewActFields,
    StyledFormMixin,
    act_choice_fields,
    amount_field,
)

ACT_FIELDS = ["mode", "existing", "body", "issuer", "number", "date", "subject", "act"]


class _VariationBase(StyledFormMixin, ActChoiceMixin, NewActFields):
    act_required = False

    def setup_variation(self, plan):
        ambito = plan.zone_plan.ambito
        self.fields.update(act_choice_fields())
        self.setup_act(ambito=ambito, not_before=plan.year, not_after=plan.year + 1)
        self.fields["subject"].initial = f"Variazione di bilancio del {plan.title}"
        self.setup_choice(ambito=ambito, not_before=plan.year, not_after=plan.year + 1)
        self.fields["existing"].help_text = (
            f"Solo atti dell'{ambito} datati {plan.year} o {plan.year + 1}."
        )
        self.fields["reason"] = forms.CharField(
            label="Motivazione", widget=forms.Textarea(attrs={"rows": 3}), required=True,
            error_messages={"required": "Indicare la motivazione della variazione."},
        )

    def clean(self):
        data = super().clean()
        self.clean_choice(data)
        return data


class VariationForm(_VariationBase):
    def __init__(self, *args, line, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_amount"] = amount_field("Nuovo preventivo (€)", "Il nuovo preventivo")
        self.fields["new_amount"].help_text = "All'italiana, ad esempio 1.234,56."
        self.setup_variation(plan)
        self.order_fields(["new_amount", "reason", *ACT_FIELDS])
        self.line = line

    def clean_new_amount(self):
        amount = self.cleaned_data["new_amount"]
        if amount is None:
            raise forms.ValidationError("Indicare il nuovo preventivo.")
        if amount == self.line.preventivo:
            raise forms.ValidationError(
                "Il nuovo preventivo è uguale a quello attuale: nessuna variazione."
            )
        return amount


class AddLineForm(_VariationBase):
    item = forms.CharField(label="Voce", max_length=400)
    note = forms.CharField(label="Nota (tipo di costo, fornitore)", max_length=300,
                           required=False)
    channel = forms.ModelChoiceField(label="Canale di finanziamento",
                                     queryset=FundingChannel.objects.none(), required=False,
                                     empty_label="Fondo indistinto (nessun canale)")

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].error_messages["required"] = "Indicare la voce."
        self.fields["channel"].queryset = FundingChannel.objects.filter(
            ambito=plan.zone_plan.ambito
        ).order_by("code")
        self.fields["amount"] = amount_field("Preventivo della nuova voce (€)",
                                             "Il preventivo")
        self.setup_variation(plan)
        self.order_fields(["item", "note", "channel", "amount", "reason", *ACT_FIELDS])

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if not amount:
            raise forms.ValidationError("Indicare un preventivo maggiore di zero.")
        return amount


APPROVES = Deliberation.Subject.VARIATION
