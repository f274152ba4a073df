"""How history records are written: never for a save that changed nothing, and with who and
why for the writes that no view makes (the seed loader, commands).

- A save of an existing object whose tracked fields are all as in the database writes no
  history record (django-simple-history writes one for every ``save()``: an edit page
  submitted unchanged, or a reload of the seed documents, filled the history with entries
  that changed nothing). One query per update save: the stored row, to compare.
  A save that states something without changing a field (a reason kept in the history,
  e.g. why an objective is approved without resources) asks for its record with
  ``record_unchanged(obj)`` before saving.
- ``recording(user=…, reason=…)`` gives a user and a reason to every history record written
  inside it that has none of its own (``_history_user`` / ``_change_reason`` on the object
  still win).

Connected by ``CoreConfig.ready``.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.db.models.signals import post_save, pre_save
from simple_history.signals import pre_create_historical_record

_CONTEXT = ContextVar("history_recording", default=None)
# Set on an object whose save was found unchanged: lets simple-history skip it, then removed.
_SKIPPED = "_history_unchanged_save"


@contextmanager
def recording(*, user=None, reason):
    """History records written inside carry ``user`` and ``reason`` unless they have their own."""
    token = _CONTEXT.set((user, reason))
    try:
        yield
    finally:
        _CONTEXT.reset(token)


def record_unchanged(instance):
    """The next save of ``instance`` writes its history record even if nothing changed."""
    instance._history_record_unchanged = True


def _same(field, stored, current):
    try:
        return field.to_python(stored) == field.to_python(current)
    except Exception:  # noqa: BLE001 - a value it cannot compare counts as changed
        return False


def unchanged(instance, using=None):
    """Whether every tracked field of ``instance`` is as stored (False for a new object)."""
    if instance._state.adding or instance.pk is None:
        return False
    model = type(instance)
    manager = getattr(model, model._meta.simple_history_manager_attribute)
    fields = [f for f in manager.model.tracked_fields if f.concrete]
    stored = (model._base_manager.using(using or instance._state.db or "default")
              .filter(pk=instance.pk).values(*(f.attname for f in fields)).first())
    if stored is None:
        return False
    return all(_same(f, stored[f.attname], getattr(instance, f.attname)) for f in fields)


def _skip_unchanged(sender, instance, raw=False, using=None, **kwargs):
    if raw or not hasattr(sender._meta, "simple_history_manager_attribute"):
        return
    if hasattr(instance, "skip_history_when_saving"):  # someone else's choice: left alone
        return
    if instance.__dict__.pop("_history_record_unchanged", False):
        return
    if unchanged(instance, using):
        instance.skip_history_when_saving = True
        setattr(instance, _SKIPPED, True)


def _clear_skip(sender, instance, **kwargs):
    if getattr(instance, _SKIPPED, False):
        del instance.skip_history_when_saving
        delattr(instance, _SKIPPED)


def _fill_context(sender, history_instance, **kwargs):
    context = _CONTEXT.get()
    if context is None:
        return
    user, reason = context
    if history_instance.history_user_id is None and user is not None:
        history_instance.history_user = user
    if not history_instance.history_change_reason:
        history_instance.history_change_reason = reason


def connect():
    pre_save.connect(_skip_unchanged, dispatch_uid="core.history_writes.skip_unchanged")
    # After simple-history's own post_save receivers (connected when the models were built).
    post_save.connect(_clear_skip, dispatch_uid="core.history_writes.clear_skip")
    pre_create_historical_record.connect(
        _fill_context, dispatch_uid="core.history_writes.fill_context"
    )
