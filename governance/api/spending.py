"""GET /api/v1/governance/municipal-spending/summary/?ambito=<codice>&year=<anno>: the Comuni's
spesa sociale of one ambito and year as governance.selectors.municipal_spending_summary
computes it (per-Comune rows, classes, totals, KPIs or the reason each is missing)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError

from core.roles import VIEW

from ..models import Ambito
from ..selectors import municipal_spending_summary

YEARS = (1990, 2100)


def money(help_text):
    return serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True,
                                    help_text=help_text)


class SpendingRowSerializer(serializers.Serializer):
    municipality = serializers.IntegerField(help_text="Id del Comune.")
    name = serializers.CharField(help_text="Nome del Comune.")
    size_class = serializers.CharField(help_text="Classe demografica del PdZ (es. «> 5.000»); "
                                       "vuota se non determinabile.")
    size_class_label = serializers.CharField(help_text="Classe demografica per esteso.")
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
    size_class = serializers.CharField(help_text="Classe demografica del PdZ.")
    label = serializers.CharField(help_text="Classe per esteso.")
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
    missing = serializers.CharField(help_text="Perché non è calcolabile (vuoto se lo è).")


class SpendingKpisSerializer(serializers.Serializer):
    total = SpendingKpiFigureSerializer(help_text="Spesa sociale del distretto (€).")
    per_capita = SpendingKpiFigureSerializer(help_text="Spesa sociale pro capite (€).")
    associated_share = SpendingKpiFigureSerializer(help_text="Quota in gestione associata (%).")


class SpendingReconciliationSerializer(serializers.Serializer):
    label = serializers.CharField(help_text="La cifra come la nomina il documento.")
    source = serializers.CharField(help_text="Documento di origine.")
    printed = serializers.DecimalField(max_digits=18, decimal_places=4,
                                       help_text="Valore stampato.")
    computed = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True,
                                        help_text="Lo stesso calcolato dai dati.")
    unit = serializers.CharField(help_text="«eur» o «pct».")
    matches = serializers.BooleanField(help_text="Vero se coincidono alla precisione stampata.")
    missing = serializers.CharField(help_text="Perché non è calcolabile.")


class SpendingSummarySerializer(serializers.Serializer):
    ambito = serializers.CharField(help_text="Codice dell'ambito.")
    year = serializers.IntegerField(help_text="Anno.")
    rows = SpendingRowSerializer(many=True, help_text="Un elemento per Comune dell'ambito.")
    classes = SpendingClassSerializer(many=True, help_text="Totali per classe demografica.")
    totals = SpendingTotalsSerializer(help_text="Totali.")
    kpis = SpendingKpisSerializer(help_text="Indicatori calcolati o il motivo per cui non lo sono.")
    reconciliations = SpendingReconciliationSerializer(
        many=True, help_text="Cifre dei documenti di origine per l'anno, a confronto.")


SUMMARY_PARAMETERS = [
    OpenApiParameter("ambito", str, required=True,
                     description="Codice (slug) dell'ambito, es. «cremona»."),
    OpenApiParameter("year", {"type": "integer", "minimum": YEARS[0], "maximum": YEARS[1]},
                     required=True, description="Anno della spesa."),
]

summary_schema = extend_schema(
    summary="Spesa sociale dei Comuni: riepilogo e indicatori",
    description="Per un ambito e un anno: la spesa di ogni Comune (singola e associata), la "
    "popolazione, la classe demografica, il pro capite calcolato; i totali per classe; gli "
    "indicatori (spesa del distretto, pro capite, quota associata) calcolati dai dati o, se "
    "mancano dati, null con il motivo; il confronto con le cifre stampate nei documenti.",
    parameters=SUMMARY_PARAMETERS, filters=False, responses=SpendingSummarySerializer,
)


def summary_data(request):
    """The summary for the query's ambito and year; 400 naming a bad parameter, 404 for an
    ambito the user has no role in."""
    errors = {}
    slug = (request.query_params.get("ambito") or "").strip()
    if not slug:
        errors["ambito"] = ["Indicare il codice dell'ambito, es. ambito=cremona."]
    raw = (request.query_params.get("year") or "").strip()
    year = None
    if not raw:
        errors["year"] = ["Indicare l'anno, es. year=2018."]
    else:
        try:
            year = int(raw)
        except ValueError:
            errors["year"] = [f"«{raw}» non è un anno: scrivere ad esempio 2018."]
        else:
            if not YEARS[0] <= year <= YEARS[1]:
                errors["year"] = [f"L'anno deve essere tra {YEARS[0]} e {YEARS[1]}."]
    if errors:
        raise ValidationError(errors)
    ambito = Ambito.objects.restrict(request.user, VIEW).filter(slug=slug).first()
    if ambito is None:
        raise NotFound("Ambito non trovato, o fuori dagli ambiti in cui hai un ruolo.")
    return SpendingSummarySerializer(
        municipal_spending_summary(ambito=ambito, year=year).as_dict()).data
