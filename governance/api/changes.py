"""The feed of every change in the ambiti a user sees, for auditors who pull it incrementally."""

import datetime

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer

from core import history
from core.api.conditional import ConditionalGetMixin
from core.api.pagination import CURSOR_ERROR, ApiPagination, decode_raw_cursor
from core.api.renderers import CSVRenderer
from core.api.serializers import ChangeSerializer
from core.api.strict import StrictQueryMixin
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
        labels = list(history.audited_models())
        self.fields["model"].choices = labels
        self.fields["model"].error_messages["invalid_choice"] = (
            "«{input}» non è un tipo di oggetto del registro. Valori ammessi: "
            + ", ".join(labels) + "."
        )


class ChangeFeedPagination(ApiPagination):
    """The feed's cursor stands on (date, model, history id), the order of the feed.

    A new change comes after every change already recorded, so a client resuming from the
    ``next`` of its last pull gets what was left and then only what is new.
    """

    cursor_query_description = (
        "Scorrimento per cursore (alternativo a page): vuoto per la prima pagina, poi il "
        "valore nel link «next». Voci in ordine di data, tipo di oggetto e registrazione, "
        "nessun totale; per riprendere un aggiornamento incrementale, conservare l'ultimo "
        "link «next» ricevuto."
    )

    def decode_cursor(self, value):
        after = decode_raw_cursor(value)
        if after is None:
            return None
        try:
            date, label, history_id = after
            date = datetime.datetime.fromisoformat(date)
            if not (isinstance(label, str) and isinstance(history_id, int)) or (
                    date.tzinfo is None):
                raise TypeError
        except (TypeError, ValueError):
            raise ValidationError({"cursor": [CURSOR_ERROR]}) from None
        return date, label, history_id

    def rows_after(self, queryset, after, view):
        return queryset if after is None else view.feed(after=after)

    def cursor_key(self, row):
        date, label, history_id = history.feed_key(row)
        return [date.isoformat(), label, history_id]


class ChangeFeedViewSet(StrictQueryMixin, ConditionalGetMixin, viewsets.GenericViewSet):
    """Registro delle modifiche di tutti i dati negli ambiti visibili, dalla più vecchia.

    Ogni voce dice chi, quando e quali campi sono passati da quale valore a quale.
    I nomi utente e gli indirizzi e-mail non sono mai esposti.
    """

    permission_classes = [IsAuthenticated, HasRoleInSomeAmbito]
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer, CSVRenderer]
    pagination_class = ChangeFeedPagination
    serializer_class = ChangeSerializer
    scope_model = Ambito
    filter_backends = []
    extra_query_parameters = ("since", "ambito", "model")

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return Ambito.objects.none()
        return self.feed()

    def feed(self, after=None):
        params = ChangeFeedQuerySerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        return history.change_feed(user=self.request.user, after=after, **params.validated_data)

    @extend_schema(summary="Modifiche negli ambiti", parameters=[ChangeFeedQuerySerializer])
    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        data = ChangeSerializer(history.expand_changes(page), many=True).data
        return self.get_paginated_response(data)
