from core.api.viewsets import ScopedReadOnlyViewSet

from .. import filtersets
from ..models import EvaluationCriterion, Indicator, Kpi, KpiValue, Measurement, Milestone
from . import serializers

OBJECTIVE_PATH = "objective__plan__zone_plan"


class IndicatorViewSet(ScopedReadOnlyViewSet):
    """Indicatori di esito degli obiettivi, con le rilevazioni trimestrali."""

    queryset = Indicator.objects.select_related(OBJECTIVE_PATH).prefetch_related("measurements")
    serializer_class = serializers.IndicatorSerializer
    filterset_class = filtersets.IndicatorFilterSet
    ordering_fields = ["id", "position"]


class MeasurementViewSet(ScopedReadOnlyViewSet):
    """Rilevazioni degli indicatori al 31/03, 30/06, 30/09, 31/12, una riga per valore."""

    queryset = Measurement.objects.select_related("indicator__" + OBJECTIVE_PATH)
    serializer_class = serializers.MeasurementSerializer
    filterset_class = filtersets.MeasurementFilterSet
    ordering_fields = ["id", "period_end"]


class MilestoneViewSet(ScopedReadOnlyViewSet):
    """Traguardi: obiettivo, scadenza o periodicità, raggiunto sì/no, note."""

    queryset = Milestone.objects.select_related(OBJECTIVE_PATH)
    serializer_class = serializers.MilestoneSerializer
    filterset_class = filtersets.MilestoneFilterSet
    ordering_fields = ["id", "position", "due_date"]


class EvaluationCriterionViewSet(ScopedReadOnlyViewSet):
    """Range di valutazione degli obiettivi."""

    queryset = EvaluationCriterion.objects.select_related(OBJECTIVE_PATH)
    serializer_class = serializers.EvaluationCriterionSerializer
    filterset_class = filtersets.EvaluationCriterionFilterSet
    ordering_fields = ["id", "position"]


class KpiViewSet(ScopedReadOnlyViewSet):
    """Indicatori annuali dell'ambito (KPI), con i valori per anno."""

    queryset = Kpi.objects.prefetch_related("values")
    serializer_class = serializers.KpiSerializer
    filterset_class = filtersets.KpiFilterSet
    ordering_fields = ["id", "position", "name"]


class KpiValueViewSet(ScopedReadOnlyViewSet):
    """Valori dei KPI per anno, una riga per valore."""

    queryset = KpiValue.objects.select_related("kpi")
    serializer_class = serializers.KpiValueSerializer
    filterset_class = filtersets.KpiValueFilterSet
    ordering_fields = ["id", "year"]
