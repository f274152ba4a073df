"""OpenAPI details shared by every endpoint: the ``format`` parameter, summaries, CSV bodies."""

from django_filters.utils import label_for_filter
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

from .dialects import DIALECT_DESCRIPTION, DIALECT_SCHEMA
from .dialects import DIALECT_PARAMETER as DIALECT_PARAMETER_NAME

FORMAT_PARAMETER = OpenApiParameter(
    "format",
    OpenApiTypes.STR,
    enum=["json", "csv"],
    description="Formato della risposta: json (predefinito) oppure csv (una riga per oggetto, "
    "oggetti annidati in colonne puntate, celle che iniziano con = + - @ precedute da un apice).",
)

DIALECT_PARAMETER = OpenApiParameter(
    DIALECT_PARAMETER_NAME, DIALECT_SCHEMA, description=DIALECT_DESCRIPTION,
)

CSV_DESCRIPTION = (
    "Le stesse righe e gli stessi valori della risposta JSON, in CSV UTF-8 con intestazione; "
    "la paginazione è la stessa (intestazioni X-Total-Count e Link). Con dialect=excel-it: "
    "punto e virgola, virgola decimale, BOM UTF-8."
)


class ApiAutoSchema(AutoSchema):
    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        if self.method == "GET":
            parameters += [FORMAT_PARAMETER, DIALECT_PARAMETER]
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


# ---------------------------------------------------------------------------------------
# Error responses: every status an operation can answer, with its body (issue 20).
# ---------------------------------------------------------------------------------------

ERROR_SCHEMAS = {
    "Errore": {
        "type": "object",
        "description": "Una richiesta rifiutata: il motivo, in italiano.",
        "properties": {"detail": {"type": "string", "description": "Il motivo del rifiuto."}},
        "required": ["detail"],
    },
    "ErroreParametri": {
        "type": "object",
        "description": (
            "Parametri o dati non validi: per ogni parametro rifiutato, i messaggi che dicono "
            "perché e quali valori sono ammessi (es. {\"ordering\": [\"Ordinamento non "
            "ammesso: «x». Valori ammessi: id, -id.\"]}). Un corpo illeggibile dà "
            "{\"detail\": \"…\"}."
        ),
        "additionalProperties": {
            "anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "string"}],
        },
        "minProperties": 1,
    },
}

RETRY_AFTER = {
    "Retry-After": {
        "description": "Secondi da attendere prima di riprovare.",
        "schema": {"type": "integer", "minimum": 0},
    },
}
WWW_AUTHENTICATE = {
    "WWW-Authenticate": {
        "description": "Lo schema di autenticazione atteso (Token).",
        "schema": {"type": "string"},
    },
}


def _error(description, schema="Errore", headers=None):
    response = {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }
    if headers:
        response["headers"] = headers
    return response


def _errors_of(path, method, operation):
    """The error statuses of one operation: what the views, DRF and the throttle answer."""
    if method == "post":  # the token endpoint: anonymous, a body to validate
        return {
            "400": _error("Credenziali o codice non validi, o corpo illeggibile.",
                          "ErroreParametri"),
            "415": _error("Tipo di contenuto del corpo non supportato (usare JSON o un modulo)."),
            "429": _error("Troppi tentativi: accesso sospeso.", headers=RETRY_AFTER),
        }
    names = {parameter.get("name") for parameter in operation.get("parameters", [])}
    errors = {
        "400": _error("Parametro sconosciuto, valore non valido o fuori dai valori ammessi "
                      "(il corpo nomina il parametro e dice che cosa è ammesso).",
                      "ErroreParametri"),
        "401": _error("Credenziali assenti o non valide.", headers=WWW_AUTHENTICATE),
        "403": _error("Nessun ruolo in alcun ambito: nessun dato consultabile."),
        "429": _error("Troppe richieste con queste credenziali.", headers=RETRY_AFTER),
    }
    errors["304"] = {
        "description": "Non modificato: If-None-Match porta l'ETag attuale (nessun corpo).",
    }
    if "{id}" in path:
        errors["404"] = _error("Oggetto inesistente o fuori dagli ambiti in cui hai un ruolo.")
    elif "page" in names:
        errors["404"] = _error("Pagina oltre l'ultima.")
    return errors


def error_responses(result, generator, request, public):
    """Adds the error statuses, with their bodies, to every operation of the schema.

    And says of every optional query parameter that an empty value is accepted (as absent).
    """
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.update(ERROR_SCHEMAS)
    for path, methods in result.get("paths", {}).items():
        for method, operation in methods.items():
            for parameter in operation.get("parameters", []):
                # The router takes any segment as id (a wrong one is the API's JSON 404);
                # the id itself is an integer.
                if parameter.get("in") == "path" and parameter.get("name") == "id":
                    parameter["schema"] = {"type": "integer", "minimum": 1}
                    parameter.setdefault("description", "Identificativo univoco dell'oggetto.")
                # An empty value counts as absent, as in an HTML form (core/api/strict.py).
                if parameter.get("in") == "query" and not parameter.get("required"):
                    parameter["allowEmptyValue"] = True
            responses = operation.setdefault("responses", {})
            for status, response in _errors_of(path, method, operation).items():
                documented = responses.setdefault(status, response)
                if "content" not in documented:  # a status declared without its body
                    documented.update(response, description=documented.get(
                        "description") or response["description"])
    return result
