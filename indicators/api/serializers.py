from rest_framework import serializers

from core.api.serializers import DescribedModelSerializer, ambito_field, related_text

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
    objective = serializers.IntegerField(
        source="indicator.objective_id", read_only=True, help_text="Identificativo dell'obiettivo."
    )
    objective_number = serializers.IntegerField(
        source="indicator.objective.number", read_only=True,
        help_text="Numero dell'obiettivo nel piano.",
    )
    indicator_name = related_text("indicator.name", "Nome dell'indicatore.")
    # Text, not a second enum of the same choices in the schema (that of the indicators).
    indicator_kind = serializers.CharField(
        source="indicator.kind", read_only=True,
        help_text="Tipo dell'indicatore: " + ", ".join(
            f"{value} ({label})" for value, label in Indicator.Kind.choices) + ".",
    )

    class Meta:
        model = Measurement
        fields = ["id", "ambito", "objective", "objective_number", "indicator", "indicator_name",
                  "indicator_kind", "period_end", "state", "value", "text_value", "note"]


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
