"""Writes of the returns: recording a sent return (file, date, who), never overwriting."""

import hashlib

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from core.roles import Role
from objectives.services import require_role

from . import builder, writers
from .models import SentReturn

SENDERS = (Role.STAFF,)


@transaction.atomic
def record_sent(*, user, template, ambito, year, fmt, note=""):
    """Build the return now, store its file as sent, and return the SentReturn."""
    require_role(user=user, ambito=ambito, roles=SENDERS,
                 doing="registrare l'invio di un debito informativo")
    table = builder.build(template, ambiti=[ambito], year=year)
    content = writers.render(table, fmt)
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S-%f")
    sent = SentReturn(
        ambito=ambito, template=template, year=year, sent_by=user, note=note,
        sha256=hashlib.sha256(content).hexdigest(), grand_total=table.grand_total,
    )
    sent.file.save(f"{template.key}-{ambito.slug}-{year}-{stamp}.{fmt}", ContentFile(content),
                   save=False)
    sent.save()
    return sent
