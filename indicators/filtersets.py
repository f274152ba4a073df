from core.api.filtersets import (
    IdFilter,
    IntegerFilter,
    ScopedFilterSet,
    date_range,
    year_range,
)

from .models import EvaluationCriterion, Indicator, Kpi, KpiValue, Measurement, Milestone


class IndicatorFilterSet(ScopedFilterSet):
    plan = IdFilter(field_name="objective__plan", label="Identificativo del Piano Operativo.")
    year = IntegerFilter(field_name="objective__plan__year", label="Anno del Piano Operativo.")

    class Meta:
        model = Indicator
        fields = ["objective", "action", "kind", "periodicity"]


class MeasurementFilterSet(ScopedFilterSet):
    plan = IdFilter(
        field_name="indicator__objective__plan", label="Identificativo del Piano Operativo."
    )
    objective = IdFilter(field_name="indicator__objective", label="Identificativo dell'obiettivo.")
    period_end_from, period_end_to = date_range("period_end", "Rilevazioni")

    class Meta:
        model = Measurement
        fields = ["indicator", "period_end", "state"]


class MilestoneFilterSet(ScopedFilterSet):
    plan = IdFilter(field_name="objective__plan", label="Identificativo del Piano Operativo.")
    due_date_from, due_date_to = date_range("due_date", "Scadenze")

    class Meta:
        model = Milestone
        fields = ["objective", "action", "achieved", "periodicity"]


class EvaluationCriterionFilterSet(ScopedFilterSet):
    class Meta:
        model = EvaluationCriterion
        fields = ["objective"]


class KpiFilterSet(ScopedFilterSet):
    class Meta:
        model = Kpi
        fields = ["document", "unit"]


class KpiValueFilterSet(ScopedFilterSet):
    year_from, year_to = year_range()

    class Meta:
        model = KpiValue
        fields = ["kpi", "year"]
