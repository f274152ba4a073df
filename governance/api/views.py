from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.viewsets import ScopedReadOnlyViewSet

from .. import filtersets
from ..models import (
    Ambito,
    Body,
    BodyMember,
    Deliberation,
    Meeting,
    Municipality,
    MunicipalSpending,
    Organisation,
    PopulationFigure,
    PrintedTotal,
    SourceDocument,
    SubAmbito,
)
from . import serializers, spending


class AmbitoViewSet(ScopedReadOnlyViewSet):
    """Ambiti territoriali visibili all'utente (quelli in cui ha un ruolo)."""

    queryset = Ambito.objects.select_related("ente_capofila")
    serializer_class = serializers.AmbitoSerializer
    filterset_class = filtersets.AmbitoFilterSet
    ordering_fields = ["id", "slug", "name"]


class SubAmbitoViewSet(ScopedReadOnlyViewSet):
    """Sub-ambiti in cui sono raggruppati i Comuni di un ambito."""

    queryset = SubAmbito.objects.all()
    serializer_class = serializers.SubAmbitoSerializer
    filterset_class = filtersets.SubAmbitoFilterSet
    ordering_fields = ["id", "name", "position"]


class MunicipalityViewSet(ScopedReadOnlyViewSet):
    """Comuni dell'ambito, con la popolazione residente e la spesa sociale per anno."""

    queryset = Municipality.objects.prefetch_related("population", "spending")
    serializer_class = serializers.MunicipalitySerializer
    filterset_class = filtersets.MunicipalityFilterSet
    ordering_fields = ["id", "name", "position"]


class PopulationFigureViewSet(ScopedReadOnlyViewSet):
    """Popolazione residente per Comune e anno, una riga per valore (per i fogli di calcolo)."""

    queryset = PopulationFigure.objects.select_related("municipality")
    serializer_class = serializers.PopulationFigureSerializer
    filterset_class = filtersets.PopulationFigureFilterSet
    ordering_fields = ["id", "year", "value", "municipality__name"]


class MunicipalSpendingViewSet(ScopedReadOnlyViewSet):
    """Spesa sociale dei Comuni per anno (importo e pro capite), una riga per valore."""

    queryset = MunicipalSpending.objects.select_related("municipality")
    serializer_class = serializers.MunicipalSpendingSerializer
    filterset_class = filtersets.MunicipalSpendingFilterSet
    ordering_fields = ["id", "year", "amount", "municipality__name"]

    def query_parameters(self):
        names = super().query_parameters()
        if getattr(self, "action", None) == "summary":
            names |= {"ambito", "year"}
        return names

    @spending.summary_schema
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def summary(self, request):
        """Riepilogo della spesa sociale dei Comuni di un ambito in un anno, con gli indicatori."""
        return Response(spending.summary_data(request))


class OrganisationViewSet(ScopedReadOnlyViewSet):
    """Enti e organizzazioni: capofila, ente gestore, ATS, ASST, Terzo Settore…"""

    queryset = Organisation.objects.all()
    serializer_class = serializers.OrganisationSerializer
    filterset_class = filtersets.OrganisationFilterSet
    ordering_fields = ["id", "name"]


class BodyViewSet(ScopedReadOnlyViewSet):
    """Organismi di governance (Assemblea dei Sindaci, Ufficio di Piano…), componenti e sedute."""

    queryset = Body.objects.prefetch_related("members", "meetings")
    serializer_class = serializers.BodySerializer
    filterset_class = filtersets.BodyFilterSet
    ordering_fields = ["id", "name", "position"]


class BodyMemberViewSet(ScopedReadOnlyViewSet):
    """Componenti degli organismi, con carica e periodo."""

    queryset = BodyMember.objects.select_related("body")
    serializer_class = serializers.BodyMemberSerializer
    filterset_class = filtersets.BodyMemberFilterSet
    ordering_fields = ["id", "name", "position"]


class MeetingViewSet(ScopedReadOnlyViewSet):
    """Sedute degli organismi."""

    queryset = Meeting.objects.select_related("body")
    serializer_class = serializers.MeetingSerializer
    filterset_class = filtersets.MeetingFilterSet
    ordering_fields = ["id", "date"]


class DeliberationViewSet(ScopedReadOnlyViewSet):
    """Delibere e atti: quale organismo ha approvato che cosa, con numero e data."""

    queryset = Deliberation.objects.select_related("body")
    serializer_class = serializers.DeliberationSerializer
    filterset_class = filtersets.DeliberationFilterSet
    ordering_fields = ["id", "date", "number"]


class SourceDocumentViewSet(ScopedReadOnlyViewSet):
    """Documenti di origine da cui sono stati presi i dati (piani e relazioni stampati)."""

    queryset = SourceDocument.objects.all()
    serializer_class = serializers.SourceDocumentSerializer
    filterset_class = filtersets.SourceDocumentFilterSet
    ordering_fields = ["id", "year", "key"]


class PrintedTotalViewSet(ScopedReadOnlyViewSet):
    """Totali come stampati nei documenti di origine (nota per la riconciliazione, non un dato)."""

    queryset = PrintedTotal.objects.select_related("document")
    serializer_class = serializers.PrintedTotalSerializer
    filterset_class = filtersets.PrintedTotalFilterSet
    ordering_fields = ["id", "position", "scope"]
