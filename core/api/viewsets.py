"""The base class of every API viewset: read-only, scoped by Ambito, filterable, with history."""

from django.apps import apps
from django.http import Http404
from django.utils.http import http_date
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import filters, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer

from core import history as change_history
from core.roles import VIEW
from core.scoping import can, grants_for

from .conditional import ConditionalGetMixin
from .pagination import ApiPagination
from .renderers import CSVRenderer
from .serializers import ChangePageSerializer, ChangeSerializer
from .strict import StrictFilterBackend, StrictQueryMixin

PAGE_PARAMETERS = [
    OpenApiParameter(
        "page", {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
        description=ApiPagination.page_query_description,
    ),
    OpenApiParameter(
        "page_size", {"type": "integer", "minimum": 1, "maximum": ApiPagination.max_page_size},
        description=ApiPagination.page_size_query_description,
    ),
]


def sees_every_ambito(user):
    """Whether ``user`` has a role in every ambito there is (a national auditor)."""
    if not (user and user.is_authenticated and user.is_active) or user.is_superuser:
        return False
    ambiti = grants_for(user).ambiti()
    # Looked up by name: the ground floor imports no app of the project.
    ambito = apps.get_model("governance", "Ambito")
    return bool(ambiti) and not ambito.objects.exclude(pk__in=ambiti).exists()


class HasRoleInSomeAmbito(BasePermission):
    """Reading needs a role in at least one ambito; the queryset then narrows to those ambiti."""

    message = "Non hai un ruolo in alcun ambito: non ci sono dati che tu possa consultare."

    def has_permission(self, request, view):
        model = getattr(view, "scope_model", None) or view.queryset.model
        return can(request.user, VIEW, model)


class StableOrderingFilter(filters.OrderingFilter):
    """Every ordering ends on the primary key, so that pages never skip or repeat a row.

    A field not offered (``ordering_fields``) is a 400 listing those that are, never
    silently dropped.
    """

    ordering_description = (
        "Ordinamento: nome del campo, preceduto da '-' per l'ordine decrescente; "
        "più campi separati da virgola. Un campo non elencato è rifiutato (400)."
    )

    def query_parameters(self, view):
        return {self.ordering_param}

    def offered(self, view, request=None):
        """The values ``ordering`` takes: each field, ascending and descending."""
        fields = [name for name, _ in self.get_valid_fields(
            view.queryset, view, {"request": request})]
        return [value for name in fields for value in (name, f"-{name}")]

    def get_ordering(self, request, queryset, view):
        raw = request.query_params.get(self.ordering_param, "")
        if raw == "":
            return self.get_default_ordering(view)
        offered = self.offered(view, request)
        fields = [term.strip() for term in raw.split(",")]
        wrong = [term for term in fields if term not in offered]
        if wrong:
            raise ValidationError({self.ordering_param: [
                f"Ordinamento non ammesso: {', '.join(f'«{t}»' for t in wrong)}. "
                f"Valori ammessi (più d'uno separati da virgola): {', '.join(offered)}."
            ]})
        return fields

    def get_schema_operation_parameters(self, view):
        return [{
            "name": self.ordering_param,
            "required": False,
            "in": "query",
            "description": self.ordering_description,
            "schema": {"type": "array", "items": {"type": "string", "enum": self.offered(view)}},
            "style": "form",
            "explode": False,
        }]

    def filter_queryset(self, request, queryset, view):
        queryset = super().filter_queryset(request, queryset, view)
        # Without ?ordering= a list comes in id order: the models' orderings sort through
        # up to five joins (a measurement by indicator, objective, plan, ambito name), which
        # at national scale sorted every row in scope on every page.
        ordering = list(queryset.query.order_by or ["pk"])
        if "pk" not in ordering and "-pk" not in ordering:
            ordering.append("pk")
        return queryset.order_by(*ordering)


class ScopedReadOnlyViewSet(StrictQueryMixin, ConditionalGetMixin,
                            viewsets.ReadOnlyModelViewSet):
    """Subclasses only declare ``queryset``, ``serializer_class``, ``filterset_class``.

    The queryset always goes through ``restrict(user, "view")``: nobody filters by hand.
    """

    permission_classes = [IsAuthenticated, HasRoleInSomeAmbito]
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer, CSVRenderer]
    pagination_class = ApiPagination
    filter_backends = [StrictFilterBackend, StableOrderingFilter]
    ordering_fields = ["id"]
    # In CSV, an object's history comes one row per changed field (renderers.exploded).
    csv_exploded = {"history": "changes"}
    # Any segment reaches the view, so that "/budget-lines/1.5/" is the API's JSON 404 and not
    # Django's HTML page.
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        queryset = super().get_queryset()
        if sees_every_ambito(self.request.user):
            # Same rows as restrict(): without the filter through four joins to the ambito,
            # a national auditor's list no longer joins millions of rows to count them.
            return queryset
        return queryset.restrict(self.request.user, VIEW)

    def handle_exception(self, exc):
        if isinstance(exc, Http404):
            # Django's message names the model in English; outside one's ambiti is "not found".
            exc = NotFound("Oggetto non trovato, o fuori dagli ambiti in cui hai un ruolo.")
        return super().handle_exception(exc)

    def get_serializer_class(self):
        if self.action == "history":
            return ChangeSerializer
        return super().get_serializer_class()

    @extend_schema(
        summary="Storico delle modifiche",
        description="Le modifiche registrate dell'oggetto, dalla più vecchia: chi, quando, "
        "quali campi da quale valore a quale.",
        parameters=PAGE_PARAMETERS,
        filters=False,
        responses=ChangePageSerializer,
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def history(self, request, *args, **kwargs):
        records = change_history.object_history(instance=self.get_object())
        page = self.paginate_queryset(records)
        response = self.get_paginated_response(ChangeSerializer(page, many=True).data)
        if records:
            response["Last-Modified"] = http_date(records[-1].date.timestamp())
        return response
