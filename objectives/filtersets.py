from core.api.filtersets import IdFilter, IntegerFilter, ScopedFilterSet

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


class ZonePlanFilterSet(ScopedFilterSet):
    year = IntegerFilter(
        method="filter_year", label="Anno compreso nel periodo del piano."
    )

    class Meta:
        model = ZonePlan
        fields = ["start_year", "end_year"]

    def filter_year(self, queryset, name, value):
        return queryset.filter(start_year__lte=value, end_year__gte=value)


class AreaFilterSet(ScopedFilterSet):
    class Meta:
        model = Area
        fields = ["zone_plan", "code"]


class PolicyGoalFilterSet(ScopedFilterSet):
    zone_plan = IdFilter(
        field_name="area__zone_plan", label="Identificativo del Piano di Zona."
    )

    class Meta:
        model = PolicyGoal
        fields = ["area"]


class OperatingPlanFilterSet(ScopedFilterSet):
    class Meta:
        model = OperatingPlan
        fields = ["zone_plan", "year", "state"]


class ObjectiveFilterSet(ScopedFilterSet):
    year = IntegerFilter(field_name="plan__year", label="Anno del Piano Operativo.")

    class Meta:
        model = Objective
        fields = ["plan", "area", "number", "code"]


class ActionFilterSet(ScopedFilterSet):
    plan = IdFilter(
        field_name="objective__plan", label="Identificativo del Piano Operativo."
    )
    year = IntegerFilter(
        field_name="objective__plan__year", label="Anno del Piano Operativo."
    )
    objective_number = IntegerFilter(
        field_name="objective__number", label="Numero dell'obiettivo nel piano."
    )

    class Meta:
        model = Action
        fields = ["objective", "number"]


class ReferentFilterSet(ScopedFilterSet):
    plan = IdFilter(
        field_name="objective__plan", label="Identificativo del Piano Operativo."
    )

    class Meta:
        model = Referent
        fields = ["objective", "organisation"]


class SectionFilterSet(ScopedFilterSet):
    class Meta:
        model = Section
        fields = ["document", "area", "objective", "level", "key"]


class DataTableFilterSet(ScopedFilterSet):
    class Meta:
        model = DataTable
        fields = ["document", "section", "key"]
