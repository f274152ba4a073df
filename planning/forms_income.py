"""The form of one entrata per canale (budget/income.py holds the rules)."""

from django import forms

from budget.models import FundingAllocation, FundingChannel
from core.entry.fields import MoneyField

from .forms_acts import StyledFormMixin


class ChannelChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        kind = "vincolato" if obj.restricted else "non vincolato"
        return f"{obj.code} – {obj.name} ({kind})"


class AllocationForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label="Tipo", choices=FundingAllocation.Kind.choices,
        initial=FundingAllocation.Kind.INCOME,
        help_text="«Entrata non applicata»: accertata ma non applicata al bilancio del piano "
        "(si sottrae dal totale).",
    )
    label = forms.CharField(label="Voce", max_length=300,
                            error_messages={"required": "Indicare la voce dell'entrata."},
                            help_text="Come nel documento, es. «Fondo Nazionale Politiche "
                            "Sociali 2019».")
    channel = ChannelChoiceField(label="Canale di finanziamento",
                                 queryset=FundingChannel.objects.none(), required=False,
                                 empty_label="Nessun canale (entrate che non nominano un fondo)")
    amount = MoneyField(label="Importo (€)", label_text="L'importo",
                        error_messages={"required": "Indicare l'importo."},
                        help_text="Es. 1.234,56")
    restricted = forms.BooleanField(label="Entrata vincolata", required=False)
    group = forms.CharField(label="Raggruppamento", max_length=200, required=False,
                            help_text="Facoltativo, es. «Fondi regionali».")
    note = forms.CharField(label="Nota", required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
    reason = forms.CharField(label="Motivazione della modifica", required=False,
                             max_length=200, help_text="Resta nella storia dell'entrata.")

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.fields["amount"].required = True
        self.fields["channel"].queryset = FundingChannel.objects.filter(
            ambito_id=plan.zone_plan.ambito_id
        ).order_by("code")
        self.style()

    @classmethod
    def initial_for(cls, allocation):
        return {"kind": allocation.kind, "label": allocation.label,
                "channel": allocation.channel_id, "amount": allocation.amount,
                "restricted": allocation.restricted, "group": allocation.group,
                "note": allocation.note}

    def values(self):
        data = self.cleaned_data
        return {name: data.get(name) for name in (
            "kind", "label", "group", "channel", "restricted", "amount", "note")} | {
            "group": data.get("group") or "", "note": data.get("note") or "",
            "restricted": bool(data.get("restricted"))}

    def apply_service_error(self, exc):
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                for error in errors:
                    self.add_error(field if field in self.fields else None, error)
        else:
            for message in exc.messages:
                self.add_error(None, message)
        self.style()
