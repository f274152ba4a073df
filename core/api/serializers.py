"""Serializer bases: every field carries a description for the OpenAPI schema."""

from rest_framework import serializers

from core import privacy

MONEY = {"max_digits": 16, "decimal_places": 2, "read_only": True}

# Relations are shown (and filtered) by id; most keep Django's English default verbose name.
RELATION_DESCRIPTIONS = {
    "ambito": "Identificativo dell'ambito.",
    "sub_ambito": "Identificativo del sub-ambito.",
    "municipality": "Identificativo del Comune.",
    "organisation": "Identificativo dell'ente.",
    "ente_capofila": "Identificativo dell'ente capofila.",
    "body": "Identificativo dell'organismo.",
    "document": "Identificativo del documento di origine.",
    "zone_plan": "Identificativo del Piano di Zona.",
    "plan": "Identificativo del Piano Operativo.",
    "operating_plan": "Identificativo del Piano Operativo.",
    "area": "Identificativo dell'area.",
    "objective": "Identificativo dell'obiettivo.",
    "action": "Identificativo dell'azione.",
    "section": "Identificativo della sezione di testo.",
    "channel": "Identificativo del canale di finanziamento.",
    "indicator": "Identificativo dell'indicatore.",
    "kpi": "Identificativo del KPI.",
    "approval": "Identificativo della delibera di approvazione.",
    "closing": "Identificativo della delibera di approvazione del consuntivo.",
}


def describe_model_field(model_field):
    if model_field.primary_key:
        return "Identificativo univoco."
    if model_field.is_relation and model_field.name in RELATION_DESCRIPTIONS:
        return RELATION_DESCRIPTIONS[model_field.name]
    text = str(model_field.verbose_name)
    return text[:1].upper() + text[1:] + "."


def _describe(kwargs, model_field):
    if not kwargs.get("help_text") and model_field is not None:
        kwargs["help_text"] = describe_model_field(model_field)
    return kwargs


class DescribedModelSerializer(serializers.ModelSerializer):
    """Model fields take their Italian verbose name as description when they have no help text.

    Every field is read-only: the API never writes.
    """

    def get_fields(self):
        fields = super().get_fields()
        # Personal data policy (core/privacy.py): restricted columns exist for every role.
        for spec in privacy.restricted_fields(self.Meta.model):
            source = {} if spec.source == spec.name else {"source": spec.source}
            fields[spec.name] = serializers.IntegerField(
                allow_null=True, help_text=spec.help_text, **source
            )
        # Flagged after construction: ``read_only`` as a kwarg would drop ``allow_blank``
        # and the schema would then refuse the empty choice these fields may hold.
        for field in fields.values():
            field.read_only = True
        return fields

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        user = getattr(request, "user", None)
        for spec in privacy.restricted_fields(self.Meta.model):
            if not privacy.may_see(user, instance, spec.roles):
                data[spec.name] = None
        return data

    def build_standard_field(self, field_name, model_field):
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        kwargs = _describe(kwargs, model_field)
        if field_name in privacy.public_names(self.Meta.model):
            kwargs["help_text"] = str(kwargs["help_text"]) + privacy.PUBLIC_NAME_NOTE
        return field_class, kwargs

    def build_relational_field(self, field_name, relation_info):
        field_class, kwargs = super().build_relational_field(field_name, relation_info)
        return field_class, _describe(kwargs, relation_info.model_field)


def money(help_text, **kwargs):
    """A computed amount: a decimal string with two places, never a float."""
    return serializers.DecimalField(help_text=help_text, **{**MONEY, **kwargs})


class TotalsSerializer(serializers.Serializer):
    """Totals annotated by the budget selectors (``total_preventivo``, ``total_consuntivo``)."""

    preventivo = money("Somma del preventivo delle righe di budget.", source="total_preventivo")
    consuntivo = money(
        "Somma del consuntivo delle righe di budget (le righe senza consuntivo contano zero).",
        source="total_consuntivo",
    )


class FieldChangeSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="Nome del campo modificato.")
    label = serializers.CharField(help_text="Descrizione del campo, in italiano.")
    old = serializers.CharField(allow_null=True, allow_blank=True,
                                help_text="Valore precedente (null se assente).")
    new = serializers.CharField(allow_null=True, allow_blank=True,
                                help_text="Nuovo valore (null se eliminato).")


class PersonNameField(serializers.CharField):
    """A person as a name for accountability, never an e-mail address."""

    def to_representation(self, value):
        return privacy.person_name(super().to_representation(value))


class ChangeSerializer(serializers.Serializer):
    """One recorded change: who, when, which fields from which value to which."""

    id = serializers.CharField(
        help_text="Identificativo univoco della modifica: tipo di oggetto e numero della "
        "registrazione (es. budget.budgetline:42), lo stesso nello storico dell'oggetto e "
        "nel registro delle modifiche."
    )
    history_id = serializers.IntegerField(
        help_text="Numero della registrazione nello storico del tipo di oggetto (si ripete "
        "fra tipi diversi: per identificare una modifica usare id)."
    )
    model = serializers.CharField(help_text="Tipo di oggetto (app.modello, es. budget.budgetline).")
    object_id = serializers.IntegerField(help_text="Identificativo dell'oggetto modificato.")
    ambito = serializers.IntegerField(
        allow_null=True, help_text="Identificativo dell'ambito a cui l'oggetto appartiene."
    )
    type = serializers.ChoiceField(
        choices=[("created", "creazione"), ("changed", "modifica"), ("deleted", "eliminazione")],
        help_text="Tipo di modifica.",
    )
    date = serializers.DateTimeField(help_text="Data e ora della modifica (ISO 8601).")
    user = PersonNameField(
        allow_null=True,
        help_text="Chi ha fatto la modifica (nome e cognome, o nome utente), visibile a ogni "
        "ruolo con accesso all'ambito; mai un indirizzo e-mail. Null per i caricamenti "
        "automatici.",
    )
    reason = serializers.CharField(
        allow_blank=True, help_text="Motivo dichiarato della modifica (può essere vuoto)."
    )
    changes = FieldChangeSerializer(
        many=True,
        help_text="Campi modificati, dal valore precedente al nuovo. Alla creazione tutti i campi "
        "valorizzati; all'eliminazione tutti i campi verso null.",
    )


class ChangePageSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Numero totale di modifiche.")
    next = serializers.URLField(allow_null=True, help_text="Pagina successiva, se esiste.")
    previous = serializers.URLField(allow_null=True, help_text="Pagina precedente, se esiste.")
    results = ChangeSerializer(many=True, help_text="Le modifiche di questa pagina.")


def ambito_field(source):
    """The ambito id of an object that reaches its ambito through a parent (select_related it)."""
    return serializers.IntegerField(
        source=source, read_only=True, help_text="Identificativo dell'ambito."
    )


def related_text(source, help_text):
    """A label of a related object shown next to its id (select_related it)."""
    return serializers.CharField(
        source=source, read_only=True, allow_null=True, help_text=help_text
    )
