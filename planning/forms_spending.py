"""The form of one Comune's spesa sociale in a year (governance/services.py holds the rules)."""

from django import forms

from core.entry.fields import MoneyField
from governance.models import Municipality

from .forms_acts import StyledFormMixin


class SpendingForm(StyledFormMixin, forms.Form):
    municipality = forms.ModelChoiceField(
        label="Comune", queryset=Municipality.objects.none(),
        error_messages={"required": "Indicare il Comune.",
                        "invalid_choice": "Il Comune scelto non è dell'ambito."})
    year = forms.IntegerField(
        label="Anno", min_value=1990, max_value=2100,
        error_messages={"required": "Indicare l'anno.", "invalid": "Scrivere l'anno, es. 2018.",
                        "min_value": "L'anno non può essere prima del 1990.",
                        "max_value": "L'anno non può essere dopo il 2100."})
    amount = MoneyField(label="Spesa sociale totale (€)", label_text="La spesa totale",
                        required=False,
                        help_text="Es. 1.234.567,89. Si può lasciare vuota se si indicano "
                        "gestione singola e associata: è la loro somma.")
    amount_single = MoneyField(label="di cui in gestione singola (€)",
                               label_text="La spesa in gestione singola", required=False,
                               help_text="Spesa sostenuta direttamente dal Comune.")
    amount_associated = MoneyField(label="di cui in gestione associata (€)",
                                   label_text="La spesa in gestione associata", required=False,
                                   help_text="Quota trasferita all'ente gestore dell'ambito.")
    population = forms.IntegerField(
        label="Popolazione residente nell'anno", min_value=1, required=False,
        error_messages={"invalid": "Scrivere il numero di abitanti, es. 3892.",
                        "min_value": "Il numero di abitanti deve essere positivo."},
        help_text="Facoltativa: serve per la spesa pro capite.")
    reason = forms.CharField(label="Motivazione", required=False, max_length=200,
                             help_text="Resta nella storia del dato, es. «dato comunicato "
                             "dal Comune il 12/03/2019».")

    def __init__(self, *args, ambito, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = Municipality.objects.filter(
            ambito=ambito).order_by("position", "name")
        self.style()

    def values(self):
        data = self.cleaned_data
        return {name: data.get(name) for name in (
            "municipality", "year", "amount", "amount_single", "amount_associated")}

    def apply_service_error(self, exc):
        if hasattr(exc, "error_dict"):
            for name, errors in exc.error_dict.items():
                for error in errors:
                    self.add_error(name if name in self.fields else None, error)
        else:
            for message in exc.messages:
                self.add_error(None, message)
        self.style()
