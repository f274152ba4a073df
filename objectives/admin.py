from django import forms
from django.contrib import admin

from budget.selectors import objectives_with_totals
from core.formatting import format_euro
from core.scoped_admin import FrozenPlanMixin, ScopedAdmin, ScopedInline

from . import admin_transitions
from .models import (
    Action,
    Area,
    DataTable,
    Objective,
    OperatingPlan,
    PolicyGoal,
    Referent,
    Section,
    ZonePlan,
)


class OperatingPlanInline(ScopedInline):
    model = OperatingPlan
    fields = ["year", "title", "state"]
    readonly_fields = ["state"]  # states move only through the transitions


class AreaInline(ScopedInline):
    model = Area
    fields = ["code", "name", "position"]


class GoalInline(ScopedInline):
    model = PolicyGoal
    fields = ["title", "position"]


class ObjectiveInline(FrozenPlanMixin, ScopedInline):
    model = Objective
    fields = ["number", "title", "area"]


class ActionInline(FrozenPlanMixin, ScopedInline):
    model = Action
    fields = ["number", "title"]


class ReferentInline(ScopedInline):
    model = Referent
    fields = ["name", "organisation", "organisation_label", "user", "position"]


@admin.register(ZonePlan)
class ZonePlanAdmin(ScopedAdmin):
    list_display = ["title", "ambito", "start_year", "end_year", "approved_on"]
    list_filter = ["ambito"]
    search_fields = ["title"]
    inlines = [OperatingPlanInline, AreaInline]


@admin.register(OperatingPlan)
class OperatingPlanAdmin(FrozenPlanMixin, ScopedAdmin):
    list_display = ["title", "zone_plan", "year", "state"]
    list_filter = ["zone_plan__ambito", "year", "state"]
    search_fields = ["title"]
    list_select_related = ["zone_plan"]
    readonly_fields = ["state", "approval", "closing", "funding_shortfall_note"]
    inlines = [ObjectiveInline]
    actions = ["approve_plan", "close_year"]
    # An approved plan is not offered "Approva il piano" (core/admin_actions.py).
    action_states = {"approve_plan": (OperatingPlan.State.DRAFT,),
                     "close_year": (OperatingPlan.State.APPROVED,)}

    def has_approve_permission(self, request):
        return admin_transitions.may_approve(request)

    def has_close_permission(self, request):
        return admin_transitions.may_close(request)

    @admin.action(description="Approva il piano (delibera dell'Assemblea)", permissions=["approve"])
    def approve_plan(self, request, queryset):
        return admin_transitions.approve(self, request, queryset)

    @admin.action(description="Chiudi l'anno (anteprima dell'avanzo)", permissions=["close"])
    def close_year(self, request, queryset):
        return admin_transitions.close_year(self, request, queryset)


@admin.register(Area)
class AreaAdmin(ScopedAdmin):
    list_display = ["__str__", "zone_plan"]
    list_filter = ["zone_plan__ambito", "zone_plan"]
    search_fields = ["name", "description"]
    inlines = [GoalInline]


@admin.register(PolicyGoal)
class PolicyGoalAdmin(ScopedAdmin):
    list_display = ["__str__", "area"]
    list_filter = ["area__zone_plan__ambito", "area"]
    search_fields = ["title"]


class ActivitiesField(forms.CharField):
    """The year's activities, one per line: staff read and type a list, not JSON ("[]")."""

    widget = forms.Textarea(attrs={"rows": 4})

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(str(item) for item in value)
        return value

    def to_python(self, value):
        text = super().to_python(value) or ""
        return [line.strip() for line in text.splitlines() if line.strip()]


class ObjectiveAdminForm(forms.ModelForm):
    activities = ActivitiesField(
        label="Azioni dell'anno", required=False, help_text="Una per riga.",
    )

    class Meta:
        model = Objective
        fields = ["activities"]  # the admin adds its own fieldsets to these


@admin.register(Objective)
class ObjectiveAdmin(FrozenPlanMixin, ScopedAdmin):
    form = ObjectiveAdminForm
    list_display = ["number", "title", "plan", "preventivo", "consuntivo"]
    list_display_links = ["number", "title"]
    list_filter = ["plan__zone_plan__ambito", "plan__year", "plan__state"]
    search_fields = ["title", "short_title", "description"]
    list_select_related = ["plan"]
    readonly_fields = ["preventivo", "consuntivo"]

    def get_inlines(self, request, obj):
        # Indicators live in another app; imported here to keep app imports one-way.
        from indicators.admin import EvaluationCriterionInline, IndicatorInline, MilestoneInline

        return [ActionInline, ReferentInline, IndicatorInline, EvaluationCriterionInline,
                MilestoneInline]

    def get_queryset(self, request):
        return objectives_with_totals(super().get_queryset(request))

    @admin.display(description="Totale preventivo", ordering="total_preventivo")
    def preventivo(self, obj):
        return format_euro(getattr(obj, "total_preventivo", None))

    @admin.display(description="Totale consuntivo", ordering="total_consuntivo")
    def consuntivo(self, obj):
        if not getattr(obj, "lines_with_consuntivo", 0):
            return "–"
        return format_euro(obj.total_consuntivo)


@admin.register(Action)
class ActionAdmin(FrozenPlanMixin, ScopedAdmin):
    list_display = ["number", "title", "objective"]
    list_filter = ["objective__plan__zone_plan__ambito", "objective__plan__year"]
    search_fields = ["title"]
    list_select_related = ["objective"]

    def get_inlines(self, request, obj):
        from budget.admin import BudgetLineInline

        return [BudgetLineInline]


@admin.register(Referent)
class ReferentAdmin(ScopedAdmin):
    list_display = ["name", "organisation_label", "objective", "user"]
    list_filter = ["objective__plan__zone_plan__ambito", "objective__plan__year"]
    search_fields = ["name"]


@admin.register(Section)
class SectionAdmin(ScopedAdmin):
    list_display = ["title", "level", "document"]
    list_filter = ["document__ambito", "document"]
    search_fields = ["title", "body"]


@admin.register(DataTable)
class DataTableAdmin(ScopedAdmin):
    list_display = ["__str__", "section_label", "document"]
    list_filter = ["document__ambito", "document"]
    search_fields = ["title", "key"]
