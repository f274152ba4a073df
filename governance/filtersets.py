import django_filters

from core.api.filtersets import ScopedFilterSet, date_range, year_range

from .models import (
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


class AmbitoFilterSet(ScopedFilterSet):
    class Meta:
        model = Ambito
        fields = ["slug", "region"]


class SubAmbitoFilterSet(ScopedFilterSet):
    class Meta:
        model = SubAmbito
        fields = ["code"]


class MunicipalityFilterSet(ScopedFilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains", label="Nome del Comune (contiene).")

    class Meta:
        model = Municipality
        fields = ["sub_ambito", "size_class", "istat_code"]


class PopulationFigureFilterSet(ScopedFilterSet):
    year_from, year_to = year_range()

    class Meta:
        model = PopulationFigure
        fields = ["municipality", "year"]


class MunicipalSpendingFilterSet(ScopedFilterSet):
    year_from, year_to = year_range()

    class Meta:
        model = MunicipalSpending
        fields = ["municipality", "year"]


class OrganisationFilterSet(ScopedFilterSet):
    class Meta:
        model = Organisation
        fields = ["kind"]


class BodyFilterSet(ScopedFilterSet):
    class Meta:
        model = Body
        fields = ["kind", "organisation"]


class BodyMemberFilterSet(ScopedFilterSet):
    class Meta:
        model = BodyMember
        fields = ["body"]


class MeetingFilterSet(ScopedFilterSet):
    date_from, date_to = date_range("date", "Sedute")

    class Meta:
        model = Meeting
        fields = ["body"]


class DeliberationFilterSet(ScopedFilterSet):
    date_from, date_to = date_range("date", "Atti")

    class Meta:
        model = Deliberation
        fields = ["body", "approves", "number"]


class SourceDocumentFilterSet(ScopedFilterSet):
    class Meta:
        model = SourceDocument
        fields = ["kind", "year", "key"]


class PrintedTotalFilterSet(ScopedFilterSet):
    class Meta:
        model = PrintedTotal
        fields = ["document", "scope"]
