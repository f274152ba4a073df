"""The Lombardy "spesa sociale" return: the Comuni's own social spending of an ambito in a
year, per Comune (gestione singola, associata, total, population, per head, class of
Comune), subtotals per class and the KPIs. Every figure is the one of
``governance.selectors.municipal_spending_summary``; where the selector refuses a KPI the
return prints why, never a number."""

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from core.formatting import format_euro
from governance.selectors import municipal_spending_summary

from .base import Check, ReturnError, csv_text, neutralise_formulas

MARKER = "municipal_spending"
MONEY_FORMAT = '#,##0.00 "€"'
POPULATION_FORMAT = "#,##0"
BOLD = Font(bold=True)
HEAD_FILL = PatternFill("solid", fgColor="DDE6F0")
HEAD = ["Comune", "Classe", "Gestione singola", "Gestione associata", "Totale",
        "Popolazione", "Pro capite"]


def is_municipal(template):
    return any(c.get("kind") == MARKER for c in template.checks or [])


@dataclass
class Kpi:
    name: str
    value: Decimal | None
    unit: str
    missing: str

    @property
    def text(self):
        if self.value is None:
            return f"non calcolabile: {self.missing}"
        if self.unit == "pct":
            return f"{str(self.value).replace('.', ',')} %"
        return format_euro(self.value)


@dataclass
class MunicipalReturn:
    template: object
    year: int
    ambiti: list
    summary: object
    measure: str = "consuntivo"
    checks: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    kpis: list = field(default_factory=list)

    @property
    def grand_total(self):
        """The district's spending when it can be computed, else the recorded Comuni's."""
        return self.summary.total.value if self.summary.total.ok else self.summary.recorded_total


def build(template, *, ambiti, year):
    if len(ambiti) != 1:
        raise ReturnError("La spesa sociale dei Comuni si prepara per un ambito alla volta.")
    ambito = ambiti[0]
    summary = municipal_spending_summary(ambito=ambito, year=year)
    if not summary.rows:
        raise ReturnError(f"L'ambito «{ambito.name}» non ha Comuni registrati: "
                          f"{summary.total.missing}")
    if not summary.recorded:
        raise ReturnError(f"Nessun Comune dell'ambito «{ambito.name}» ha la spesa sociale "
                          f"dell'anno {year}.")
    result = MunicipalReturn(template=template, year=year, ambiti=[ambito], summary=summary)
    for name, figure, unit in summary.kpis:
        result.kpis.append(Kpi(name, figure.value, unit, figure.missing))
        result.checks.append(Check(name, figure.ok, Kpi(name, figure.value, unit,
                                                         figure.missing).text))
    for rec in summary.reconciliations:
        if rec.computed is None:
            continue
        shown = format_euro if rec.unit == "eur" else str
        result.checks.append(Check(
            f"Confronto: {rec.label}", rec.matches,
            f"stampato {shown(rec.printed)} ({rec.source}), calcolato {shown(rec.computed)}"))
    return result


def _rows(table):
    """(label, class, single, associated, total, population, per head) with the class
    subtotals after each class's Comuni, then the total of the ambito."""
    out = []
    for cls in table.summary.classes:
        for r in cls.rows:
            out.append([r.municipality.name, cls.size_class.label, r.amount_single,
                        r.amount_associated, r.amount, r.population, r.per_capita])
        out.append([f"Totale classe {cls.size_class.label} ({cls.count} Comuni)",
                    cls.size_class.label, _sum(r.amount_single for r in cls.rows),
                    _sum(r.amount_associated for r in cls.rows), cls.amount,
                    cls.population, cls.per_capita])
    s = table.summary
    out.append(["Totale ambito", "", _sum(r.amount_single for r in s.rows),
                _sum(r.amount_associated for r in s.rows), s.total.value,
                s.population, s.per_capita.value])
    return out


def _sum(values):
    """A sum only when every value is known: a missing figure is never read as zero."""
    values = list(values)
    if any(v is None for v in values):
        return None
    return sum(values, Decimal("0.00"))


def _header(table):
    t = table.template
    return [(t.name, ""), ("Destinatario", t.recipient), ("Ambito", table.ambiti[0].name),
            ("Anno", str(table.year)), ("Misura", table.measure), ("Tracciato", t.layout_note)]


def to_xlsx(table):
    wb = Workbook()
    ws = wb.active
    ws.title = "Prospetto"
    for label, value in _header(table):
        ws.append([label, value])
        ws.cell(ws.max_row, 1).font = BOLD
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([])
    ws.append(HEAD)
    start = ws.max_row
    for cell in ws[start]:
        cell.font = BOLD
        cell.fill = HEAD_FILL
    for values in _rows(table):
        ws.append(["non disponibile" if v is None else v for v in values])
        if str(values[0]).startswith("Totale"):
            for cell in ws[ws.max_row]:
                cell.font = BOLD
    for r in range(start + 1, ws.max_row + 1):
        for c in (3, 4, 5, 7):
            ws.cell(r, c).number_format = MONEY_FORMAT
        ws.cell(r, 6).number_format = POPULATION_FORMAT
    ws.column_dimensions["A"].width = 44
    ws.column_dimensions["B"].width = 14
    for col in "CDEFG":
        ws.column_dimensions[col].width = 20
    ws.freeze_panes = ws.cell(start + 1, 2)
    kpis = wb.create_sheet("Indicatori")
    kpis.append(["Indicatore", "Valore", "Nota"])
    for cell in kpis[1]:
        cell.font = BOLD
        cell.fill = HEAD_FILL
    for kpi in table.kpis:
        kpis.append([kpi.name, kpi.value if kpi.value is not None else "non calcolabile",
                     kpi.missing])
        if kpi.value is not None:
            kpis.cell(kpis.max_row, 2).number_format = (
                MONEY_FORMAT if kpi.unit == "eur" else '0.00 "%"')
    kpis.column_dimensions["A"].width = 32
    kpis.column_dimensions["B"].width = 20
    kpis.column_dimensions["C"].width = 110
    checks = wb.create_sheet("Controlli")
    checks.append(["Controllo", "Esito", "Dettaglio"])
    for check in table.checks:
        checks.append([check.name, "OK" if check.ok else "ATTENZIONE", check.message])
    for cell in checks[1]:
        cell.font = BOLD
        cell.fill = HEAD_FILL
    checks.column_dimensions["A"].width = 48
    checks.column_dimensions["C"].width = 110
    neutralise_formulas(wb)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _csv_value(value):
    if value is None:
        return "non disponibile"
    if isinstance(value, Decimal):
        return f"{value:.2f}".replace(".", ",")
    if isinstance(value, int):
        return str(value)
    return csv_text(str(value))


def to_csv(table):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    for label, value in _header(table):
        writer.writerow([_csv_value(label), _csv_value(value)])
    writer.writerow([])
    writer.writerow(HEAD)
    for values in _rows(table):
        writer.writerow([_csv_value(v) for v in values])
    writer.writerow([])
    for kpi in table.kpis:
        writer.writerow([_csv_value(kpi.name), _csv_value(kpi.value) if kpi.value is not None
                         else "non calcolabile", _csv_value(kpi.missing or "")])
    writer.writerow([])
    for check in table.checks:
        writer.writerow([_csv_value(check.name), "OK" if check.ok else "ATTENZIONE",
                         _csv_value(check.message)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
