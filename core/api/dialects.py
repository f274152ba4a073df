"""CSV dialects: the standard CSV, and the one an Italian Excel opens without an import wizard.

``?format=csv&dialect=excel-it``: cells separated by ``;``, amounts with a decimal comma
(``1234,50``), a UTF-8 byte order mark first (without it Excel reads the accents as
Windows-1252). Same columns, rows, order and formula escaping as the standard CSV. With
JSON the dialect changes nothing.
"""

import re
from dataclasses import dataclass

from rest_framework.exceptions import ValidationError
from rest_framework.fields import DecimalField
from rest_framework.serializers import BaseSerializer, ListSerializer

DIALECT_PARAMETER = "dialect"
BOM = "\ufeff"
_DECIMAL = re.compile(r"-?\d+\.\d+")


@dataclass(frozen=True)
class CsvDialect:
    name: str
    delimiter: str = ","
    decimal_comma: bool = False
    bom: bool = False

    def number(self, text):
        """A decimal string as this dialect writes it (``"1234.50"`` -> ``"1234,50"``)."""
        if self.decimal_comma and text and _DECIMAL.fullmatch(text):
            return text.replace(".", ",")
        return text


STANDARD = CsvDialect("standard")
DIALECTS = {
    "standard": STANDARD,
    "excel-it": CsvDialect("excel-it", delimiter=";", decimal_comma=True, bom=True),
}
DIALECT_DESCRIPTION = (
    "Variante del CSV: standard (predefinita: virgola, punto decimale, UTF-8 senza BOM) "
    "oppure excel-it per Excel in italiano (punto e virgola, virgola decimale negli importi "
    "e nei valori, BOM UTF-8). Stesse colonne e righe; le celle di testo che iniziano con "
    "= + - @ sono sempre precedute da un apice. Con il JSON non cambia nulla."
)
DIALECT_SCHEMA = {"type": "string", "enum": list(DIALECTS)}


def requested_dialect(request):
    """The dialect ``request`` asks for (standard if none); a 400 naming it if unknown."""
    raw = request.query_params.get(DIALECT_PARAMETER, "") if request is not None else ""
    if raw == "":
        return STANDARD
    try:
        return DIALECTS[raw.strip().lower()]
    except KeyError:
        raise ValidationError({DIALECT_PARAMETER: [
            f"Variante sconosciuta: «{raw}». Valori ammessi: {', '.join(DIALECTS)}."
        ]}) from None


def decimal_columns(serializer, prefix=""):
    """The (dotted) CSV columns of ``serializer`` that hold decimal numbers."""
    if isinstance(serializer, ListSerializer):
        serializer = serializer.child
    if not isinstance(serializer, BaseSerializer):
        return set()
    columns = set()
    for name, field in serializer.fields.items():
        if isinstance(field, DecimalField):
            columns.add(f"{prefix}{name}")
        elif isinstance(field, BaseSerializer) and not isinstance(field, ListSerializer):
            columns |= decimal_columns(field, f"{prefix}{name}.")
    return columns
