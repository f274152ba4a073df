import django_filters

from core.api.filtersets import IdFilter, IntegerFilter, ScopedFilterSet, year_range

from .models import (
    AgencyYearFigure,
    BudgetLine,
    ChannelReference,
    FundingAllocation,
    FundingChannel,
    Surplus,
    Variation,
)


class FundingChannelFilterSet(ScopedFilterSet):
    class Meta:
        model = FundingChannel
        fields = ["code", "kind", "restricted"]


class ChannelReferenceFilterSet(ScopedFilterSet):
    year_from, year_to = year_range()

    class Meta:
        model = ChannelReference
        fields = ["channel", "year"]


class FundingAllocationFilterSet(ScopedFilterSet):
    channel_code = django_filters.CharFilter(
        field_name="channel__code", label="Sigla del canale di finanziamento (es. FNPS)."
    )
    year_from, year_to = year_range()

    class Meta:
        model = FundingAllocation
        fields = ["zone_plan", "operating_plan", "document", "year", "stage", "kind", "channel",
                  "restricted", "group"]


class BudgetLineFilterSet(ScopedFilterSet):
    """Flat lines for scripts: by plan, year, objective, action, channel, ambito."""

    plan = IdFilter(
        field_name="action__objective__plan", label="Identificativo del Piano Operativo."
    )
    year = IntegerFilter(
        field_name="action__objective__plan__year", label="Anno del Piano Operativo."
    )
    objective = IdFilter(field_name="action__objective", label="Identificativo dell'obiettivo.")
    objective_number = IntegerFilter(
        field_name="action__objective__number", label="Numero dell'obiettivo nel piano."
    )
    action_number = IntegerFilter(field_name="action__number", label="Numero dell'azione.")
    channel_code = django_filters.CharFilter(
        field_name="channel__code", label="Sigla del canale di finanziamento (es. FNPS)."
    )
    has_consuntivo = django_filters.BooleanFilter(
        field_name="consuntivo", lookup_expr="isnull", exclude=True,
        label="Solo le righe con (true) o senza (false) consuntivo.",
    )

    class Meta:
        model = BudgetLine
        fields = ["action", "channel"]


class SurplusFilterSet(ScopedFilterSet):
    year = IntegerFilter(field_name="plan__year", label="Anno del Piano Operativo.")

    class Meta:
        model = Surplus
        fields = ["plan", "objective", "action", "channel", "restricted"]


class VariationFilterSet(ScopedFilterSet):
    year = IntegerFilter(field_name="plan__year", label="Anno del Piano Operativo.")

    class Meta:
        model = Variation
        fields = ["plan", "line", "deliberation"]


class AgencyYearFigureFilterSet(ScopedFilterSet):
    year_from, year_to = year_range()

    class Meta:
        model = AgencyYearFigure
        fields = ["organisation", "year", "kind"]
