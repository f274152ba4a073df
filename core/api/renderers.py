"""CSV for spreadsheets and scripts: the same rows and values as the JSON, flattened."""

import csv
import io
import json
import re

from rest_framework.renderers import BaseRenderer
from rest_framework.serializers import BaseSerializer, ListSerializer

# A cell starting with one of these is run as a formula by Excel and LibreOffice
# (CSV injection); a plain number such as "-12.50" is never a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")


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


class CSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        renderer_context = renderer_context or {}
        rows = [flatten(row) if isinstance(row, dict) else {"valore": cell(row)}
                for row in rows_of(data)]
        columns = list(dict.fromkeys(name for row in rows for name in row))
        if not columns:
            columns = self._empty_header(renderer_context.get("view"))
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([escape_formula(row.get(name, "")) for name in columns])
        response = renderer_context.get("response")
        view = renderer_context.get("view")
        if response is not None and not response.exception and view is not None:
            name = getattr(view, "basename", None) or "export"
            response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return out.getvalue().encode(self.charset)

    @staticmethod
    def _empty_header(view):
        if view is None or not hasattr(view, "get_serializer"):
            return []
        try:
            return serializer_columns(view.get_serializer())
        except Exception:  # noqa: BLE001 - a header is a courtesy, never an error
            return []
