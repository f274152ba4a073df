"""Login records are kept as long as the privacy notice says, not for ever."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.test import override_settings
from django.utils import timezone

from security.retention import login_records_prune
from security.tasks import prune_login_records

pytestmark = pytest.mark.django_db


def _record(model, days_ago):
    extra = {"failures_since_start": 1} if model is AccessAttempt else {}
    row = model.objects.create(username=f"sindaco-{days_ago}", ip_address="127.0.0.1",
                               user_agent="x", **extra)
    model.objects.filter(pk=row.pk).update(
        attempt_time=timezone.now() - timedelta(days=days_ago))
    return row


@override_settings(PRIVACY_LOG_RETENTION_DAYS="180")
def test_records_older_than_the_notice_says_are_deleted_and_recent_ones_kept():
    kinds = (AccessLog, AccessFailureLog)
    old = [_record(model, 181) for model in kinds]
    recent = [_record(model, 179) for model in kinds]
    deleted = login_records_prune()
    assert deleted == {"accessattempt": 0, "accessfailurelog": 1, "accesslog": 1}
    for row in old:
        assert not type(row).objects.filter(pk=row.pk).exists()
    for row in recent:
        assert type(row).objects.filter(pk=row.pk).exists()


@override_settings(PRIVACY_LOG_RETENTION_DAYS="30")
def test_the_nightly_task_follows_the_configured_retention():
    _record(AccessAttempt, 31)
    kept = _record(AccessAttempt, 29)
    assert prune_login_records()["accessattempt"] == 1
    assert list(AccessAttempt.objects.values_list("pk", flat=True)) == [kept.pk]


def test_the_task_is_scheduled_every_night():
    from pianozona.celery import app

    app.loader.import_default_modules()
    entry = app.conf.beat_schedule["registri-accesso-scaduti"]
    assert entry["task"] == "pianozona.prune_login_records"
