"""OpenAPI details shared by every endpoint: the ``format`` parameter, summaries, CSV bodies."""

from django_filters.utils import label_for_filter
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

FORMAT_PARAMETER = OpenApiParameter(
    "format",
    OpenApiTypes.STR,
    enum=["json", "csv"],
    description="Formato della risposta: json (predefinito) oppure csv (una riga per oggetto, "
    "oggetti annidati in colonne puntate, celle che iniziano con = + - @ precedute da un apice).",
)

CSV_DESCRIPTION = (
    "Le stesse righe e gli stessi valori della risposta JSON, in CSV UTF-8 con intestazione; "
    "la paginazione è la stessa (intestazioni X-Total-Count e Link)."
)


class ApiAutoSchema(AutoSchema):
    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        if self.method == "GET":
            parameters.append(FORMAT_PARAMETER)
        return parameters

    def get_summary(self):
        summary = super().get_summary()
        if summary:
            return summary
        queryset = getattr(self.view, "queryset", None)
        if queryset is None:
            return None
        meta = queryset.model._meta
        action = getattr(self.view, "action", None)
        if action == "list":
            return f"Elenco: {meta.verbose_name_plural}"
        if action == "retrieve":
            return f"Dettaglio: {meta.verbose_name}"
        return None


def csv_bodies_are_text(result, generator, request, public):
    """A CSV body is text, not the JSON object the serializer describes."""
    for path in result.get("paths", {}).values():
        for operation in path.values():
            for response in operation.get("responses", {}).values():
                content = response.get("content", {})
                if "text/csv" in content:
                    content["text/csv"] = {
                        "schema": {"type": "string", "description": CSV_DESCRIPTION}
                    }
    return result


class DescribedFilterExtension(DjangoFilterExtension):
    """Filters typed by an override (ids, years) keep their label as description."""

    priority = 1

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        parameters = super().resolve_filter_field(
            auto_schema, model, filterset_class, field_name, filter_field
        )
        label = filter_field.label or label_for_filter(
            model, filter_field.field_name, filter_field.lookup_expr, filter_field.exclude
        )
        for parameter in parameters:
            if not parameter.get("description"):
                parameter["description"] = str(label)
        return parameters
