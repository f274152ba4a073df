"""Selectors over django-simple-history: who changed what, when, from which value to which.

The API's per-object history and the feed of changes of an ambito both read from
here, so the rules (what is shown, what stays private) live in one place.
"""

import datetime
import json
from dataclasses import dataclass, field
from decimal import Decimal

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import F, Q, Value
from django.db.models.fields.files import FieldFile

from core.roles import VIEW
from core.scoping import ScopedModel

# Memberships are user accounts: their history says who may do what, not what the plan says.
PRIVATE_MODELS = frozenset({"governance.membership"})

CHANGE_TYPES = {"+": "created", "~": "changed", "-": "deleted"}


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    old: str | None
    new: str | None


@dataclass(frozen=True)
class ChangeRecord:
    id: str  # "<app.model>:<history id>": unique across the feed (history ids repeat per table)
    history_id: int
    model: str
    object_id: int
    ambito: int | None
    type: str
    date: datetime.datetime
    user: str | None
    reason: str
    changes: list = field(default_factory=list)


def model_label(model):
    return f"{model._meta.app_label}.{model._meta.model_name}"


def audited_models():
    """Every scoped model with a history that auditors may read, by label."""
    found = {}
    for model in apps.get_models():
        if not issubclass(model, ScopedModel) or model.__name__.startswith("Historical"):
            continue
        if model_label(model) in PRIVATE_MODELS or not hasattr(model, "history"):
            continue
        found[model_label(model)] = model
    return dict(sorted(found.items()))


def _ambito_path(model):
    # On a historical table "pk" is the history id: the Ambito's own id is "id".
    return "id" if model.scope_ambito == "pk" else model.scope_ambito


def _private_fields(historical):
    user_model = get_user_model()
    return {
        f.name for f in historical.tracked_fields
        if f.is_relation and f.related_model is user_model
    }


def _text(value):
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, Decimal | int | float | str):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or None
    return json.dumps(value, ensure_ascii=False, default=str)


def _user_name(record):
    user = record.history_user
    if user is None:
        return None
    # The name says who; the account (username, e-mail) stays private.
    return user.get_full_name() or user.get_username()


def _fields(historical):
    private = _private_fields(historical)
    return [f for f in historical.tracked_fields
            if f.editable and f.name not in private and f.name != "id"]


def _changes(record, previous, fields):
    deleted = record.history_type == "-"
    changes = []
    for f in fields:
        value = _text(getattr(record, f.attname))
        if deleted:
            old, new = value, None
        else:
            old = _text(getattr(previous, f.attname)) if previous is not None else None
            new = value
        # A creation lists what was filled in and a deletion what was lost, not empty fields.
        if old in (None, "") and new in (None, ""):
            continue
        if old != new:
            changes.append(FieldChange(f.name, str(f.verbose_name), old, new))
    return changes


def _record(record, previous, fields, label, ambito_id):
    return ChangeRecord(
        id=change_id(label, record.history_id),
        history_id=record.history_id,
        model=label,
        object_id=record.id,
        ambito=ambito_id,
        type=CHANGE_TYPES.get(record.history_type, record.history_type),
        date=record.history_date,
        user=_user_name(record),
        reason=record.history_change_reason or "",
        changes=_changes(record, previous, fields),
    )


def change_id(label, history_id):
    """The identity of one change in the feed and in an object's history."""
    return f"{label}:{history_id}"


def _ordered(records):
    return sorted(records, key=lambda r: (r.history_date, r.history_id))


def object_history(*, instance):
    """The changes of one object, oldest first (the caller has already checked it may see it)."""
    model = type(instance)
    historical = model.history.model
    fields = _fields(historical)
    ambito_path = _ambito_path(model)
    records = _ordered(
        historical.objects.filter(id=instance.pk)
        .select_related("history_user")
        .annotate(feed_ambito=F(ambito_path))
    )
    result, previous = [], None
    for record in records:
        entry = _record(record, previous, fields, model_label(model), record.feed_ambito)
        # A save that changed nothing and says nothing (recorded before
        # core.history_writes) is no change; one with a stated reason is kept.
        if entry.changes or entry.type != "changed" or entry.reason:
            result.append(entry)
        previous = record
    return result


def _visible_ambiti(user, slug=None):
    ambito = apps.get_model("governance", "Ambito")
    rows = ambito.objects.restrict(user, VIEW)
    if slug:
        rows = rows.filter(slug__iexact=slug)
    return list(rows.values_list("id", flat=True))


def feed_key(row):
    """Where a ``change_feed`` row stands in the feed's order: (date, model, history id)."""
    date, label, history_id = row[:3]
    return date, label, history_id


def feed_position(*, user, label, history_id):
    """Where the change ``label:history_id`` stands in the user's feed, or None if not there."""
    live = audited_models().get(label)
    if live is None:
        return None
    date = (live.history.model.objects
            .filter(history_id=history_id, **{f"{_ambito_path(live)}__in": _visible_ambiti(user)})
            .values_list("history_date", flat=True).first())
    return None if date is None else (date, label, history_id)


def _after(rows, label, after):
    """The rows of one model's history table that come after ``after`` in the feed's order.

    The feed is a union, which Django cannot filter: each part is narrowed before it.
    """
    date, after_label, history_id = after
    later = Q(history_date__gt=date)
    if label > after_label:
        later |= Q(history_date=date)
    elif label == after_label:
        later |= Q(history_date=date, history_id__gt=history_id)
    return rows.filter(later)


def change_feed(*, user, ambito=None, since=None, model=None, after=None):
    """The changes of every audited model in the ambiti the user sees, oldest first.

    Returns a queryset of light rows (history date, model, history id, object id, ambito)
    to paginate, in the order (date, model, history id) that ``feed_key`` gives; ``after``
    (such a key) keeps only the rows after it. ``expand_changes`` turns one page of it into
    ``ChangeRecord``s.
    """
    ambito_ids = _visible_ambiti(user, ambito)
    models = audited_models()
    if model is not None:
        models = {model: models[model]} if model in models else {}
    parts = []
    for label, live in models.items():
        historical = live.history.model
        path = _ambito_path(live)
        rows = historical.objects.filter(**{f"{path}__in": ambito_ids})
        if since is not None:
            rows = rows.filter(history_date__gte=since)
        if after is not None:
            rows = _after(rows, label, after)
        parts.append(
            rows.annotate(feed_model=Value(label), feed_ambito=F(path))
            .values_list("history_date", "feed_model", "history_id", "id", "feed_ambito")
            .order_by()
        )
    if not parts:
        return apps.get_model("governance", "Ambito").objects.none().values_list("id")
    feed = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    return feed.order_by("history_date", "feed_model", "history_id")


def expand_changes(rows):
    """One page of ``change_feed`` rows as ``ChangeRecord``s: a query per model on the page."""
    models = audited_models()
    by_model = {}
    for date, label, history_id, object_id, ambito_id in rows:
        by_model.setdefault(label, []).append((date, history_id, object_id, ambito_id))
    expanded = {}
    for label, items in by_model.items():
        live = models[label]
        historical = live.history.model
        fields = _fields(historical)
        latest = max(date for date, *_ in items)
        object_ids = {object_id for _, _, object_id, _ in items}
        # Each change is diffed against the object's record before it, which may be on
        # an earlier page: fetch the objects' records up to this page's latest change.
        records = _ordered(
            historical.objects.filter(id__in=object_ids, history_date__lte=latest)
            .select_related("history_user")
        )
        previous_of, last_seen = {}, {}
        for record in records:
            previous_of[record.history_id] = last_seen.get(record.id)
            last_seen[record.id] = record
        by_id = {record.history_id: record for record in records}
        for _, history_id, _, ambito_id in items:
            record = by_id[history_id]
            expanded[(label, history_id)] = _record(
                record, previous_of[history_id], fields, label, ambito_id
            )
    return [expanded[(label, history_id)] for _, label, history_id, _, _ in rows]
