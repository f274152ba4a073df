"""One small form per indicator and per milestone of the quarterly page."""

from django import forms
from django.utils.text import Truncator

from core.concurrency import NEW_ROW
from core.entry.fields import EntryBoundField, entry_form_renderer
from core.numbers import format_measure

from .models import Indicator, Measurement
from .services import MeasurementRow, MilestoneRow, measurement_token, milestone_token
from .values import clean_measure

STATE_CHOICES = [
    ("value", "Valore"),
    ("nd", "N.D. (non disponibile)"),
    ("not_applicable", "– (non rilevato)"),
]
OUTCOME_CHOICES = [("", "non indicato"), ("si", "Sì"), ("no", "No"), ("nd", "– (non valutabile)")]


def _initial_value(measurement):
    if measurement is None or measurement.state != Measurement.State.VALUE:
        return ""
    if measurement.value is None:
        return measurement.text_value
    if measurement.indicator.kind == Indicator.Kind.BOOLEAN:
        return "Sì" if measurement.value else "No"
    return format_measure(measurement.value)


class MarkErrorsMixin:
    default_renderer = entry_form_renderer
    bound_field_class = EntryBoundField
    conflict = None  # the colleague's change, after a refused save

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = f"{self.prefix}-{name}-error"
                attrs["class"] = attrs.get("class", "") + " is-invalid"


class MeasurementForm(MarkErrorsMixin, forms.Form):
    token = forms.CharField(required=False, widget=forms.HiddenInput)
    state = forms.ChoiceField(label="Stato", choices=STATE_CHOICES, required=False)
    value = forms.CharField(label="Valore", required=False, max_length=2000)
    note = forms.CharField(label="Nota", required=False, max_length=2000)

    def __init__(self, *args, entry, editable, **kwargs):
        self.entry = entry
        self.row_text = Truncator(entry.indicator.name).chars(80)  # names the row to readers
        current = entry.current
        kwargs.setdefault("initial", {
            "token": measurement_token(current),
            "state": current.state if current else "value",
            "value": _initial_value(current),
            "note": current.note if current else "",
        })
        super().__init__(*args, prefix=f"m-{entry.indicator.pk}", **kwargs)
        self.fields["state"].widget.attrs["class"] = "form-select"
        self.fields["value"].widget.attrs.update({"class": "form-control", "autocomplete": "off"})
        if entry.indicator.kind not in (Indicator.Kind.TEXT, Indicator.Kind.BOOLEAN):
            self.fields["value"].widget.attrs["inputmode"] = "decimal"
        self.fields["note"].widget.attrs["class"] = "form-control"
        for name in ("state", "value", "note"):
            self.fields[name].disabled = not editable

    def clean(self):
        data = super().clean()
        try:
            cleaned = clean_measure(indicator=self.entry.indicator, state=data.get("state"),
                                    raw=data.get("value"))
        except forms.ValidationError as exc:
            self.add_error("value", exc)
            return data
        if cleaned is None and data.get("note"):
            self.add_error("value", "Con una nota inserisci anche un valore, N.D. oppure –.")
        data["measure"] = cleaned
        return data

    def row(self):
        data = self.cleaned_data
        measure = data.get("measure")
        row = MeasurementRow(indicator_id=self.entry.indicator.pk,
                             token=data.get("token") or NEW_ROW, note=data.get("note") or "")
        if measure is None:
            row.note = ""
            return row
        row.state, row.value, row.text_value = measure
        return row


class MilestoneForm(MarkErrorsMixin, forms.Form):
    token = forms.CharField(required=False, widget=forms.HiddenInput)
    achieved = forms.ChoiceField(label="Raggiunto", choices=OUTCOME_CHOICES, required=False)
    note = forms.CharField(label="Note", required=False, max_length=4000)

    def __init__(self, *args, milestone, editable, **kwargs):
        self.milestone = milestone
        self.row_text = Truncator(milestone.title).chars(80)
        kwargs.setdefault("initial", {"token": milestone_token(milestone),
                                      "achieved": milestone.achieved, "note": milestone.note})
        super().__init__(*args, prefix=f"t-{milestone.pk}", **kwargs)
        self.fields["achieved"].widget.attrs["class"] = "form-select"
        self.fields["note"].widget.attrs["class"] = "form-control"
        for name in ("achieved", "note"):
            self.fields[name].disabled = not editable

    def row(self):
        data = self.cleaned_data
        return MilestoneRow(milestone_id=self.milestone.pk, achieved=data.get("achieved") or "",
                            note=data.get("note") or "", token=data.get("token") or NEW_ROW)


