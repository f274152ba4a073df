"""CSV for spreadsheets and scripts: the same rows and values as the JSON, flattened."""

import csv
import io
import json
import re

from rest_framework.renderers import BaseRenderer
from rest_framework.serializers import BaseSerializer, ListSerializer

from .dialects import BOM, decimal_columns, requested_dialect

# A cell starting with one of these is run as a formula by Excel and LibreOffice
# (CSV injection); a plain number such as "-12.50" is never a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"-?\d+([.,]\d+)?")


def cell(value):
    """The text of one CSV cell, as the JSON would show it."""
    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    return str(value)


def escape_formula(text):
    if text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def flatten(row, prefix=""):
    """Nested objects become dotted columns (``totali.preventivo``); lists stay one JSON cell."""
    flat = {}
    for key, value in row.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, f"{name}."))
        else:
            flat[name] = cell(value)
    return flat


def serializer_columns(serializer, prefix=""):
    """Column names of an empty list, so that a CSV with no rows still has its header."""
    columns = []
    for name, field in serializer.fields.items():
        if isinstance(field, BaseSerializer) and not isinstance(field, ListSerializer):
            columns += serializer_columns(field, f"{prefix}{name}.")
        else:
            columns.append(f"{prefix}{name}")
    return columns


def rows_of(data):
    if isinstance(data, dict) and isinstance(data.get("results"), list):
        return data["results"]
    if isinstance(data, list):
        return data
    return [data] if data is not None else []


def exploded(rows, key):
    """One row per item of the list ``key`` of each row (a history entry per changed field).

    The item's keys become columns beside the row's own; a row with no item stays one row.
    """
    for row in rows:
        items = row.get(key) or [{}]
        base = {name: value for name, value in row.items() if name != key}
        for item in items:
            yield {**base, **item}


def _serializer_of(data, view):
    results = rows_of(data)
    serializer = getattr(results, "serializer", None) or getattr(data, "serializer", None)
    if serializer is None and view is not None and hasattr(view, "get_serializer"):
        try:
            serializer = view.get_serializer()
        except Exception:  # noqa: BLE001 - decimals then keep their dot
            return None
    return serializer


class CSVRenderer(BaseRenderer):
    """The rows of a list (or the object of a detail) as CSV, in the dialect asked for.

    A view may name, per action, a list field to explode into one row per item
    (``csv_exploded = {"history": "changes"}``): history and change entries then come one
    row per changed field instead of a JSON cell.
    """

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        renderer_context = renderer_context or {}
        view = renderer_context.get("view")
        response = renderer_context.get("response")
        failed = response is not None and response.exception
        dialect = requested_dialect(None if failed else renderer_context.get("request"))
        explode = getattr(view, "csv_exploded", {}).get(getattr(view, "action", None))
        rows = rows_of(data)
        if explode:
            rows = exploded(rows, explode)
        rows = [flatten(row) if isinstance(row, dict) else {"valore": cell(row)} for row in rows]
        columns = list(dict.fromkeys(name for row in rows for name in row))
        if not columns:
            columns = self._empty_header(view, explode)
        numbers = decimal_columns(_serializer_of(data, view)) if dialect.decimal_comma else ()
        out = io.StringIO()
        if dialect.bom:
            out.write(BOM)
        writer = csv.writer(out, delimiter=dialect.delimiter, lineterminator="\r\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([
                escape_formula(dialect.number(row.get(name, "")) if name in numbers
                               else row.get(name, ""))
                for name in columns
            ])
        if response is not None and not failed and view is not None:
            name = getattr(view, "basename", None) or "export"
            response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return out.getvalue().encode(self.charset)

    @staticmethod
    def _empty_header(view, explode=None):
        if view is None or not hasattr(view, "get_serializer"):
            return []
        try:
            serializer = view.get_serializer()
            columns = serializer_columns(serializer)
            if explode and explode in columns:
                child = serializer.fields[explode].child
                at = columns.index(explode)
                columns[at:at + 1] = serializer_columns(child)
            return columns
        except Exception:  # noqa: BLE001 - a header is a courtesy, never an error
            return []
