"""The feed of every change in the ambiti a user sees, for auditors who pull it incrementally."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer

from core import history
from core.api.conditional import ConditionalGetMixin
from core.api.pagination import ApiPagination
from core.api.renderers import CSVRenderer
from core.api.serializers import ChangeSerializer
from core.api.viewsets import HasRoleInSomeAmbito
from governance.models import Ambito


class ChangeFeedQuerySerializer(serializers.Serializer):
    since = serializers.DateTimeField(
        required=False,
        help_text="Solo le modifiche da questo istante in poi (ISO 8601, es. "
        "2026-01-31T00:00:00+01:00). Per un aggiornamento incrementale, passare la data "
        "dell'ultima modifica già ricevuta.",
    )
    ambito = serializers.SlugField(
        required=False, help_text="Codice dell'ambito (es. cremasco); senza, tutti i propri."
    )
    model = serializers.ChoiceField(
        choices=[], required=False, help_text="Solo un tipo di oggetto (app.modello)."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["model"].choices = list(history.audited_models())


class ChangeFeedViewSet(ConditionalGetMixin, viewsets.GenericViewSet):
    """Registro delle modifiche di tutti i dati negli ambiti visibili, dalla più vecchia.

    Ogni voce dice chi, quando e quali campi sono passati da quale valore a quale.
    I nomi utente e gli indirizzi e-mail non sono mai esposti.
    """

    permission_classes = [IsAuthenticated, HasRoleInSomeAmbito]
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer, CSVRenderer]
    pagination_class = ApiPagination
    serializer_class = ChangeSerializer
    scope_model = Ambito
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return Ambito.objects.none()
        params = ChangeFeedQuerySerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        return history.change_feed(user=self.request.user, **params.validated_data)

    @extend_schema(summary="Modifiche negli ambiti", parameters=[ChangeFeedQuerySerializer])
    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        data = ChangeSerializer(history.expand_changes(page), many=True).data
        return self.get_paginated_response(data)
