"""Quarterly reminders to the referenti (run by Celery beat at each quarter's end)."""

import logging
from datetime import date

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
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


@shared_task(name="indicators.send_quarter_reminders")
def send_quarter_reminders(period_end=None):
    """E-mail each late referente once, listing every indicator of theirs still empty.

    ``period_end`` (ISO date) defaults to the quarter end just passed. Referenti with no
    user or no e-mail address are not written to; the dashboard still lists them.
    """
    period = date.fromisoformat(period_end) if period_end else quarter_end(timezone.localdate())
    by_email = {}
    for late in late_referents(period_end=period):
        if not late.email:
            continue
        entry = by_email.setdefault(late.email, {"name": late.referent.name, "items": []})
        for indicator in late.indicators:
            item = (late.referent.objective, indicator)
            if item not in entry["items"]:
                entry["items"].append(item)
    for email, entry in sorted(by_email.items()):
        send_mail(
            subject=f"Indicatori da rilevare al {period:%d/%m/%Y}",
            message=_body(entry["name"], period, entry["items"]),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[email],
        )
    logger.info("Promemoria indicatori al %s: %d e-mail", period, len(by_email))
    return sorted(by_email)
