"""Admin actions that move a Piano Operativo: a confirmation page, then the service.

Thin on purpose: the rules live in objectives.services and budget.services; the
pages only collect the act, show the figures the services will use and report
the services' refusals.
"""

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse

from core.roles import Role
from core.scoping import grants_for
from governance.models import Deliberation

ACTION_CHECKBOX = admin.helpers.ACTION_CHECKBOX_NAME


class ApproveForm(forms.Form):
    deliberation = forms.ModelChoiceField(
        label="Delibera dell'Assemblea dei Sindaci", queryset=Deliberation.objects.none()
    )
    shortfall_note = forms.CharField(
        label="Scopertura dichiarata", required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Solo se le entrate non coprono il preventivo: come si copre la differenza.",
    )

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deliberation"].queryset = Deliberation.objects.filter(
            ambito_id=plan.zone_plan.ambito_id
        ).select_related("body")


CENT = Decimal("0.01")


class MoneyHiddenField(forms.DecimalField):
    """A hidden amount in euro: trailing zeros past the cent (``869860.5000000000000``, as a
    database sum may carry them) are accepted and dropped; a real fraction of a cent is not."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(max_digits=16, decimal_places=2, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, Decimal) and value.is_finite() and value == value.quantize(CENT):
            return f"{value.quantize(CENT):f}"
        return super().prepare_value(value)

    def to_python(self, value):
        value = super().to_python(value)
        if value is not None and value.is_finite() and value == value.quantize(CENT):
            value = value.quantize(CENT)
        return value


class CloseForm(forms.Form):
    deliberation = forms.ModelChoiceField(
        label="Delibera di approvazione del consuntivo (facoltativa)", required=False,
        queryset=Deliberation.objects.none(),
    )
    expected_total = MoneyHiddenField()

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deliberation"].queryset = Deliberation.objects.filter(
            ambito_id=plan.zone_plan.ambito_id
        ).select_related("body")


def may_approve(request):
    user = request.user
    return user.is_superuser or bool(grants_for(user).ambiti(Role.STAFF, Role.ASSEMBLY))


def may_close(request):
    user = request.user
    return user.is_superuser or bool(grants_for(user).ambiti(Role.STAFF))


def _single(modeladmin, request, queryset):
    if queryset.count() != 1:
        modeladmin.message_user(request, "Selezionare un solo piano.", messages.WARNING)
        return None
    return queryset.select_related("zone_plan__ambito").get()


def _report(modeladmin, request, exc):
    texts = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
    for text in texts:
        modeladmin.message_user(request, text, messages.ERROR)


def _page(modeladmin, request, template, plan, action, **context):
    return TemplateResponse(request, template, {
        **modeladmin.admin_site.each_context(request),
        "opts": modeladmin.model._meta, "plan": plan, "action_name": action,
        "selected": ACTION_CHECKBOX, "title": context.pop("title"), **context,
    })


def approve(modeladmin, request, queryset):
    from budget.selectors import plan_funding

    from .services import plan_approve

    plan = _single(modeladmin, request, queryset)
    if plan is None:
        return None
    confirmed = "confirm" in request.POST
    form = ApproveForm(request.POST if confirmed else None, plan=plan)
    if confirmed and form.is_valid():
        try:
            plan_approve(
                plan=plan, deliberation=form.cleaned_data["deliberation"], user=request.user,
                shortfall_note=form.cleaned_data["shortfall_note"],
            )
        except (ValidationError, PermissionDenied) as exc:
            _report(modeladmin, request, exc)
        else:
            modeladmin.message_user(request, f"{plan.title} approvato.", messages.SUCCESS)
            return None
    return _page(
        modeladmin, request, "admin/objectives/operatingplan/approve.html", plan,
        "approve_plan", title=f"Approvazione del {plan.title}", form=form,
        funding=plan_funding(plan=plan),
    )


def close_year(modeladmin, request, queryset):
    from budget.services import ensure_can_close, year_close
    from budget.surplus import group_by_objective, year_close_preview

    plan = _single(modeladmin, request, queryset)
    if plan is None:
        return None
    try:
        ensure_can_close(plan=plan, user=request.user)
    except PermissionDenied as exc:
        _report(modeladmin, request, exc)
        return None
    confirmed = "confirm" in request.POST
    preview = year_close_preview(plan=plan)
    form = CloseForm(
        request.POST if confirmed else None, plan=plan,
        initial={"expected_total": preview.total},
    )
    if confirmed and form.is_valid():
        try:
            result = year_close(
                plan=plan, user=request.user, deliberation=form.cleaned_data["deliberation"],
                expected_total=form.cleaned_data["expected_total"],
            )
        except (ValidationError, PermissionDenied) as exc:
            _report(modeladmin, request, exc)
        else:
            text = (
                f"{plan.title} già chiuso: nessuna modifica." if result.already_closed
                else f"{plan.title} chiuso; l'avanzo entra nel {result.next_plan.title}."
            )
            modeladmin.message_user(request, text, messages.SUCCESS)
            return None
    return _page(
        modeladmin, request, "admin/objectives/operatingplan/close_year.html", plan,
        "close_year", title=f"Chiusura dell'anno {plan.year}: anteprima dell'avanzo",
        form=form, preview=preview, by_objective=group_by_objective(preview),
    )
