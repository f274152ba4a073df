"""Admin forms that route money entries through the services' checks."""

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError

from .models import BudgetLine, Variation
from .services import budget_line_entry_problems, variation_check


class BudgetLineForm(forms.ModelForm):
    """Overspending on entry: refused or warned about as the line's fund says."""

    overspend_warnings = ()

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        line = self.instance
        if line.pk is None and data.get("action") is not None:
            line.action = data["action"]
        if getattr(line, "action_id", None) is None:
            return data
        preventivo = data.get("preventivo", line.preventivo)
        consuntivo = data.get("consuntivo", line.consuntivo)
        channel = data.get("channel", line.channel)
        if preventivo is None:
            return data
        self.overspend_warnings = budget_line_entry_problems(
            line=line, preventivo=preventivo, consuntivo=consuntivo, channel=channel
        )
        return data

    class Meta:
        model = BudgetLine
        fields = ["action", "item", "note", "channel", "preventivo", "consuntivo", "source_note",
                  "position"]


def budget_line_label(line):
    """«PO 2019 · Ob. 3 · Az. 7 · voce»: which plan, objective and action a line is of."""
    action = line.action
    objective = action.objective
    return (f"PO {objective.plan.year} · Ob. {objective.number} · Az. {action.number} · "
            f"{line.item or '(voce senza descrizione)'}")


class BudgetLineChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return budget_line_label(obj)


class VariationForm(forms.ModelForm):
    """A new variation: the line, the new preventivo, why and the approving act.

    The line is one of an approved plan of the user's ambiti (VariationAdmin narrows the
    choices), labelled by plan, objective and action; the act is checked by
    ``variation_check`` (same ambito as the plan, not dated before the plan's year).
    """

    request_user = None
    warnings = ()

    class Meta:
        model = Variation
        fields = ["line", "new_amount", "reason", "deliberation"]
        field_classes = {"line": BudgetLineChoiceField}

    def clean(self):
        data = super().clean()
        # A saved variation is shown read-only (VariationAdmin.get_readonly_fields): its form
        # has no fields to check, and reading them would fail with a server error.
        if self.errors or self.instance.pk:
            return data
        try:
            self.warnings = variation_check(
                line=data["line"], new_amount=data["new_amount"], reason=data["reason"],
                deliberation=data["deliberation"], user=self.request_user,
            )
        except PermissionDenied as exc:
            raise ValidationError(str(exc)) from exc
        return data
