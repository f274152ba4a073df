"""The form of "Nuovo piano dall'anno precedente": target year and what to carry."""

from django import forms

from objectives.services import Amounts, Carry

KINDS = ("referents", "indicators", "milestones", "budget")


class CarryForm(forms.Form):
    year = forms.IntegerField(
        label="Anno del nuovo piano",
        widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric"}),
        error_messages={"required": "Indica l'anno del nuovo piano.",
                        "invalid": "Scrivi l'anno con quattro cifre, ad esempio 2019."},
    )
    objectives = forms.BooleanField(
        label="Obiettivi e azioni (con la loro numerazione)", required=False, initial=True,
        help_text="Senza obiettivi e azioni si crea un piano vuoto.",
    )
    referents = forms.BooleanField(label="Referenti", required=False, initial=True)
    indicators = forms.BooleanField(
        label="Indicatori con valori attesi e range di valutazione (senza le rilevazioni)",
        required=False, initial=True,
    )
    milestones = forms.BooleanField(
        label="Traguardi con periodicità e scadenze spostate al nuovo anno (senza l'esito)",
        required=False, initial=True,
    )
    budget = forms.BooleanField(
        label="Righe di budget (voce, nota, canale)", required=False, initial=True,
    )
    amounts = forms.ChoiceField(
        label="Importi delle righe di budget", choices=Amounts.choices,
        initial=Amounts.PREVENTIVO, widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={"required": "Scegli gli importi delle righe di budget.",
                        "invalid_choice": "Scegli una delle tre opzioni degli importi."},
    )

    def __init__(self, *args, source, **kwargs):
        self.source = source
        kwargs.setdefault("initial", {})["year"] = source.year + 1
        super().__init__(*args, **kwargs)
        for name in ("objectives", *KINDS):
            self.fields[name].widget.attrs["class"] = "form-check-input"

    def clean_year(self):
        year = self.cleaned_data["year"]
        if year <= self.source.year:
            raise forms.ValidationError(
                f"Il nuovo piano viene dopo il {self.source.year}: indica un anno successivo."
            )
        if year > self.source.year + 10:
            raise forms.ValidationError(
                f"Il {year} è troppo lontano dal {self.source.year}: indica un anno più vicino."
            )
        return year

    def clean(self):
        data = super().clean()
        if not data.get("objectives") and any(data.get(name) for name in KINDS):
            self.add_error(
                "objectives",
                "Referenti, indicatori, traguardi e budget appartengono agli obiettivi: "
                "riporta anche obiettivi e azioni, oppure togli le altre scelte.",
            )
        return data

    def carry(self):
        data = self.cleaned_data
        return Carry(
            objectives=data["objectives"],
            **{name: data["objectives"] and data[name] for name in KINDS},
            amounts=data["amounts"],
        )
