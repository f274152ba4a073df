from django.contrib import admin, messages

from core.entry.admin_import import ScopedImportExportMixin
from core.formatting import format_euro
from core.scoped_admin import FrozenPlanMixin, ScopedAdmin, ScopedInline, plan_of
from core.wording import MASCULINE_PLURAL

from .admin_forms import BudgetLineForm, VariationForm
from .models import (
    AgencyYearFigure,
    BudgetLine,
    ChannelReference,
    FundingAllocation,
    FundingChannel,
    Surplus,
    SurplusDestination,
    SurplusDestinationRow,
    Variation,
)
from .resources import BudgetLineResource


class FrozenBudgetMixin(FrozenPlanMixin):
    """Lines of an approved plan: only the consuntivo is typed; of a closed one: nothing."""

    form = BudgetLineForm
    locked_states = ("chiuso",)
    approved_editable = ("consuntivo",)


class BudgetLineInline(FrozenBudgetMixin, ScopedInline):
    model = BudgetLine
    fields = ["item", "note", "channel", "preventivo", "consuntivo", "position"]


class ChannelReferenceInline(ScopedInline):
    model = ChannelReference


@admin.register(FundingChannel)
class FundingChannelAdmin(ScopedAdmin):
    list_display = ["code", "name", "kind", "restricted", "overspend_policy", "ambito"]
    list_filter = ["ambito", "kind", "restricted"]
    search_fields = ["code", "name"]
    inlines = [ChannelReferenceInline]


@admin.register(ChannelReference)
class ChannelReferenceAdmin(ScopedAdmin):
    list_display = ["channel", "year", "reference", "amount"]
    list_filter = ["channel__ambito", "year"]


@admin.register(FundingAllocation)
class FundingAllocationAdmin(ScopedAdmin):
    list_display = ["label", "year", "stage", "kind", "channel", "restricted", "amount"]
    list_filter = ["ambito", "year", "stage", "kind", "restricted"]
    search_fields = ["label", "group"]
    list_select_related = ["channel"]


@admin.register(BudgetLine)
class BudgetLineAdmin(ScopedImportExportMixin, FrozenBudgetMixin, ScopedAdmin):
    resource_classes = [BudgetLineResource]
    list_display = ["item", "note", "action", "channel", "preventivo", "consuntivo"]
    list_filter = [
        "action__objective__plan__zone_plan__ambito",
        "action__objective__plan__year",
        "channel",
    ]
    search_fields = ["item", "note"]
    list_select_related = ["action", "channel"]

    def get_list_display(self, request):
        return [*super().get_list_display(request), "approved_preventivo"]

    def get_queryset(self, request):
        from .selectors import lines_with_approved_preventivo

        return lines_with_approved_preventivo(super().get_queryset(request))

    @admin.display(description="Preventivo approvato", ordering="approved_preventivo")
    def approved_preventivo(self, obj):
        return format_euro(getattr(obj, "approved_preventivo", None))

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        for warning in getattr(form, "overspend_warnings", ()):
            messages.warning(request, warning)


@admin.register(Variation)
class VariationAdmin(ScopedAdmin):
    """Variations are written by budget.services.variation_create and never changed after."""

    form = VariationForm
    list_display = ["subject", "plan", "amounts", "deliberation", "created_by", "created_at"]
    list_filter = ["plan__zone_plan__ambito", "plan__year"]
    search_fields = ["subject", "reason"]
    list_select_related = ["plan", "deliberation", "created_by"]
    add_fields = ["line", "new_amount", "reason", "deliberation"]
    shown_fields = ["plan", "subject", "line", "previous_amount", "new_amount", "reason",
                    "deliberation", "created_by", "created_at"]

    def get_fields(self, request, obj=None):
        return self.add_fields if obj is None else self.shown_fields

    @admin.display(description="Preventivo (prima → dopo)", ordering="new_amount")
    def amounts(self, obj):
        return f"{format_euro(obj.previous_amount)} → {format_euro(obj.new_amount)}"

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.shown_fields

    def has_change_permission(self, request, obj=None):
        frozen = obj is not None and plan_of(obj).is_frozen
        return not frozen and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        frozen = obj is not None and plan_of(obj).is_frozen
        return not frozen and super().has_delete_permission(request, obj)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.request_user = request.user
        return form

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "line":
            field.queryset = field.queryset.filter(
                action__objective__plan__state="approvato"
            ).select_related("action__objective__plan").order_by(
                "-action__objective__plan__year", "action__objective__number",
                "action__number", "position", "pk",
            )
        return field

    def save_model(self, request, obj, form, change):
        from .services import variation_create

        if change:  # only a draft plan's variation can be edited (test data); keep it plain
            return super().save_model(request, obj, form, change)
        data = form.cleaned_data
        variation = variation_create(
            line=data["line"], new_amount=data["new_amount"], reason=data["reason"],
            deliberation=data["deliberation"], user=request.user,
        )
        for f in Variation._meta.concrete_fields:
            setattr(obj, f.attname, getattr(variation, f.attname))
        obj._state.adding = False
        for warning in form.warnings:
            messages.warning(request, warning)


@admin.register(Surplus)
class SurplusAdmin(ScopedAdmin):
    list_display = ["description", "objective", "action", "restricted", "amount", "plan"]
    list_filter = ["plan__zone_plan__ambito", "plan__year", "restricted"]
    search_fields = ["description"]
    list_select_related = ["objective", "action", "plan"]


class ApprovedDestinationLockMixin:
    """An approved destination is the Assemblea's decision: its rows change only by
    reopening it on the closing page (budget/destination.py), never in the admin."""

    @staticmethod
    def _approved(obj):
        destination = obj if isinstance(obj, SurplusDestination) else getattr(
            obj, "destination", None)
        return destination is not None and destination.state == SurplusDestination.State.APPROVED

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and not self._approved(obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self._approved(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self._approved(obj)


class SurplusDestinationRowInline(ApprovedDestinationLockMixin, ScopedInline):
    model = SurplusDestinationRow
    fields = ["description", "amount", "restricted", "channel", "source_action",
              "target_action", "target_text", "reason"]
    extra = 0


@admin.register(SurplusDestination)
class SurplusDestinationAdmin(ScopedAdmin):
    """Read mostly: the destination is recorded and approved on the closing page
    (planning/closing), whose services check the rules; the admin never approves it."""

    list_display = ["plan", "state", "deliberation", "from_document"]
    list_filter = ["plan__zone_plan__ambito", "state"]
    list_select_related = ["plan", "deliberation"]
    readonly_fields = ["plan", "state", "deliberation", "from_document", "document",
                       "approved_at", "approved_by"]
    inlines = [SurplusDestinationRowInline]


@admin.register(SurplusDestinationRow)
class SurplusDestinationRowAdmin(ApprovedDestinationLockMixin, ScopedAdmin):
    list_display = ["description", "amount", "restricted", "channel", "target_action",
                    "destination"]
    list_filter = ["destination__plan__zone_plan__ambito", "restricted"]
    search_fields = ["description"]
    list_select_related = ["channel", "target_action", "destination__plan"]

    def get_readonly_fields(self, request, obj=None):
        # A row stays with its destination; a new one must be given one.
        return ["destination"] if obj is not None else []


@admin.register(AgencyYearFigure)
class AgencyYearFigureAdmin(ScopedAdmin):
    gender = MASCULINE_PLURAL  # "I ricavi e costi dell'ente gestore … sono stati aggiunti"
    list_display = ["organisation", "year", "kind", "amount"]
    list_filter = ["ambito", "kind", "year"]
