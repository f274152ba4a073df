"""Writing generated rows fast: COPY on PostgreSQL, bulk_create elsewhere; ids assigned here.

Rows bypass ``save()`` and django-simple-history on purpose: synthetic data has no history
(the change log of a plan that nobody edited is empty, as it is after a fresh import).
"""

import io
import json
from datetime import date

from django.db import connection, models

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


class Ids:
    """Primary keys handed out from the current maximum of each table (the generator runs
    alone: concurrent writers would need the sequences instead)."""

    def __init__(self):
        self._next = {}

    def next(self, model):
        value = self._next.get(model)
        if value is None:
            value = (model.objects.aggregate(m=models.Max("pk"))["m"] or 0) + 1
        self._next[model] = value + 1
        return value


def _copy_value(value):
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return value.translate(_ESCAPES)
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, (list, dict)):
        return json.dumps(value).translate(_ESCAPES)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _defaults(model):
    fields = []
    for field in model._meta.concrete_fields:
        default = None if field.primary_key else field.get_default()
        fields.append((field.attname, field.column, default))
    return fields


def write(model, rows):
    """Insert ``rows`` (dicts by attname; missing fields take the model default)."""
    if not rows:
        return
    fields = _defaults(model)
    if connection.vendor == "postgresql":
        buffer = io.StringIO()
        out = buffer.write
        for row in rows:
            out("\t".join(_copy_value(row.get(attname, default))
                          for attname, _column, default in fields))
            out("\n")
        buffer.seek(0)
        columns = ", ".join(connection.ops.quote_name(column) for _a, column, _d in fields)
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(
                f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) "
                "FROM STDIN", buffer,
            )
    else:
        model.objects.bulk_create([model(**row) for row in rows], batch_size=500)


def reset_sequences(models_written):
    """After explicit ids, the sequences must hand out the next free one (PostgreSQL)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(_NoStyle(), list(models_written)):
            cursor.execute(sql)


class _NoStyle:
    def __getattr__(self, name):
        return lambda text: text
