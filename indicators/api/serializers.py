from core.api.serializers import DescribedModelSerializer, ambito_field

from ..models import EvaluationCriterion, Indicator, Kpi, KpiValue, Measurement, Milestone

OBJECTIVE_AMBITO = "objective.plan.zone_plan.ambito_id"


class IndicatorMeasurementSerializer(DescribedModelSerializer):
    class Meta:
        model = Measurement
        fields = ["id", "period_end", "state", "value", "text_value", "note"]


class IndicatorSerializer(DescribedModelSerializer):
    ambito = ambito_field(OBJECTIVE_AMBITO)
    measurements = IndicatorMeasurementSerializer(
        many=True, read_only=True,
        help_text="Rilevazioni per fine periodo; N.D. è uno stato, non un valore vuoto.",
    )

    class Meta:
        model = Indicator
        fields = ["id", "ambito", "objective", "action", "table_label", "name", "kind", "target",
                  "periodicity", "note", "position", "measurements"]


class MeasurementSerializer(DescribedModelSerializer):
    ambito = ambito_field("indicator." + OBJECTIVE_AMBITO)

    class Meta:
        model = Measurement
        fields = ["id", "ambito", "indicator", "period_end", "state", "value", "text_value",
                  "note"]


class MilestoneSerializer(DescribedModelSerializer):
    ambito = ambito_field(OBJECTIVE_AMBITO)

    class Meta:
        model = Milestone
        fields = ["id", "ambito", "objective", "action", "title", "due_date", "periodicity",
                  "achieved", "note", "position"]


class EvaluationCriterionSerializer(DescribedModelSerializer):
    ambito = ambito_field(OBJECTIVE_AMBITO)

    class Meta:
        model = EvaluationCriterion
        fields = ["id", "ambito", "objective", "text", "position"]


class KpiYearValueSerializer(DescribedModelSerializer):
    class Meta:
        model = KpiValue
        fields = ["year", "value"]


class KpiSerializer(DescribedModelSerializer):
    values = KpiYearValueSerializer(many=True, read_only=True, help_text="Valori per anno.")

    class Meta:
        model = Kpi
        fields = ["id", "ambito", "document", "name", "unit", "note", "position", "values"]


class KpiValueSerializer(DescribedModelSerializer):
    ambito = ambito_field("kpi.ambito_id")

    class Meta:
        model = KpiValue
        fields = ["id", "ambito", "kpi", "year", "value"]
