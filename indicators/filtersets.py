import django_filters

from core.api.filtersets import (
    DateYearFilter,
    IdFilter,
    IntegerFilter,
    QuarterFilter,
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
    year = DateYearFilter(
        "period_end", label="Anno della rilevazione (della data di fine periodo, es. 2018).",
    )
    quarter = QuarterFilter(
        "period_end",
        label="Trimestre della rilevazione, da 1 a 4 (1: al 31/03, 2: al 30/06, 3: al 30/09, "
        "4: al 31/12).",
    )
    kind = django_filters.ChoiceFilter(
        field_name="indicator__kind", choices=Indicator.Kind.choices,
        label="Tipo dell'indicatore.",
    )

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
