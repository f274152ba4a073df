from rest_framework import serializers

from core.api.serializers import DescribedModelSerializer, ambito_field, related_text

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


class AmbitoSerializer(DescribedModelSerializer):
    ente_capofila_name = related_text("ente_capofila.name", "Denominazione dell'ente capofila.")

    class Meta:
        model = Ambito
        fields = ["id", "slug", "name", "region", "ente_capofila", "ente_capofila_name",
                  "declared_municipality_count"]


class SubAmbitoSerializer(DescribedModelSerializer):
    class Meta:
        model = SubAmbito
        fields = ["id", "ambito", "name", "code", "position"]


class PopulationValueSerializer(DescribedModelSerializer):
    class Meta:
        model = PopulationFigure
        fields = ["year", "value"]


class SpendingValueSerializer(DescribedModelSerializer):
    class Meta:
        model = MunicipalSpending
        fields = ["year", "amount", "amount_single", "amount_associated", "per_capita"]


class MunicipalitySerializer(DescribedModelSerializer):
    aliases = serializers.ListField(
        child=serializers.CharField(), read_only=True,
        help_text="Altre grafie del nome nei documenti.",
    )
    population = PopulationValueSerializer(
        many=True, read_only=True, help_text="Popolazione residente per anno."
    )
    spending = SpendingValueSerializer(
        many=True, read_only=True, help_text="Spesa sociale del Comune per anno (ISTAT)."
    )

    class Meta:
        model = Municipality
        fields = ["id", "ambito", "sub_ambito", "name", "aliases", "size_class", "istat_code",
                  "position", "population", "spending"]


class PopulationFigureSerializer(DescribedModelSerializer):
    ambito = ambito_field("municipality.ambito_id")
    municipality_name = related_text("municipality.name", "Nome del Comune.")

    class Meta:
        model = PopulationFigure
        fields = ["id", "ambito", "municipality", "municipality_name", "year", "value"]


class MunicipalSpendingSerializer(DescribedModelSerializer):
    ambito = ambito_field("municipality.ambito_id")
    municipality_name = related_text("municipality.name", "Nome del Comune.")

    class Meta:
        model = MunicipalSpending
        fields = ["id", "ambito", "municipality", "municipality_name", "year", "amount",
                  "amount_single", "amount_associated", "per_capita", "source"]


class OrganisationSerializer(DescribedModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "ambito", "name", "short_name", "kind"]


class BodyMemberSerializer(DescribedModelSerializer):
    ambito = ambito_field("body.ambito_id")

    class Meta:
        model = BodyMember
        fields = ["id", "ambito", "body", "name", "role", "represents", "start_date", "end_date",
                  "position"]


class MeetingSerializer(DescribedModelSerializer):
    ambito = ambito_field("body.ambito_id")

    class Meta:
        model = Meeting
        fields = ["id", "ambito", "body", "date", "note"]


class BodySerializer(DescribedModelSerializer):
    members = BodyMemberSerializer(many=True, read_only=True, help_text="Componenti.")
    meetings = MeetingSerializer(many=True, read_only=True, help_text="Sedute.")

    class Meta:
        model = Body
        fields = ["id", "ambito", "name", "kind", "organisation", "description", "position",
                  "members", "meetings"]


class DeliberationSerializer(DescribedModelSerializer):
    body_name = related_text("body.name", "Organismo che ha adottato l'atto.")

    class Meta:
        model = Deliberation
        fields = ["id", "ambito", "body", "body_name", "issuer", "number", "date", "subject",
                  "approves"]


class SourceDocumentSerializer(DescribedModelSerializer):
    class Meta:
        model = SourceDocument
        fields = ["id", "ambito", "key", "kind", "title", "subtitle", "author", "year", "source"]


class PrintedTotalSerializer(DescribedModelSerializer):
    ambito = ambito_field("document.ambito_id")

    class Meta:
        model = PrintedTotal
        fields = ["id", "ambito", "document", "scope", "label", "printed", "note", "position"]
