"""What the builders of returns share: the bad-input error and a check's outcome."""

from dataclasses import dataclass, field


class ReturnError(Exception):
    """Bad input: the message is Italian and says what to fix."""


@dataclass
class Check:
    name: str
    ok: bool
    message: str
    # The check's figures for a reader that prints them otherwise (the Relazione
    # Consuntivo's section): the same numbers the message states, computed once.
    figures: dict = field(default_factory=dict)


# A text cell starting with one of these is run as a formula by Excel and LibreOffice. The
# names in a return are typed by people (a template of the ambito, a Comune imported from a
# spreadsheet): in the file they stay text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formulas(workbook):
    """Every text cell of ``workbook`` stays text: never evaluated, kept text when edited."""
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.data_type = "s"
                    if cell.value.startswith(FORMULA_START):
                        cell.quotePrefix = True


def csv_text(text):
    """A text cell of a CSV: one that a spreadsheet would run as a formula gets an apostrophe
    first (amounts are written by the callers, never through here)."""
    return "'" + text if text.startswith(FORMULA_START) else text
