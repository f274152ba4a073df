"""Forms of the closing page: a row of the destination, its approval, the closing itself.

The rules live in budget/destination.py and budget/services.py (year_close); the forms
collect the values and put each refusal of the services at its field.
"""

from django import forms

from budget.destination import source_actions, target_actions
from budget.models import FundingChannel
from core.entry.fields import MoneyField
from governance.models import Body, Deliberation
from objectives.admin_transitions import MoneyHiddenField

from .forms_acts import ActChoiceMixin, NewActFields, StyledFormMixin, act_choice_fields


class ActionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        title = obj.title if len(obj.title) <= 70 else obj.title[:69] + "…"
        return f"Obiettivo {obj.objective.number} - Azione {obj.number}: {title}"


class FundChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        kind = "vincolato" if obj.restricted else "non vincolato"
        return f"{obj.code} – {obj.name} ({kind})"


class DestinationRowForm(StyledFormMixin, forms.Form):
    description = forms.CharField(label="Descrizione", max_length=400)
    amount = MoneyField(label="Importo (€)", label_text="L'importo",
                        error_messages={"required": "Indicare l'importo."})
    restricted = forms.TypedChoiceField(
        label="Vincolo", coerce=lambda v: v == "1", initial="1", widget=forms.RadioSelect,
        choices=[("1", "Vincolato (a un'azione o a un fondo)"),
                 ("0", "Non vincolato (applicato liberamente nel piano successivo)")],
    )
    channel = FundChoiceField(label="Fondo", queryset=FundingChannel.objects.none(),
                              required=False, empty_label="Fondo indistinto")
    source_action = ActionChoiceField(
        label="Da dove viene (azione del piano che si chiude)", required=False,
        queryset=None, empty_label="Nessuna azione in particolare",
    )
    target_action = ActionChoiceField(
        label="Dove va (azione del piano successivo)", required=False, queryset=None,
        empty_label="Nessuna azione (non vincolato, o azione non ancora prevista)",
    )
    target_text = forms.CharField(
        label="Destinazione come indicata nell'atto", max_length=300, required=False,
        help_text="Se l'azione del piano successivo non esiste ancora, es. «Azioni previste "
        "nel PO 2019».",
    )
    reason = forms.CharField(label="Motivazione", required=False,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text="Resta nella storia della riga.")

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.fields["channel"].queryset = FundingChannel.objects.filter(
            ambito_id=plan.zone_plan.ambito_id
        ).order_by("code")
        self.fields["source_action"].queryset = source_actions(plan=plan)
        targets = target_actions(plan=plan)
        self.fields["target_action"].queryset = targets
        if not targets.exists():
            self.fields["target_action"].help_text = (
                f"Il Piano Operativo {plan.year + 1} non ha ancora azioni: indicare la "
                "destinazione a parole qui sotto e collegarla più tardi."
            )
        self.style()

    def service_values(self):
        data = self.cleaned_data
        return {name: data.get(name) for name in (
            "description", "amount", "restricted", "channel", "source_action",
            "target_action", "target_text", "reason",
        )} | {"target_text": data.get("target_text") or "", "reason": data.get("reason") or ""}

    def apply_service_error(self, exc):
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                target = field if field in self.fields else None
                if field == "source_objective":
                    target = "source_action"
                for error in errors:
                    self.add_error(target, error)
        else:
            for message in exc.messages:
                self.add_error(None, message)
        self.style()


class DestinationApprovalForm(StyledFormMixin, ActChoiceMixin, NewActFields):
    """The Assemblea's act approving the destination: registered now or chosen."""

    field_order = ["mode", "existing", "body", "number", "date", "subject"]
    act_required = False

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        ambito = plan.zone_plan.ambito
        self.fields.update(act_choice_fields())
        self.fields.pop("issuer")
        self.fields.pop("act")
        self.order_fields(self.field_order)
        self.setup_act(ambito=ambito, not_before=plan.year,
                       bodies=Body.objects.filter(ambito=ambito, kind=Body.Kind.MAYORS))
        self.fields["body"].label = "Assemblea dei Sindaci"
        self.fields["body"].help_text = ""
        bodies = self.fields["body"].queryset
        if bodies.count() == 1:
            self.fields["body"].initial = bodies.first().pk
        self.fields["subject"].initial = (
            f"Approvazione del consuntivo {plan.year} e destinazione dell'avanzo"
        )
        self.setup_choice(ambito=ambito, not_before=plan.year)
        self.fields["existing"].help_text = f"Solo atti dell'{ambito} dal {plan.year} in poi."
        self.fields["existing"].queryset = self.fields["existing"].queryset.filter(
            body__kind=Body.Kind.MAYORS
        )
        self.style()

    def clean(self):
        data = super().clean()
        self.clean_choice(data)
        return data

    def new_act_kwargs(self):
        kwargs = super().new_act_kwargs()
        kwargs.pop("act", None)
        return kwargs | {"issuer": ""}


class YearCloseForm(StyledFormMixin, forms.Form):
    expected_total = MoneyHiddenField()
    confirm = forms.BooleanField(
        label="Confermo la chiusura dell'anno: il piano non sarà più modificabile e la "
        "destinazione approvata entra tra le entrate del piano successivo.",
        error_messages={"required": "Confermare la chiusura spuntando la casella."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()


APPROVES = Deliberation.Subject.FINAL_REPORT
