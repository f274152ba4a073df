from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from budget import selectors
from core.api.viewsets import ScopedReadOnlyViewSet

from .. import filtersets
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
from . import serializers

TOTAL_ORDERING = ["total_preventivo", "total_consuntivo"]


class ZonePlanViewSet(ScopedReadOnlyViewSet):
    """Piani di Zona triennali (periodo effettivo e ciclo regionale)."""

    queryset = ZonePlan.objects.all()
    serializer_class = serializers.ZonePlanSerializer
    filterset_class = filtersets.ZonePlanFilterSet
    ordering_fields = ["id", "start_year"]


class AreaViewSet(ScopedReadOnlyViewSet):
    """Macro-aree e aree di policy del Piano di Zona, con i loro obiettivi."""

    queryset = Area.objects.select_related("zone_plan").prefetch_related("goals")
    serializer_class = serializers.AreaSerializer
    filterset_class = filtersets.AreaFilterSet
    ordering_fields = ["id", "position", "name"]


class PolicyGoalViewSet(ScopedReadOnlyViewSet):
    """Obiettivi di area del Piano di Zona, una riga per obiettivo."""

    queryset = PolicyGoal.objects.select_related("area__zone_plan")
    serializer_class = serializers.PolicyGoalSerializer
    filterset_class = filtersets.PolicyGoalFilterSet
    ordering_fields = ["id", "position"]


class OperatingPlanViewSet(ScopedReadOnlyViewSet):
    """Piani Operativi annuali (bozza → approvato → chiuso) con il totale delle righe."""

    queryset = selectors.plans_with_totals(OperatingPlan.objects.select_related("zone_plan"))
    serializer_class = serializers.OperatingPlanSerializer
    filterset_class = filtersets.OperatingPlanFilterSet
    ordering_fields = ["id", "year", *TOTAL_ORDERING]

    def get_serializer_class(self):
        if self.action == "totals":
            return serializers.PlanOverviewSerializer
        return super().get_serializer_class()

    @extend_schema(
        summary="Totali del Piano Operativo",
        description="Tutti i totali che i report stampano per il piano: righe di budget, "
        "obiettivi, entrate per tipo e raggruppamento, canali di finanziamento, avanzo. "
        "Calcolati dagli stessi selettori dei report.",
        filters=False,
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def totals(self, request, *args, **kwargs):
        overview = selectors.plan_overview(plan=self.get_object())
        return Response(serializers.PlanOverviewSerializer(overview).data)


class ObjectiveViewSet(ScopedReadOnlyViewSet):
    """Obiettivi dei Piani Operativi con i totali preventivo/consuntivo, azioni e referenti."""

    queryset = selectors.objectives_with_totals(
        Objective.objects.select_related("plan__zone_plan")
    ).prefetch_related(
        Prefetch("actions", queryset=selectors.actions_with_totals(Action.objects.all())),
        "referents",
    )
    serializer_class = serializers.ObjectiveSerializer
    filterset_class = filtersets.ObjectiveFilterSet
    ordering_fields = ["id", "number", *TOTAL_ORDERING]


class ActionViewSet(ScopedReadOnlyViewSet):
    """Azioni (l'unità a cui sono legate le righe di budget), con i loro totali."""

    queryset = selectors.actions_with_totals(
        Action.objects.select_related("objective__plan__zone_plan")
    )
    serializer_class = serializers.ActionSerializer
    filterset_class = filtersets.ActionFilterSet
    ordering_fields = ["id", "number", *TOTAL_ORDERING]


class ReferentViewSet(ScopedReadOnlyViewSet):
    """Referenti degli obiettivi: persona ed ente (visibili a chi ha un ruolo nell'ambito)."""

    queryset = Referent.objects.select_related("objective__plan__zone_plan", "organisation")
    serializer_class = serializers.ReferentSerializer
    filterset_class = filtersets.ReferentFilterSet
    ordering_fields = ["id", "name", "position"]


class SectionViewSet(ScopedReadOnlyViewSet):
    """Sezioni di testo dei documenti (markdown), nell'ordine in cui sono stampate."""

    queryset = Section.objects.select_related("document")
    serializer_class = serializers.SectionSerializer
    filterset_class = filtersets.SectionFilterSet
    ordering_fields = ["id", "position"]


class DataTableViewSet(ScopedReadOnlyViewSet):
    """Altre tabelle stampate nei documenti (personale, classi demografiche…), come stampate."""

    queryset = DataTable.objects.select_related("document")
    serializer_class = serializers.DataTableSerializer
    filterset_class = filtersets.DataTableFilterSet
    ordering_fields = ["id", "position"]
