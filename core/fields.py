"""Field types shared by the apps."""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models

ZERO = Decimal("0.00")


def MoneyField(verbose_name, *, null=False, blank=False, default=None, non_negative=True, **kw):  # noqa: N802
    """Money: Decimal with two places, end to end (never float)."""
    if default is None and not null:
        default = ZERO
    validators = [MinValueValidator(ZERO)] if non_negative else []
    field = models.DecimalField(
        verbose_name,
        max_digits=14,
        decimal_places=2,
        null=null,
        blank=blank or null,
        default=default,
        validators=validators,
        **kw,
    )
    field.money = True  # shown as euro in the admin's lists (core/scoped_admin.py)
    return field
