"""Full CSV exports: every row a user may see, in one streamed response, without pages.

The paginated lists (``?format=csv``) build each page in memory and cost one request per
1,000 rows; a national auditor pulling two million budget lines wants one file. These views
stream it, memory bounded whatever the size:

- on PostgreSQL the database writes the CSV itself: the view's own scoped, filtered SELECT
  run as one ``COPY (...) TO STDOUT WITH CSV``, streamed through a bounded queue
  (``copy_chunks``);
- elsewhere (SQLite), or when a column has a type whose text COPY writes differently from
  ``csv`` (booleans, floats, datetimes), one query through a server-side cursor
  (``values_list(...).iterator()``) and ``csv.writer``.

Both write the same bytes for the same rows (the tests compare them): ``csv``'s minimal
quoting, ``\r\n`` after each row (newlines inside a quoted cell kept as they are), an empty
string written as an empty cell like a NULL.

The columns, their names and their values are those of the paginated CSV of the same list
(amounts as decimal strings with a dot, ``"1234.50"``; dates ISO 8601; text cells starting
with ``= + - @`` preceded by an apostrophe), so a script can switch from one to the other.
"""

import csv
import hashlib
import io
import queue
import threading
from decimal import Decimal
from itertools import islice

from django.apps import apps
from django.core.exceptions import EmptyResultSet
from django.db import connections, models, transaction
from django.db.models import Case, CharField, Count, F, Max, Q, TextField, Value, When
from django.db.models.constants import LOOKUP_SEP
from django.db.models.functions import Cast, Concat, NullIf
from django.http import HttpResponseNotModified, StreamingHttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.http import parse_etags
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from budget.filtersets import BudgetLineFilterSet
from budget.models import BudgetLine
from budget.selectors import lines_with_approved_preventivo
from classification.selectors import EffectiveCodes
from core.api.dialects import BOM, STANDARD, requested_dialect
from core.api.renderers import CSVRenderer
from core.api.schema import ApiAutoSchema
from core.api.strict import StrictFilterBackend, StrictQueryMixin
from core.api.viewsets import HasRoleInSomeAmbito
from core.roles import VIEW
from core.scoping import grants_for
from indicators.filtersets import MeasurementFilterSet
from indicators.models import OBJECTIVE_AMBITO, Measurement
from objectives.models import PLAN_AMBITO

# Rows fetched per round trip of the server-side cursor and written per chunk of the body:
# large enough that the per-chunk overhead vanishes, small enough to stay a few MB.
CHUNK_ROWS = 5000
# PostgreSQL's COPY hands the body over in pieces of about PIECE_BYTES, at most
# QUEUE_PIECES of them waiting for the client: a few MB per export, whatever its size.
PIECE_BYTES = 1 << 20
QUEUE_PIECES = 4
# The statement timeout of an export's single COPY (the web process's is 30 s).
EXPORT_STATEMENT_TIMEOUT = "30min"


class CsvOnly(BaseContentNegotiation):
    """The export is a file: always CSV, whatever ``Accept`` asks (errors are JSON, below)."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class ExportSchema(ApiAutoSchema):
    def get_override_parameters(self):
        # ``format`` chooses between JSON and CSV on the lists; an export is only CSV.
        return [p for p in super().get_override_parameters()
                if getattr(p, "name", None) != "format"]


def csv_header(header, dialect=STANDARD):
    out = io.StringIO()
    if dialect.bom:
        out.write(BOM)
    csv.writer(out, delimiter=dialect.delimiter, lineterminator="\r\n").writerow(header)
    return out.getvalue().encode("utf-8")


def csv_chunks(header, rows, dialect=STANDARD):
    """The CSV body, ``CHUNK_ROWS`` rows per bytes chunk: the header first, then the rows.

    Rows go to ``csv.writer`` as the cursor returns them, with no Python step per row:
    escaping and the text of the amounts are done by the query (``escaped``, ``as_text``).
    """
    yield csv_header(header, dialect)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=dialect.delimiter, lineterminator="\r\n")
    rows = iter(rows)
    for chunk in iter(lambda: list(islice(rows, CHUNK_ROWS)), []):
        out.seek(0)
        out.truncate()
        writer.writerows(chunk)
        yield out.getvalue().encode("utf-8")


class _Pipe:
    """The file COPY writes into, in the COPY thread: pieces of whole rows, bounded queue.

    psycopg2 calls ``write`` once per row, so every piece ends at the end of a row (what
    ``crlf_rows`` needs). The rows are converted here, in the COPY thread: the reader's
    thread only waits on the queue and hands pieces on, so the two seldom want the GIL
    at once. Once the reader has gone (``closed``), rows are dropped.
    """

    def __init__(self):
        self.queue = queue.Queue(QUEUE_PIECES)
        self.closed = threading.Event()
        self.parts, self.size = [], 0

    def write(self, data):
        self.parts.append(data)
        self.size += len(data)
        if self.size >= PIECE_BYTES:
            self.flush()

    def flush(self):
        if self.parts:
            self.put(crlf_rows(b"".join(self.parts)))
            self.parts, self.size = [], 0

    def put(self, item):
        while not self.closed.is_set():
            try:
                self.queue.put(item, timeout=0.1)
                return
            except queue.Full:
                continue
        self.parts, self.size = [], 0


_DONE = object()


def copy_chunks(header, rows):
    """The CSV body written by PostgreSQL: the header, then one streamed COPY statement.

    ``rows`` is the ``values_list`` of the view. The whole file is one
    ``COPY (<rows>) TO STDOUT WITH CSV``: one plan, one pass over the joins (issue 22:
    keyset chunks of 50,000 rows re-hashed the actions and objectives for each chunk, the
    export ran at 0.30 x a plain COPY of the same columns). psycopg2's ``copy_expert``
    blocks until the end, so it runs in a thread writing into a bounded queue
    (``_Pipe``: at most ``QUEUE_PIECES`` pieces of ``PIECE_BYTES``) that this generator
    empties as the client reads; a slow client holds the COPY back, memory stays bounded.

    The body runs after the view has returned (its ATOMIC_REQUESTS transaction committed),
    in its own transaction (a savepoint inside an outer one, as in the tests). One
    statement is one snapshot. The web process's statement timeout (30 s, wsgi.py) would
    cut a long download: it is raised to ``EXPORT_STATEMENT_TIMEOUT`` for this transaction
    only (``SET LOCAL``; 2 M budget lines take ~20 s of COPY on the bench machine, more
    with a slow client). A client that goes away closes this generator: the COPY is
    cancelled on the server, the thread joined and the transaction rolled back.
    """
    yield csv_header(header)
    connection = connections[rows.db]
    try:
        sql, params = rows.query.get_compiler(using=rows.db).as_sql()
    except EmptyResultSet:  # a filter no row can match (e.g. an empty id list)
        return
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL statement_timeout = '{EXPORT_STATEMENT_TIMEOUT}'")
        # Django's connections speak UTF-8; the query log counts copy_expert too.
        select = cursor.mogrify(sql, params).decode("utf-8")
        pipe, failure = _Pipe(), []

        def copy():
            try:
                cursor.copy_expert(f"COPY ({select}) TO STDOUT WITH CSV", pipe)
                pipe.flush()
            except BaseException as error:  # handed to the reader, raised there
                failure.append(error)
            pipe.put(_DONE)

        thread = threading.Thread(target=copy, name="csv-export-copy", daemon=True)
        thread.start()
        try:
            while (piece := pipe.queue.get()) is not _DONE:
                yield piece
        finally:
            pipe.closed.set()
            if thread.is_alive():
                connection.connection.cancel()  # the reader left: stop the server's COPY
            thread.join()
        if failure:
            raise failure[0]


def crlf_rows(data):
    """COPY's CSV as ``csv.writer`` writes it: rows ended by ``\r\n`` instead of ``\n``.

    Both leave a newline inside a quoted cell as it is. A quote inside a cell is doubled,
    so the text outside quotes is every other piece of ``data.split(b'"')``: there, and
    only there, each ``\n`` ends a row.
    """
    parts = data.split(b'"')  # an odd number of pieces: the quotes come in pairs
    parts[::2] = [piece.replace(b"\n", b"\r\n") for piece in parts[::2]]
    return b'"'.join(parts)


# The rule of renderers.escape_formula, evaluated by the database (PostgreSQL and SQLite
# both know ``regex``): text starting with = + - @ tab or CR gets an apostrophe, unless it
# is a plain number such as "-12.50".
_FORMULA_START = r"^[-=+@\t\r]"
_PLAIN_NUMBER = r"^-?[0-9]+(\.[0-9]+)?$"


def escaped(path):
    formula = Q(**{f"{path}__regex": _FORMULA_START}) & ~Q(**{f"{path}__regex": _PLAIN_NUMBER})
    return Case(When(formula, then=Concat(Value("'"), F(path))), default=F(path),
                output_field=CharField())


def _field(queryset, path):
    """The model field (or annotation) a column path of ``queryset`` ends on."""
    if path in queryset.query.annotations:
        return queryset.query.annotations[path].output_field
    opts = queryset.model._meta
    for name in path.split(LOOKUP_SEP):
        field = opts.pk if name == "pk" else opts.get_field(name)
        if field.is_relation:
            opts = field.related_model._meta
    return field.target_field if field.is_relation else field


def _copy_writes_as_csv(field):
    """COPY's text of this type is ``str()`` of the value psycopg2 returns."""
    return isinstance(field, models.IntegerField | models.AutoField) or (
        isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField))


class StreamingCsvExport(StrictQueryMixin, generics.ListAPIView):
    """A read-only, scoped, filtered, throttled list streamed as one CSV file.

    Subclasses declare ``queryset``, ``filterset_class``, ``columns`` (CSV header -> ORM
    path or annotation of the queryset; the first one ``"pk"`` for COPY's keyset chunks),
    ``text_columns`` (free text, escaped), ``decimal_columns`` and ``filename``.
    """

    permission_classes = generics.ListAPIView.permission_classes + [HasRoleInSomeAmbito]
    renderer_classes = [CSVRenderer]
    content_negotiation_class = CsvOnly
    filter_backends = [StrictFilterBackend]
    pagination_class = None
    schema = ExportSchema()
    columns = {}
    text_columns = ()
    decimal_columns = ()
    filename = "export"
    # The models whose recorded changes may change a row's values (fingerprint, the ETag).
    history_models = ()
    use_copy = True  # on PostgreSQL, when the columns allow it (``rows``)

    def get_queryset(self):
        return self.queryset.restrict(self.request.user, VIEW)

    def rows(self):
        """The rows as value tuples, in id order (stable, the order of the paginated list).

        Sets ``self.by_copy``: whether PostgreSQL can write these rows (``copy_chunks``).
        """
        queryset = self.filter_queryset(self.get_queryset())
        # PostgreSQL writes a numeric as the API does ("1234.50"): as text it skips the
        # Decimal objects psycopg2 would build and csv would turn back into text. COPY
        # writes '' as "" and NULL as nothing where csv writes both as nothing: NULLIF.
        postgresql = connections[queryset.db].vendor == "postgresql"
        by_copy = postgresql and self.use_copy and list(self.columns.values())[:1] == ["pk"]
        select, computed, self.places = [], {}, {}
        for index, (name, path) in enumerate(self.columns.items()):
            expression, field = None, _field(queryset, path)
            text = isinstance(field, CharField | TextField)
            if name in self.text_columns:
                expression, text = escaped(path), True
            elif name in self.decimal_columns and postgresql:
                expression, text = Cast(path, TextField()), False
            elif name in self.decimal_columns:
                # An amount computed by the query has a DecimalField without places: cents.
                places = 2 if field.decimal_places is None else field.decimal_places
                self.places[index] = Decimal(1).scaleb(-places)
            if postgresql and text:
                # Stated output: a text annotation (TextField) beside Value("") (CharField)
                # is otherwise refused by Django as mixed types.
                expression = NullIf(expression or F(path), Value(""), output_field=TextField())
            elif expression is None and not _copy_writes_as_csv(field):
                by_copy = False
            if expression is not None:
                computed[f"csv_{name}"] = expression
            select.append(f"csv_{name}" if expression is not None else path)
        self.by_copy = by_copy
        return queryset.annotate(**computed).order_by("pk").values_list(*select)

    def list(self, request, *args, **kwargs):
        rows = self.rows()  # filters are validated here: a bad one is a 400 before streaming
        dialect = requested_dialect(request)
        count, etag = self.fingerprint(rows)
        if etag in parse_etags(request.headers.get("If-None-Match", "")):
            response = HttpResponseNotModified()
        else:
            header = list(self.columns)
            if self.by_copy and dialect is STANDARD:
                body = copy_chunks(header, rows)
            else:
                body = csv_chunks(header, self.localized(
                    self.rounded(rows.iterator(chunk_size=CHUNK_ROWS)), dialect), dialect)
            response = StreamingHttpResponse(body, content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{self.filename}.csv"'
            response["X-Total-Count"] = str(count)
        response["ETag"] = etag
        # Per user: no shared cache keeps it; the client revalidates with If-None-Match.
        response["Cache-Control"] = "private, no-cache"
        patch_vary_headers(response, ("Authorization", "Cookie"))
        return response

    def fingerprint(self, rows):
        """The row count, and a weak ETag of what the file would hold, before writing it.

        The file is streamed, so its bytes cannot be hashed before they are sent: the tag
        is made of the request (path, parameters, dialect, the ambiti the user sees), the
        number and the highest id of the rows, and the last recorded change (created,
        changed or deleted, in the history) of every table whose values the rows show
        (``history_models``). Any change made through the application, the admin or an
        import changes it; a file with the same tag has the same rows and values.
        """
        summary = rows.order_by().aggregate(count=Count("pk"), last=Max("pk"))
        changes = [
            apps.get_model(label).history.aggregate(at=Max("history_date"))["at"]
            for label in self.history_models
        ]
        ambiti = sorted(grants_for(self.request.user).ambiti())
        key = repr((self.request.get_full_path(), self.request.user.pk, ambiti,
                    summary["count"], summary["last"],
                    [at.isoformat() if at else None for at in changes]))
        return summary["count"], f'W/"{hashlib.sha256(key.encode()).hexdigest()[:40]}"'

    def localized(self, rows, dialect):
        """The amounts with a decimal comma, for the dialects that want one."""
        if not dialect.decimal_comma:
            return rows
        columns = list(self.columns)
        places = [columns.index(name) for name in self.decimal_columns]
        return (tuple(dialect.number(str(value)) if i in places and value is not None
                      else value for i, value in enumerate(row)) for row in rows)

    def rounded(self, rows):
        """SQLite returns a computed decimal (``approved_preventivo``) with up to 15 digits
        ("10.0500000000000"): rounded here to the places of its field, as the API shows it."""
        if not self.places:
            return rows
        places = self.places
        return (tuple(value.quantize(places[i]) if i in places and value is not None
                      else value for i, value in enumerate(row)) for row in rows)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if isinstance(response, Response):
            # Only refusals and bad filters get here (the rows never do): a structured error.
            response.accepted_renderer = JSONRenderer()
            response.accepted_media_type = JSONRenderer.media_type
        return response


EXPORT_DESCRIPTION = (
    "Tutte le righe che puoi vedere, in un unico file CSV trasmesso man mano (nessuna "
    "paginazione), con le stesse colonne e gli stessi valori di `?format=csv` dell'elenco: "
    "importi come stringhe decimali con il punto (\"1234.50\"), date AAAA-MM-GG, celle di "
    "testo che iniziano con = + - @ precedute da un apice. Stessi filtri dell'elenco; "
    "ordinate per id. Con dialect=excel-it: punto e virgola, virgola decimale, BOM UTF-8. "
    "L'intestazione X-Total-Count dà il numero di righe; ETag (debole) cambia a ogni modifica "
    "registrata dei dati esportati: con If-None-Match uguale la risposta è 304 senza corpo."
)
CSV_FILE = OpenApiResponse(
    response=OpenApiTypes.STR,
    description="File CSV UTF-8 con intestazione, una riga per oggetto.",
)
EXPORT_HEADERS = [
    OpenApiParameter("X-Total-Count", OpenApiTypes.INT, OpenApiParameter.HEADER, response=[200],
                     description="Numero di righe del file."),
    OpenApiParameter("ETag", OpenApiTypes.STR, OpenApiParameter.HEADER, response=[200, 304],
                     description="Etichetta del contenuto, da rimandare in If-None-Match."),
]


@extend_schema(
    summary="Esportazione completa: righe di budget (CSV)",
    description=EXPORT_DESCRIPTION,
    parameters=EXPORT_HEADERS,
    responses={(200, "text/csv"): CSV_FILE},
)
class BudgetLineExportView(StreamingCsvExport):
    """Every budget line the user may see, with the columns of the budget-lines list."""

    # Every line is read: variations and codes pre-grouped once and joined (issue 22), not
    # looked up by a subquery per line (4.6 of 6.9 s at 60 ambiti).
    queryset = lines_with_approved_preventivo(BudgetLine.objects.all(), grouped=True).annotate(
        area_utenza=EffectiveCodes("area_utenza", grouped=True))
    filterset_class = BudgetLineFilterSet
    filename = "righe-di-budget"
    history_models = ("budget.BudgetLine", "budget.Variation", "budget.FundingChannel",
                      "objectives.Action", "objectives.Objective", "objectives.OperatingPlan",
                      "objectives.ZonePlan", "classification.Assignment")
    columns = {
        "id": "pk",
        "ambito": "action__objective__" + PLAN_AMBITO,
        "plan": "action__objective__plan",
        "year": "action__objective__plan__year",
        "objective": "action__objective",
        "objective_number": "action__objective__number",
        "objective_title": "action__objective__title",
        "action": "action",
        "action_number": "action__number",
        "action_title": "action__title",
        "item": "item",
        "note": "note",
        "channel": "channel",
        "channel_code": "channel__code",
        "preventivo": "preventivo",
        "approved_preventivo": "approved_preventivo",  # annotated by the queryset
        "consuntivo": "consuntivo",
        "source_note": "source_note",
        "position": "position",
        "area_utenza": "area_utenza",  # annotated: the effective codes with their shares
    }
    text_columns = ("objective_title", "action_title", "item", "note", "channel_code",
                    "source_note")
    decimal_columns = ("preventivo", "approved_preventivo", "consuntivo")


@extend_schema(
    summary="Esportazione completa: rilevazioni (CSV)",
    description=EXPORT_DESCRIPTION,
    parameters=EXPORT_HEADERS,
    responses={(200, "text/csv"): CSV_FILE},
)
class MeasurementExportView(StreamingCsvExport):
    """Every measurement the user may see, with the columns of the measurements list."""

    queryset = Measurement.objects.all()
    filterset_class = MeasurementFilterSet
    filename = "rilevazioni"
    history_models = ("indicators.Measurement", "indicators.Indicator",
                      "objectives.Objective", "objectives.OperatingPlan", "objectives.ZonePlan")
    columns = {
        "id": "pk",
        "ambito": "indicator__" + OBJECTIVE_AMBITO,
        "objective": "indicator__objective",
        "objective_number": "indicator__objective__number",
        "indicator": "indicator",
        "indicator_name": "indicator__name",
        "indicator_kind": "indicator__kind",
        "period_end": "period_end",
        "state": "state",
        "value": "value",
        "text_value": "text_value",
        "note": "note",
    }
    text_columns = ("indicator_name", "text_value", "note")
    decimal_columns = ("value",)
