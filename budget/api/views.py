from classification.selectors import EffectiveCodes
from core.api.viewsets import ScopedReadOnlyViewSet

from .. import filtersets
from ..models import (
    AgencyYearFigure,
    BudgetLine,
    ChannelReference,
    FundingAllocation,
    FundingChannel,
    Surplus,
    Variation,
)
from ..selectors import lines_with_approved_preventivo
from . import serializers


class FundingChannelViewSet(ScopedReadOnlyViewSet):
    """Canali di finanziamento (FNPS, FSR, FNA, FSOL, Comuni…) con gli atti di assegnazione.

    I totali per canale di un anno sono in `objectives/operating-plans/{id}/totals/`.
    """

    queryset = FundingChannel.objects.prefetch_related("legal_references")
    serializer_class = serializers.FundingChannelSerializer
    filterset_class = filtersets.FundingChannelFilterSet
    ordering_fields = ["id", "code"]


class ChannelReferenceViewSet(ScopedReadOnlyViewSet):
    """Riferimenti normativi (DGR…) che assegnano un fondo per un anno."""

    queryset = ChannelReference.objects.select_related("channel")
    serializer_class = serializers.ChannelReferenceSerializer
    filterset_class = filtersets.ChannelReferenceFilterSet
    ordering_fields = ["id", "year", "amount"]


class FundingAllocationViewSet(ScopedReadOnlyViewSet):
    """Entrate per canale: avanzi applicati, entrate e entrate non applicate, per anno e fase."""

    queryset = FundingAllocation.objects.select_related("channel")
    serializer_class = serializers.FundingAllocationSerializer
    filterset_class = filtersets.FundingAllocationFilterSet
    ordering_fields = ["id", "year", "position", "amount"]


class BudgetLineViewSet(ScopedReadOnlyViewSet):
    """Righe di budget (voce, nota, preventivo, consuntivo), piatte e filtrabili.

    Filtri per piano, anno, obiettivo, azione, canale di finanziamento e ambito.
    Gli importi sono stringhe decimali con due cifre ("1234.50"), mai numeri in virgola mobile.
    """

    # The longest list: load only the columns the rows show, not the objectives' long texts.
    queryset = lines_with_approved_preventivo(BudgetLine.objects.select_related(
        "action__objective__plan__zone_plan", "channel"
    )).only(
        "id", "item", "note", "channel__code", "preventivo", "consuntivo", "source_note",
        "position", "action__number", "action__title", "action__objective__number",
        "action__objective__title",
        "action__objective__plan__year", "action__objective__plan__zone_plan__ambito",
    ).annotate(area_utenza=EffectiveCodes("area_utenza"))
    serializer_class = serializers.BudgetLineSerializer
    filterset_class = filtersets.BudgetLineFilterSet
    ordering_fields = ["id", "position", "preventivo", "consuntivo", "action__number",
                       "action__objective__number"]
    # By id (the loader's document order): the model's ordering sorts through five joins
    # on every page, which made a full pull of 100× the seed lines three times slower.
    ordering = ["id"]


class SurplusViewSet(ScopedReadOnlyViewSet):
    """Avanzi di un anno chiuso per obiettivo/azione, vincolati o no."""

    queryset = Surplus.objects.select_related("plan__zone_plan", "channel")
    serializer_class = serializers.SurplusSerializer
    filterset_class = filtersets.SurplusFilterSet
    ordering_fields = ["id", "position", "amount"]


class VariationViewSet(ScopedReadOnlyViewSet):
    """Variazioni di bilancio di un piano approvato: riga, preventivo da → a, motivazione, atto."""

    queryset = Variation.objects.select_related("plan__zone_plan", "line", "deliberation")
    serializer_class = serializers.VariationSerializer
    filterset_class = filtersets.VariationFilterSet
    ordering_fields = ["id", "created_at"]


class AgencyYearFigureViewSet(ScopedReadOnlyViewSet):
    """Ricavi e costi dell'ente gestore per anno."""

    queryset = AgencyYearFigure.objects.select_related("organisation")
    serializer_class = serializers.AgencyYearFigureSerializer
    filterset_class = filtersets.AgencyYearFigureFilterSet
    ordering_fields = ["id", "year", "amount"]
