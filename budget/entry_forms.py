"""The budget grid of an objective: one row per budget line, grouped by action."""

from django import forms
from django.forms import formset_factory

from core.concurrency import NEW_ROW
from core.entry.fields import EntryBoundField, MoneyField, entry_form_renderer

from .entry_services import BudgetRow, line_token


class BudgetRowForm(forms.Form):
    default_renderer = entry_form_renderer
    bound_field_class = EntryBoundField
    # Set by the page for each row; these are the template row's (formset.empty_form).
    row_text = "nuova riga"
    conflict = None
    line_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    action = forms.IntegerField(widget=forms.HiddenInput)
    token = forms.CharField(required=False, widget=forms.HiddenInput)
    item = forms.CharField(label="Voce", max_length=400, required=False)
    note = forms.CharField(label="Nota", max_length=300, required=False)
    channel = forms.TypedChoiceField(
        label="Canale di finanziamento", required=False, coerce=int, empty_value=None
    )
    preventivo = MoneyField(label="Preventivo (€)", label_text="Il preventivo")
    consuntivo = MoneyField(label="Consuntivo (€)", label_text="Il consuntivo")

    def __init__(self, *args, channel_choices=(), action_ids=(), policy=None, writable=False,
                 **kwargs):
        super().__init__(*args, **kwargs)
        self.action_ids = set(action_ids)
        self.fields["channel"].choices = [("", "– nessuno –"), *channel_choices]
        budget_open = writable and policy is not None and policy.budget_editable
        consuntivo_open = writable and policy is not None and policy.plan.state == "approvato"
        for name in ("item", "note", "channel", "preventivo"):
            self.fields[name].disabled = not budget_open
        self.fields["consuntivo"].disabled = not consuntivo_open
        for name in ("preventivo", "consuntivo"):
            self.fields[name].widget.attrs["class"] = "form-control text-end js-money"
            self.fields[name].widget.attrs["data-total"] = name
        for name in ("item", "note"):
            self.fields[name].widget.attrs["class"] = "form-control"
        self.fields["channel"].widget.attrs["class"] = "form-select"

    def full_clean(self):
        super().full_clean()
        # Errors are announced with their field (WCAG 3.3.1), not only shown in red.
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = f"{self.prefix}-{name}-error"
                attrs["class"] = attrs.get("class", "") + " is-invalid"

    def clean_action(self):
        action = self.cleaned_data["action"]
        if action not in self.action_ids:
            raise forms.ValidationError("Azione non valida per questo obiettivo.")
        return action

    def clean(self):
        data = super().clean()
        has_content = any(data.get(n) for n in ("item", "note", "channel", "consuntivo")) or (
            data.get("preventivo") is not None
        )
        data["is_blank"] = not data.get("line_id") and not has_content
        if not data["is_blank"] and data.get("preventivo") is None and not self.has_error(
            "preventivo"
        ):
            self.add_error("preventivo", "Inserisci il preventivo (0 se non previsto).")
        return data


class BaseBudgetFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["DELETE"].label = "Elimina"
        form.fields["DELETE"].disabled = form.fields["preventivo"].disabled
        form.fields["DELETE"].widget.attrs["class"] = "js-delete"

    def _construct_form(self, i, **kwargs):
        # The blank row under each action is part of the initial forms (so it sits with its
        # action) but, like an extra form, may be left empty.
        if i < len(self.initial or ()) and not self.initial[i].get("line_id"):
            kwargs["empty_permitted"] = True
            kwargs["use_required_attribute"] = False
        return super()._construct_form(i, **kwargs)

    def rows(self):
        """The rows to hand to budget_lines_save (blank new rows are left out)."""
        rows = []
        for index, form in enumerate(self.forms):
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("is_blank"):
                continue
            rows.append(
                BudgetRow(
                    key=index,
                    line_id=data.get("line_id"),
                    action_id=data["action"],
                    token=data.get("token") or NEW_ROW,
                    item=data.get("item") or "",
                    note=data.get("note") or "",
                    channel=data.get("channel"),
                    preventivo=data.get("preventivo"),
                    consuntivo=data.get("consuntivo"),
                    delete=bool(data.get("DELETE")),
                )
            )
        return rows


BudgetFormSet = formset_factory(
    BudgetRowForm, formset=BaseBudgetFormSet, extra=0, can_delete=True
)


def budget_initial(actions, *, new_rows=True):
    """One row per line and, where lines may be added, a blank row, for each action."""
    initial = []
    for action in actions:
        for line in action.lines.all():
            initial.append({
                "line_id": line.pk, "action": action.pk, "token": line_token(line),
                "item": line.item, "note": line.note, "channel": line.channel_id,
                "preventivo": line.preventivo, "consuntivo": line.consuntivo,
            })
        if new_rows:
            initial.append({"action": action.pk, "token": NEW_ROW})
    return initial


def budget_formset(*, actions, channels, policy, writable, data=None):
    form_kwargs = {
        "channel_choices": [(c.pk, f"{c.label} – {c.name}" if c.name != c.label else c.label)
                            for c in channels],
        "action_ids": [a.pk for a in actions],
        "policy": policy,
        "writable": writable,
    }
    initial = budget_initial(actions, new_rows=writable and policy.budget_editable)
    return BudgetFormSet(data=data, initial=initial, form_kwargs=form_kwargs)
