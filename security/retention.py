"""How long login records live: as long as the privacy notice says, then they go."""

from datetime import timedelta

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.db import transaction
from django.utils import timezone

from core.privacy import controller


def retention_days():
    return int(controller()["log_retention_days"])


@transaction.atomic
def login_records_prune(*, now=None):
    """Delete the axes records older than the retention; returns how many per kind."""
    limit = (now or timezone.now()) - timedelta(days=retention_days())
    deleted = {}
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        deleted[model._meta.model_name], _ = model.objects.filter(
            attempt_time__lt=limit).delete()
    return deleted
