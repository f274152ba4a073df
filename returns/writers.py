"""A built return written as xlsx (openpyxl) or csv (semicolon, Italian decimals)."""

import csv
import io
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from . import municipal
from .base import csv_text, neutralise_formulas

MONEY_FORMAT = '#,##0.00 "€"'
ZERO = Decimal("0.00")
TOTAL_AMBITO = "Totale ambito"
BOLD = Font(bold=True)
HEAD_FILL = PatternFill("solid", fgColor="DDE6F0")
GAP_FILL = PatternFill("solid", fgColor="FCE9D9")
FORMATS = ("xlsx", "csv")


def _header_lines(table):
    t = table.template
    names = ", ".join(a.name for a in table.ambiti) if len(table.ambiti) <= 3 else (
        f"{len(table.ambiti)} ambiti")
    return [
        (t.name, ""),
        ("Destinatario", t.recipient),
        ("Ambito", names),
        ("Anno", str(table.year)),
        ("Misura", table.measure),
        ("Tracciato", t.layout_note),
    ]


def _table_rows(table, rows, *, with_ambito=False):
    head = (["Ambito"] if with_ambito else []) + ["Codice", "Voce"] + [
        label for _, label in table.columns] + (["Totale"] if len(table.columns) > 1 else [])
    out = [head]
    for row in rows:
        values = list(row.values) + ([row.total] if len(table.columns) > 1 else [])
        out.append(([row.ambito] if with_ambito else []) + [row.code or "", row.label] + values)
    return out


def _ambito_rows(table):
    """The block of each ambito (named, not by its slug) closed by the ambito's total: the
    Region reads each ambito's return as the ambito would have sent it."""
    names = {a.slug: a.name for a in table.ambiti}
    wide = len(table.columns) > 1
    out = [_table_rows(table, [], with_ambito=True)[0]]
    blocks = {}
    for row in table.by_ambito:
        blocks.setdefault(row.ambito, []).append(row)
    for slug, rows in blocks.items():
        name = names.get(slug, slug)
        for row in rows:
            out.append([name, row.code or "", row.label] + list(row.values)
                       + ([row.total] if wide else []))
        totals = [sum((r.values[i] for r in rows), ZERO) for i in range(len(table.columns))]
        out.append([name, "", TOTAL_AMBITO] + totals
                   + ([sum(totals, ZERO)] if wide else []))
    return out


def to_xlsx(table):
    wb = Workbook()
    ws = wb.active
    ws.title = "Prospetto"
    for label, value in _header_lines(table):
        ws.append([label, value])
        ws.cell(ws.max_row, 1).font = BOLD
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([])
    rows = _table_rows(table, table.rows)
    start = ws.max_row + 1
    for values in rows:
        ws.append(values)
    for cell in ws[start]:
        cell.font = BOLD
        cell.fill = HEAD_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    # max_row/max_column scan every cell: read once, not per row (quadratic at 600 ambiti).
    last_row, last_col = ws.max_row, ws.max_column
    for r in range(start + 1, last_row + 1):
        for c in range(3, last_col + 1):
            ws.cell(r, c).number_format = MONEY_FORMAT
    # The unclassified row stands out.
    for cell in ws[ws.max_row]:
        cell.fill = GAP_FILL
    totals = ["", "Totale generale"] + list(table.column_totals) + (
        [table.grand_total] if len(table.columns) > 1 else [])
    ws.append(totals)
    for c, cell in enumerate(ws[ws.max_row], start=1):
        cell.font = BOLD
        if c >= 3:
            cell.number_format = MONEY_FORMAT
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 48
    for c in range(3, ws.max_column + 1):
        ws.column_dimensions[get_column_letter(c)].width = 20
    ws.freeze_panes = ws.cell(start + 1, 3)

    checks = wb.create_sheet("Controlli")
    checks.append(["Controllo", "Esito", "Dettaglio"])
    for cell in checks[1]:
        cell.font = BOLD
        cell.fill = HEAD_FILL
    for check in table.checks:
        checks.append([check.name, "OK" if check.ok else "ATTENZIONE", check.message])
    for note in table.notes:
        checks.append(["Nota", "", note])
    checks.column_dimensions["A"].width = 24
    checks.column_dimensions["B"].width = 14
    checks.column_dimensions["C"].width = 110

    if table.by_ambito:
        per = wb.create_sheet("Per ambito")
        for values in _ambito_rows(table):
            per.append(values)
            if values[2] == TOTAL_AMBITO:
                for cell in per[per.max_row]:
                    cell.font = BOLD
        for cell in per[1]:
            cell.font = BOLD
            cell.fill = HEAD_FILL
        last_row, last_col = per.max_row, per.max_column
        for r in range(2, last_row + 1):
            for c in range(4, last_col + 1):
                per.cell(r, c).number_format = MONEY_FORMAT
        per.column_dimensions["A"].width = 32
        per.column_dimensions["C"].width = 48
        per.freeze_panes = "D2"
    neutralise_formulas(wb)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _csv_value(value):
    if isinstance(value, Decimal):
        return f"{value:.2f}".replace(".", ",")
    return "" if value is None else csv_text(str(value))


def to_csv(table):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    for label, value in _header_lines(table):
        writer.writerow([_csv_value(label), _csv_value(value)])
    writer.writerow([])
    for values in _table_rows(table, table.rows):
        writer.writerow([_csv_value(v) for v in values])
    writer.writerow([_csv_value(v) for v in ["", "Totale generale"] + list(table.column_totals)
                     + ([table.grand_total] if len(table.columns) > 1 else [])])
    writer.writerow([])
    for check in table.checks:
        writer.writerow([_csv_value(v) for v in (check.name, "OK" if check.ok else "ATTENZIONE",
                                                  check.message)])
    if table.by_ambito:
        writer.writerow([])
        for values in _ambito_rows(table):
            writer.writerow([_csv_value(v) for v in values])
    # UTF-8 with BOM: Excel opens the accents right.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def render(table, fmt):
    if fmt not in FORMATS:
        raise ValueError(fmt)
    if isinstance(table, municipal.MunicipalReturn):
        return municipal.to_xlsx(table) if fmt == "xlsx" else municipal.to_csv(table)
    return to_xlsx(table) if fmt == "xlsx" else to_csv(table)
