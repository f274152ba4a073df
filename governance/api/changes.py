"""The feed of every change in the ambiti a user sees, for auditors who pull it incrementally."""

import re

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer

from core import history
from core.api.conditional import ConditionalGetMixin
from core.api.pagination import CURSOR_ERROR, CURSOR_PATTERN, ApiPagination
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
    """The feed's cursor is the id of the last change received (``budget.budgetline:42``).

    The feed continues after that change's place in its order (date, model, history id). A
    new change comes after every change already recorded, so a client resuming from the
    last id it has gets what was left and then only what is new.
    """

    cursor_query_description = (
        "Scorrimento per cursore (alternativo a page): vuoto per la prima pagina, poi il "
        "valore nel link «next», che è l'id dell'ultima modifica ricevuta (es. "
        "budget.budgetline:42): si può riprendere da qualsiasi id già ricevuto, anche "
        "giorni dopo. Voci in ordine di data, tipo di oggetto e registrazione, nessun "
        "totale. Un id che non è nel proprio registro dà 404."
    )

    @property
    def cursor_schema(self):
        labels = "|".join(re.escape(label) for label in history.audited_models())
        return {"type": "string", "pattern": f"^(({labels}):{CURSOR_PATTERN})?$"}

    def decode_cursor(self, value):
        if not value:
            return None
        label, _, number = value.partition(":")
        if label not in history.audited_models() or not re.fullmatch(CURSOR_PATTERN, number):
            raise ValidationError({"cursor": [CURSOR_ERROR]})
        position = history.feed_position(user=self.request.user, label=label,
                                         history_id=int(number))
        if position is None:
            raise NotFound("Cursore: modifica inesistente o fuori dagli ambiti in cui hai un "
                           "ruolo. Usa cursor= vuoto per ricominciare.")
        return position

    def rows_after(self, queryset, after, view):
        return queryset if after is None else view.feed(after=after)

    def cursor_key(self, row):
        date, label, history_id = history.feed_key(row)
        return history.change_id(label, history_id)


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
    # In CSV, one row per changed field (renderers.exploded), not a JSON cell of changes.
    csv_exploded = {"list": "changes"}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return Ambito.objects.none()
        return self.feed()

    def feed(self, after=None):
        # An empty value counts as absent, as everywhere in the API.
        given = {key: value for key, value in self.request.query_params.items() if value != ""}
        params = ChangeFeedQuerySerializer(data=given)
        params.is_valid(raise_exception=True)
        return history.change_feed(user=self.request.user, after=after, **params.validated_data)

    @extend_schema(summary="Modifiche negli ambiti", parameters=[ChangeFeedQuerySerializer])
    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        data = ChangeSerializer(history.expand_changes(page), many=True).data
        return self.get_paginated_response(data)
