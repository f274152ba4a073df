from rest_framework import serializers

from core.api.serializers import DescribedModelSerializer, ambito_field, related_text

from ..models import (
    AgencyYearFigure,
    BudgetLine,
    ChannelReference,
    FundingAllocation,
    FundingChannel,
    Surplus,
    Variation,
)


def channel_code():
    return related_text("channel.code", "Sigla del canale di finanziamento.")


class ChannelReferenceSerializer(DescribedModelSerializer):
    ambito = ambito_field("channel.ambito_id")
    channel_code = channel_code()

    class Meta:
        model = ChannelReference
        fields = ["id", "ambito", "channel", "channel_code", "year", "reference", "date", "amount"]


class ChannelLegalReferenceSerializer(DescribedModelSerializer):
    class Meta:
        model = ChannelReference
        fields = ["id", "year", "reference", "date", "amount"]


class FundingChannelSerializer(DescribedModelSerializer):
    legal_references = ChannelLegalReferenceSerializer(
        many=True, read_only=True, help_text="Atti di assegnazione del fondo, per anno."
    )

    class Meta:
        model = FundingChannel
        fields = ["id", "ambito", "code", "name", "kind", "restricted", "description",
                  "legal_references"]


class FundingAllocationSerializer(DescribedModelSerializer):
    channel_code = channel_code()

    class Meta:
        model = FundingAllocation
        fields = ["id", "ambito", "zone_plan", "operating_plan", "document", "year", "stage",
                  "kind", "channel", "channel_code", "label", "group", "restricted", "amount",
                  "note", "position"]


class BudgetLineSerializer(DescribedModelSerializer):
    """One flat row per line, with the ids of everything above it for filtering and joining."""

    ambito = ambito_field("action.objective.plan.zone_plan.ambito_id")
    plan = serializers.IntegerField(
        source="action.objective.plan_id", read_only=True,
        help_text="Identificativo del Piano Operativo.",
    )
    year = serializers.IntegerField(
        source="action.objective.plan.year", read_only=True, help_text="Anno del Piano Operativo."
    )
    objective = serializers.IntegerField(
        source="action.objective_id", read_only=True, help_text="Identificativo dell'obiettivo."
    )
    objective_number = serializers.IntegerField(
        source="action.objective.number", read_only=True,
        help_text="Numero dell'obiettivo nel piano.",
    )
    objective_title = related_text("action.objective.title", "Titolo dell'obiettivo.")
    action_number = serializers.IntegerField(
        source="action.number", read_only=True, help_text="Numero dell'azione."
    )
    action_title = related_text("action.title", "Titolo dell'azione.")
    channel_code = channel_code()
    approved_preventivo = serializers.DecimalField(
        max_digits=16, decimal_places=2, read_only=True,
        help_text=(
            "Preventivo come approvato, prima delle variazioni di bilancio (uguale al "
            "preventivo se non ce ne sono; 0 per una voce aggiunta con una variazione)."
        ),
    )

    area_utenza = serializers.CharField(
        read_only=True,
        help_text=(
            "Area di utenza ISTAT effettiva della riga (la sua classificazione, altrimenti "
            "quella dell'azione): codici con le quote percentuali, separati da «;» "
            "(es. \"ANZ 50;DIS 50\"); vuota se non classificata."
        ),
    )

    class Meta:
        model = BudgetLine
        fields = ["id", "ambito", "plan", "year", "objective", "objective_number",
                  "objective_title", "action", "action_number", "action_title", "item", "note",
                  "channel", "channel_code", "preventivo",
                  "approved_preventivo", "consuntivo", "source_note", "position", "area_utenza"]


class VariationSerializer(DescribedModelSerializer):
    ambito = ambito_field("plan.zone_plan.ambito_id")
    year = serializers.IntegerField(
        source="plan.year", read_only=True, help_text="Anno del Piano Operativo."
    )
    line_item = related_text("line.item", "Voce della riga di budget variata.")
    deliberation_text = related_text("deliberation", "L'atto che approva la variazione.")
    difference = serializers.DecimalField(
        max_digits=16, decimal_places=2, read_only=True,
        help_text="Nuovo preventivo meno preventivo precedente.",
    )

    class Meta:
        model = Variation
        fields = ["id", "ambito", "plan", "year", "line", "line_item", "subject",
                  "previous_amount", "new_amount", "difference", "reason", "deliberation",
                  "deliberation_text", "created_at"]


class SurplusSerializer(DescribedModelSerializer):
    ambito = ambito_field("plan.zone_plan.ambito_id")
    year = serializers.IntegerField(
        source="plan.year", read_only=True, help_text="Anno del Piano Operativo chiuso."
    )
    channel_code = channel_code()

    class Meta:
        model = Surplus
        fields = ["id", "ambito", "plan", "year", "objective", "action", "description", "channel",
                  "channel_code", "restricted", "amount", "position"]


class AgencyYearFigureSerializer(DescribedModelSerializer):
    organisation_name = related_text("organisation.name", "Denominazione dell'ente gestore.")

    class Meta:
        model = AgencyYearFigure
        fields = ["id", "ambito", "organisation", "organisation_name", "year", "kind", "amount"]
