"""GET /api/v1/governance/municipal-spending/summary/?ambito=<codice>&year=<anno>: the Comuni's
spesa sociale of one ambito and year as governance.selectors.municipal_spending_summary
computes it (per-Comune rows, classes, totals, KPIs or the reason each is missing)."""

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError

from core.roles import VIEW

from ..models import Ambito
from ..selectors import municipal_spending_summary, spending_years

YEARS = (1990, 2100)


def text(help_text):
    return serializers.CharField(allow_blank=True, help_text=help_text)


def money(help_text):
    return serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True,
                                    help_text=help_text)


class SpendingRowSerializer(serializers.Serializer):
    municipality = serializers.IntegerField(help_text="Id del Comune.")
    name = text("Nome del Comune.")
    size_class = text("Classe demografica del PdZ (es. «> 5.000»); "
                                       "vuota se non determinabile.")
    size_class_label = text("Classe demografica per esteso.")
    size_class_derived = serializers.BooleanField(
        help_text="Vero se la classe è ricavata dalla popolazione dell'anno.")
    population = serializers.IntegerField(allow_null=True,
                                          help_text="Popolazione residente dell'anno.")
    amount = money("Spesa sociale totale del Comune (null: non registrata).")
    amount_single = money("Di cui in gestione singola (null: non dichiarata).")
    amount_associated = money("Di cui in gestione associata (null: non dichiarata).")
    per_capita = money("Pro capite calcolato sulla popolazione dell'anno.")
    per_capita_printed = money("Pro capite come stampato dalla fonte (nota).")


class SpendingClassSerializer(serializers.Serializer):
    size_class = text("Classe demografica del PdZ.")
    label = text("Classe per esteso.")
    count = serializers.IntegerField(help_text="Numero di Comuni della classe.")
    amount = money("Spesa della classe (null se manca un Comune).")
    population = serializers.IntegerField(allow_null=True, help_text="Popolazione della classe.")
    per_capita = money("Pro capite della classe.")


class SpendingTotalsSerializer(serializers.Serializer):
    amount = money("Spesa sociale del distretto (null se non calcolabile).")
    recorded_amount = money("Somma dei soli Comuni registrati.")
    amount_single = money("Somma della gestione singola dichiarata.")
    amount_associated = money("Somma della gestione associata dichiarata.")
    population = serializers.IntegerField(allow_null=True, help_text="Popolazione dell'ambito.")


class SpendingKpiFigureSerializer(serializers.Serializer):
    value = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True,
                                     help_text="Valore (null se non calcolabile).")
    missing = text("Perché non è calcolabile (vuoto se lo è).")


class SpendingKpisSerializer(serializers.Serializer):
    total = SpendingKpiFigureSerializer(help_text="Spesa sociale del distretto (€).")
    per_capita = SpendingKpiFigureSerializer(help_text="Spesa sociale pro capite (€).")
    associated_share = SpendingKpiFigureSerializer(help_text="Quota in gestione associata (%).")


class SpendingReconciliationSerializer(serializers.Serializer):
    label = text("La cifra come la nomina il documento.")
    source = text("Documento di origine.")
    printed = serializers.DecimalField(max_digits=18, decimal_places=4,
                                       help_text="Valore stampato.")
    computed = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True,
                                        help_text="Lo stesso calcolato dai dati.")
    unit = text("«eur» o «pct».")
    matches = serializers.BooleanField(help_text="Vero se coincidono alla precisione stampata.")
    missing = text("Perché non è calcolabile.")


class SpendingSummarySerializer(serializers.Serializer):
    ambito = text("Codice dell'ambito.")
    year = serializers.IntegerField(help_text="Anno.")
    rows = SpendingRowSerializer(many=True, help_text="Un elemento per Comune dell'ambito.")
    classes = SpendingClassSerializer(many=True, help_text="Totali per classe demografica.")
    totals = SpendingTotalsSerializer(help_text="Totali.")
    kpis = SpendingKpisSerializer(help_text="Indicatori calcolati o il motivo per cui non lo sono.")
    reconciliations = SpendingReconciliationSerializer(
        many=True, help_text="Cifre dei documenti di origine per l'anno, a confronto.")


class SpendingNotFoundSerializer(serializers.Serializer):
    detail = text("Il motivo.")


SUMMARY_PARAMETERS = [
    OpenApiParameter("ambito", str,
                     description="Codice (slug) dell'ambito, es. «cremona»; facoltativo per "
                     "chi ha un ruolo in un solo ambito."),
    OpenApiParameter("year", {"type": "integer", "minimum": YEARS[0], "maximum": YEARS[1]},
                     description="Anno della spesa; se manca, l'ultimo con dati di spesa."),
]

summary_schema = extend_schema(
    summary="Spesa sociale dei Comuni: riepilogo e indicatori",
    description="Per un ambito e un anno: la spesa di ogni Comune (singola e associata), la "
    "popolazione, la classe demografica, il pro capite calcolato; i totali per classe; gli "
    "indicatori (spesa del distretto, pro capite, quota associata) calcolati dai dati o, se "
    "mancano dati, null con il motivo; il confronto con le cifre stampate nei documenti.",
    parameters=SUMMARY_PARAMETERS, filters=False,
    responses={200: SpendingSummarySerializer, 404: OpenApiResponse(
        SpendingNotFoundSerializer,
        description="Ambito inesistente o fuori dagli ambiti in cui hai un ruolo.")},
)


def summary_data(request):
    """The summary for the query's ambito and year; 400 naming a bad or missing parameter,
    404 for an ambito the user has no role in.

    ``ambito`` may be left out by who has a role in one ambito only; ``year`` defaults to
    the last year with a Comune's spending or a printed spending KPI of the ambito.
    """
    slug = (request.query_params.get("ambito") or "").strip()
    raw = (request.query_params.get("year") or "").strip()
    year = None
    if raw:
        try:
            year = int(raw)
        except ValueError:
            raise ValidationError({"year": [
                f"«{raw}» non è un anno: scrivere ad esempio 2018."]}) from None
        if not YEARS[0] <= year <= YEARS[1]:
            raise ValidationError({"year": [f"L'anno deve essere tra {YEARS[0]} e {YEARS[1]}."]})
    visible = Ambito.objects.restrict(request.user, VIEW)
    if slug:
        ambito = visible.filter(slug=slug).first()
        if ambito is None:
            raise NotFound("Ambito non trovato, o fuori dagli ambiti in cui hai un ruolo.")
    else:
        ambiti = list(visible.order_by("slug")[:2])
        if len(ambiti) != 1:
            raise ValidationError({"ambito": [
                "Indicare il codice dell'ambito, es. ambito=cremona: hai un ruolo in più "
                "ambiti."]})
        ambito = ambiti[0]
    if year is None:
        years = spending_years(ambito=ambito)
        if not years:
            raise ValidationError({"year": [
                f"Indicare l'anno: per l'{ambito.name} non c'è ancora alcun dato di spesa."]})
        year = years[-1]
    return SpendingSummarySerializer(
        municipal_spending_summary(ambito=ambito, year=year).as_dict()).data
