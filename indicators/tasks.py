"""Quarterly reminders to the referenti (run by Celery beat at each quarter's end)."""

import logging
from datetime import date

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings
from django.core.mail import send_mail
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from .selectors import late_referents, quarter_end

logger = logging.getLogger(__name__)


def _body(name, period_end, items):
    lines = [
        f"Gentile {name},",
        "",
        f"per la rilevazione al {period_end:%d/%m/%Y} mancano ancora questi indicatori:",
        "",
    ]
    for objective, indicator in items:
        lines.append(f"- Obiettivo {objective.number} ({objective.plan.title}): {indicator.name}")
    lines += [
        "",
        "Se un dato non è disponibile, registrarlo come N.D.",
        "",
        "Ufficio di Piano",
    ]
    return "\n".join(lines)


# The database not answering: the whole task is tried again later, with growing waits.
# A mail server refusing some addresses: only those are tried again (nobody gets two).
REMINDER_RETRY = {
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": 60,
    "retry_backoff_max": 1800,
    "retry_jitter": True,
    "max_retries": 5,
}


@shared_task(name="indicators.send_quarter_reminders", bind=True, acks_late=True,
             ignore_result=True, **REMINDER_RETRY)
def send_quarter_reminders(self, period_end=None, only=None):
    """E-mail each late referente once, listing every indicator of theirs still empty.

    ``period_end`` (ISO date) defaults to the quarter end just passed. Referenti with no
    user or no e-mail address are not written to; the dashboard still lists them.
    ``only`` restricts a retry to the addresses the mail server refused the first time.
    """
    period = date.fromisoformat(period_end) if period_end else quarter_end(timezone.localdate())
    by_email = {}
    for late in late_referents(period_end=period):
        if not late.email or (only is not None and late.email not in only):
            continue
        entry = by_email.setdefault(late.email, {"name": late.referent.name, "items": []})
        for indicator in late.indicators:
            item = (late.referent.objective, indicator)
            if item not in entry["items"]:
                entry["items"].append(item)
    sent, refused = [], []
    for email, entry in sorted(by_email.items()):
        try:
            send_mail(
                subject=f"Indicatori da rilevare al {period:%d/%m/%Y}",
                message=_body(entry["name"], period, entry["items"]),
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[email],
            )
        except OSError:  # smtplib's errors are OSErrors: server down, address refused
            logger.warning("Promemoria a %s non inviato", email, exc_info=True)
            refused.append(email)
        else:
            sent.append(email)
    logger.info("Promemoria indicatori al %s: %d e-mail", period, len(sent))
    # Eager with errors propagated (the embedded default) cannot schedule a retry.
    can_retry = not (self.request.is_eager and self.app.conf.task_eager_propagates)
    if refused:
        if can_retry and self.request.retries < self.max_retries:
            raise self.retry(
                kwargs={"period_end": period.isoformat(), "only": refused},
                countdown=get_exponential_backoff_interval(
                    factor=REMINDER_RETRY["retry_backoff"], retries=self.request.retries,
                    maximum=REMINDER_RETRY["retry_backoff_max"], full_jitter=True),
            )
        logger.error("Promemoria al %s non inviati dopo %d tentativi: %s", period,
                     self.request.retries + 1, ", ".join(refused))
    return sent
