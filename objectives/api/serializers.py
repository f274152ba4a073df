from rest_framework import serializers

from core.api.serializers import (
    DescribedModelSerializer,
    TotalsSerializer,
    ambito_field,
    money,
    related_text,
)

from ..models import (
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


def totals_field():
    return TotalsSerializer(
        source="*", read_only=True,
        help_text="Totali calcolati dalle righe di budget (gli stessi dei report stampati).",
    )


class ZonePlanSerializer(DescribedModelSerializer):
    class Meta:
        model = ZonePlan
        fields = ["id", "ambito", "title", "start_year", "end_year", "nominal_start_year",
                  "nominal_end_year", "approved_on", "approval", "description"]


class PolicyGoalSerializer(DescribedModelSerializer):
    ambito = ambito_field("area.zone_plan.ambito_id")

    class Meta:
        model = PolicyGoal
        fields = ["id", "ambito", "area", "title", "description", "position"]


class AreaGoalSerializer(DescribedModelSerializer):
    class Meta:
        model = PolicyGoal
        fields = ["id", "title", "description", "position"]


class AreaSerializer(DescribedModelSerializer):
    ambito = ambito_field("zone_plan.ambito_id")
    goals = AreaGoalSerializer(
        many=True, read_only=True, help_text="Obiettivi del Piano di Zona per l'area."
    )

    class Meta:
        model = Area
        fields = ["id", "ambito", "zone_plan", "code", "name", "description", "position", "goals"]


class OperatingPlanSerializer(DescribedModelSerializer):
    ambito = ambito_field("zone_plan.ambito_id")
    totals = totals_field()

    class Meta:
        model = OperatingPlan
        fields = ["id", "ambito", "zone_plan", "year", "title", "state", "action_numbering",
                  "approval", "closing", "totals"]


class ObjectiveActionSerializer(DescribedModelSerializer):
    totals = totals_field()

    class Meta:
        model = Action
        fields = ["id", "number", "title", "totals"]


class ObjectiveReferentSerializer(DescribedModelSerializer):
    class Meta:
        model = Referent
        fields = ["id", "name", "organisation", "organisation_label"]


class ObjectiveSerializer(DescribedModelSerializer):
    ambito = ambito_field("plan.zone_plan.ambito_id")
    year = serializers.IntegerField(
        source="plan.year", read_only=True, help_text="Anno del Piano Operativo."
    )
    activities = serializers.ListField(
        child=serializers.CharField(), read_only=True,
        help_text="Azioni dell'anno come elencate nel piano.",
    )
    totals = totals_field()
    actions = ObjectiveActionSerializer(
        many=True, read_only=True, help_text="Azioni dell'obiettivo con i loro totali."
    )
    referents = ObjectiveReferentSerializer(
        many=True, read_only=True, help_text="Referenti dell'obiettivo."
    )

    class Meta:
        model = Objective
        fields = ["id", "ambito", "plan", "year", "area", "number", "code", "title",
                  "short_title", "description", "triennial_goal", "activities", "timing",
                  "totals", "actions", "referents"]


class ActionSerializer(DescribedModelSerializer):
    ambito = ambito_field("objective.plan.zone_plan.ambito_id")
    plan = serializers.IntegerField(
        source="objective.plan_id", read_only=True,
        help_text="Identificativo del Piano Operativo.",
    )
    objective_number = serializers.IntegerField(
        source="objective.number", read_only=True, help_text="Numero dell'obiettivo nel piano."
    )
    totals = totals_field()

    class Meta:
        model = Action
        fields = ["id", "ambito", "plan", "objective", "objective_number", "number", "title",
                  "description", "totals"]


class ReferentSerializer(DescribedModelSerializer):
    """The person and the organisation; the linked user account stays private."""

    ambito = ambito_field("objective.plan.zone_plan.ambito_id")
    organisation_name = related_text("organisation.name", "Denominazione dell'ente.")

    class Meta:
        model = Referent
        fields = ["id", "ambito", "objective", "name", "organisation", "organisation_name",
                  "organisation_label", "position"]


class SectionSerializer(DescribedModelSerializer):
    ambito = ambito_field("document.ambito_id")

    class Meta:
        model = Section
        fields = ["id", "ambito", "document", "key", "title", "level", "area", "objective",
                  "body", "position"]


class DataTableSerializer(DescribedModelSerializer):
    ambito = ambito_field("document.ambito_id")
    columns = serializers.ListField(
        child=serializers.CharField(allow_null=True), read_only=True,
        help_text="Intestazioni delle colonne, come stampate.",
    )
    rows = serializers.ListField(
        child=serializers.ListField(child=serializers.CharField(allow_null=True)),
        read_only=True, help_text="Righe della tabella: celle come stampate.",
    )

    class Meta:
        model = DataTable
        fields = ["id", "ambito", "document", "section", "section_label", "key", "number",
                  "title", "columns", "rows", "note", "position"]


class StageAllocationTotalsSerializer(serializers.Serializer):
    avanzo = money("Avanzi dell'anno precedente applicati.")
    avanzo_restricted = money("Di cui avanzi vincolati.")
    avanzo_unrestricted = money("Di cui avanzi non vincolati.")
    entrata = money("Entrate dell'anno.")
    non_applicata = money("Entrate non applicate.")
    all = money("Somma di tutte le voci (avanzi, entrate e non applicate).")
    budget = money("Budget: avanzi + entrate.")
    net = money("Budget netto: avanzi + entrate − entrate non applicate.")


class AllocationTotalsSerializer(serializers.Serializer):
    preventivo = StageAllocationTotalsSerializer(help_text="Entrate a preventivo.")
    consuntivo = StageAllocationTotalsSerializer(help_text="Entrate a consuntivo.")


class GroupTotalSerializer(serializers.Serializer):
    group = serializers.CharField(allow_blank=True,
        help_text="Raggruppamento delle entrate, come stampato.")
    total = money("Somma delle voci del raggruppamento.")


class AllocationGroupsSerializer(serializers.Serializer):
    preventivo = GroupTotalSerializer(many=True, help_text="Raggruppamenti a preventivo.")
    consuntivo = GroupTotalSerializer(many=True, help_text="Raggruppamenti a consuntivo.")


class ChannelFiguresSerializer(serializers.Serializer):
    avanzo = money("Avanzi del canale.")
    entrata = money("Entrate del canale.")
    non_applicata = money("Entrate non applicate del canale.")
    budget = money("Avanzi + entrate del canale.")
    net = money("Avanzi + entrate − non applicate del canale.")


class LineTotalsSerializer(serializers.Serializer):
    preventivo = money("Preventivo delle righe di budget.")
    consuntivo = money("Consuntivo delle righe di budget (vuoto conta zero).")


class ChannelTotalsSerializer(serializers.Serializer):
    channel = serializers.IntegerField(
        allow_null=True, help_text="Identificativo del canale; null per le voci senza canale."
    )
    code = serializers.CharField(allow_blank=True,
        help_text="Sigla del canale (vuota per le voci senza canale).")
    name = serializers.CharField(allow_blank=True,
        help_text="Denominazione del canale.")
    restricted = serializers.BooleanField(
        allow_null=True, help_text="Se il canale è vincolato (null per le voci senza canale)."
    )
    preventivo = ChannelFiguresSerializer(help_text="Entrate del canale a preventivo.")
    consuntivo = ChannelFiguresSerializer(help_text="Entrate del canale a consuntivo.")
    lines = LineTotalsSerializer(help_text="Righe di budget del piano pagate dal canale.")


class ObjectiveTotalsSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Identificativo dell'obiettivo.")
    number = serializers.IntegerField(help_text="Numero dell'obiettivo.")
    code = serializers.CharField(allow_blank=True,
        help_text="Codice dell'obiettivo (es. OB1).")
    short_title = serializers.CharField(allow_blank=True,
        help_text="Titolo breve dell'obiettivo.")
    preventivo = money("Totale preventivo dell'obiettivo.", source="total_preventivo")
    consuntivo = money("Totale consuntivo dell'obiettivo.", source="total_consuntivo")


class SurplusTotalsSerializer(serializers.Serializer):
    restricted = money("Avanzo vincolato.")
    unrestricted = money("Avanzo non vincolato.")
    total = money("Avanzo totale.")


class PlanOverviewSerializer(serializers.Serializer):
    plan = LineTotalsSerializer(help_text="Totali di tutte le righe di budget del piano.")
    objectives = ObjectiveTotalsSerializer(many=True, help_text="Totali per obiettivo.")
    allocations = AllocationTotalsSerializer(
        help_text="Entrate per canale dell'anno del piano, per tipo (come nei report)."
    )
    allocation_groups = AllocationGroupsSerializer(help_text="Entrate per raggruppamento.")
    channels = ChannelTotalsSerializer(many=True, help_text="Totali per canale di finanziamento.")
    surplus = SurplusTotalsSerializer(help_text="Avanzo dell'anno per obiettivo/azione, sommato.")
