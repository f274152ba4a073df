"""Short, labelled forms of the plan's structure; the rules live in the services.

The forms only turn what was typed into values (a choice, a date, an object of the
ambito); what makes the values acceptable (a title, a date or a periodicity, an action of
the same objective…) is checked by objectives/structure.py and indicators/structure.py,
whose Italian messages the views put back at the field.
"""

from django import forms

from indicators.models import Indicator, Periodicity
from objectives.models import OperatingPlan
from objectives.structure import referent_organisations, referent_users


class StructureForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.HiddenInput):
                continue
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def mark_errors(self):
        """The widgets of fields in error say so (class, aria-invalid, the message's id)."""
        for name, field in self.fields.items():
            bound = self[name]
            described = [f"{bound.auto_id}-help"] if field.help_text else []
            if name in self.errors:
                field.widget.attrs["class"] += " is-invalid"
                field.widget.attrs["aria-invalid"] = "true"
                described.append(f"{bound.auto_id}-error")
            if described:
                field.widget.attrs["aria-describedby"] = " ".join(described)
        return self

    def values(self):
        return {name: value for name, value in self.cleaned_data.items() if name != "token"}


def text_area(rows=3):
    return forms.Textarea(attrs={"rows": rows})


class ObjectiveForm(StructureForm):
    title = forms.CharField(label="Titolo", max_length=400, required=False)
    short_title = forms.CharField(label="Titolo breve", max_length=200, required=False,
                                  help_text="Come compare negli elenchi e nei totali.")
    code = forms.CharField(label="Codice", max_length=20, required=False,
                           help_text="Facoltativo, ad esempio OB3.")
    area = forms.ModelChoiceField(label="Area di policy", queryset=None, required=False,
                                  empty_label="— nessuna —")
    description = forms.CharField(label="Descrizione", required=False, widget=text_area(4))
    triennial_goal = forms.CharField(label="Obiettivo del triennio", required=False,
                                     widget=text_area())
    timing = forms.CharField(label="Tempi", required=False, widget=text_area(2))

    def __init__(self, *args, plan, objectives=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = plan.zone_plan.areas.order_by("position", "pk")
        if objectives:
            choices = [("", "In fondo al piano")] + [
                (str(o.number), f"Prima dell'obiettivo {o.number}") for o in objectives
            ]
            self.fields["position"] = forms.TypedChoiceField(
                label="Posizione", choices=choices, coerce=int, empty_value=None,
                required=False, widget=forms.Select(attrs={"class": "form-select"}))


class ActionForm(StructureForm):
    title = forms.CharField(label="Titolo dell'azione", max_length=400, required=False)
    description = forms.CharField(label="Descrizione", required=False, widget=text_area())


class ReferentForm(StructureForm):
    name = forms.CharField(label="Nominativo", max_length=200, required=False)
    organisation = forms.ModelChoiceField(label="Ente", queryset=None, required=False,
                                          empty_label="— nessuno —")
    organisation_label = forms.CharField(
        label="Per (come indicato nel piano)", max_length=300, required=False,
        help_text="Ad esempio: per il Servizio Sociale Territoriale.")
    referent_user = forms.ModelChoiceField(
        label="Utente dell'ambito", queryset=None, required=False, empty_label="— nessuno —",
        help_text="Se indicato, il referente inserisce le rilevazioni di questo obiettivo.")

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = referent_organisations(plan=plan)
        users = self.fields["referent_user"]
        users.queryset = referent_users(plan=plan)
        users.label_from_instance = lambda u: u.get_full_name() or u.get_username()


def _action_field(objective):
    field = forms.ModelChoiceField(
        label="Azione", queryset=objective.actions.order_by("number"), required=False,
        empty_label="— tutto l'obiettivo —")
    field.label_from_instance = lambda a: f"Azione {a.number}: {a.title}"[:120]
    return field


class IndicatorForm(StructureForm):
    name = forms.CharField(label="Indicatore", required=False, widget=text_area(2))
    kind = forms.ChoiceField(label="Tipo", choices=Indicator.Kind.choices,
                             initial=Indicator.Kind.COUNT)
    target = forms.CharField(label="Valore atteso", required=False, widget=text_area(2),
                             help_text="Il valore o l'intervallo che il piano si propone.")
    periodicity = forms.ChoiceField(label="Periodicità della rilevazione",
                                    choices=Periodicity.choices, initial=Periodicity.QUARTERLY)
    note = forms.CharField(label="Nota", required=False, widget=text_area(2))

    def __init__(self, *args, objective, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"] = _action_field(objective)
        self.fields["action"].widget.attrs["class"] = "form-select"
        self.order_fields(["name", "kind", "target", "periodicity", "action", "note"])


class RangeForm(StructureForm):
    text = forms.CharField(label="Range di valutazione", required=False, widget=text_area(2),
                           help_text="Ad esempio: 80-100% obiettivo raggiunto.")


class MilestoneForm(StructureForm):
    title = forms.CharField(label="Traguardo", required=False, widget=text_area(2))
    due_date = forms.DateField(
        label="Scadenza", required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={"invalid": "Scrivere la data come gg/mm/aaaa."},
        help_text="Oppure, per un traguardo periodico, la periodicità qui sotto.")
    periodicity = forms.ChoiceField(
        label="Periodicità", required=False,
        choices=[("", "— nessuna (c'è una scadenza) —"), *Periodicity.choices])
    note = forms.CharField(label="Note", required=False, widget=text_area(2))

    def __init__(self, *args, objective, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"] = _action_field(objective)
        self.fields["action"].widget.attrs["class"] = "form-select"
        self.order_fields(["title", "due_date", "periodicity", "action", "note"])


class SectionForm(StructureForm):
    title = forms.CharField(label="Titolo", max_length=400, required=False)
    level = forms.TypedChoiceField(
        label="Livello del titolo", coerce=int, initial=1,
        choices=[(1, "1 – capitolo"), (2, "2 – paragrafo"), (3, "3 – sottoparagrafo")])
    body = forms.CharField(
        label="Testo", required=False, widget=text_area(14),
        help_text="Markdown: **grassetto**, *corsivo*, elenchi con «- », tabelle con «|». "
        "Una riga [[tabella]] indica dove il documento stampa una tabella. "
        "L'HTML scritto nel testo non viene mai riprodotto.")


NUMBERING_NOTE = {
    OperatingPlan.Numbering.PLAN: "Le azioni sono numerate nell'intero piano: aggiungendo, "
    "spostando o eliminando un'azione, le azioni che seguono vengono rinumerate.",
    OperatingPlan.Numbering.OBJECTIVE: "Le azioni sono numerate per obiettivo: aggiungendo, "
    "spostando o eliminando un'azione, le azioni che seguono nello stesso obiettivo vengono "
    "rinumerate.",
}
