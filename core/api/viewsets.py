"""The base class of every API viewset: read-only, scoped by Ambito, filterable, with history."""

from django.apps import apps
from django.http import Http404
from django.utils.http import http_date
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, extend_schema
from rest_framework import filters, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer

from core import history as change_history
from core.roles import VIEW
from core.scoping import can, grants_for

from .conditional import ConditionalGetMixin
from .pagination import ApiPagination
from .renderers import CSVRenderer
from .serializers import ChangePageSerializer, ChangeSerializer

PAGE_PARAMETERS = [
    OpenApiParameter("page", OpenApiTypes.INT, description=ApiPagination.page_query_description),
    OpenApiParameter(
        "page_size", OpenApiTypes.INT, description=ApiPagination.page_size_query_description
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
    """Every ordering ends on the primary key, so that pages never skip or repeat a row."""

    ordering_description = (
        "Ordinamento: nome del campo, preceduto da '-' per l'ordine decrescente; "
        "più campi separati da virgola."
    )

    def filter_queryset(self, request, queryset, view):
        queryset = super().filter_queryset(request, queryset, view)
        # Without ?ordering= a list comes in id order: the models' orderings sort through
        # up to five joins (a measurement by indicator, objective, plan, ambito name), which
        # at national scale sorted every row in scope on every page.
        ordering = list(queryset.query.order_by or ["pk"])
        if "pk" not in ordering and "-pk" not in ordering:
            ordering.append("pk")
        return queryset.order_by(*ordering)


class ScopedReadOnlyViewSet(ConditionalGetMixin, viewsets.ReadOnlyModelViewSet):
    """Subclasses only declare ``queryset``, ``serializer_class``, ``filterset_class``.

    The queryset always goes through ``restrict(user, "view")``: nobody filters by hand.
    """

    permission_classes = [IsAuthenticated, HasRoleInSomeAmbito]
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer, CSVRenderer]
    pagination_class = ApiPagination
    filter_backends = [DjangoFilterBackend, StableOrderingFilter]
    ordering_fields = ["id"]

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
