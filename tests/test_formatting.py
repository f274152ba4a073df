from decimal import Decimal

import pytest

from core.formatting import format_euro


@pytest.mark.parametrize("value, text", [
    (Decimal("1234567.89"), "1.234.567,89 €"),
    (Decimal("0"), "0,00 €"),
    (Decimal("500"), "500,00 €"),
    (Decimal("-59118.84"), "-59.118,84 €"),
    (Decimal("0.005"), "0,01 €"),
    (None, "–"),
])
def test_italian_money(value, text):
    assert format_euro(value) == text
