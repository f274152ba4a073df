"""Report data: everything one report prints, gathered in a fixed number of queries.

Each ``build_*`` function returns a ``ReportData``: the template, its context (a
cover, a table of contents and a *flow* of blocks the template prints in order)
and the rows it was made from, whose fingerprint is the report's data version.
Queries never depend on the number of objectives, actions or lines: every model
is read once for the whole plan and grouped here. Totals come from the
selectors (budget/selectors.py, reports/selectors.py); templates only print.
"""

import hashlib
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.text import slugify

from budget import selectors as budget
from budget.models import BudgetLine, FundingAllocation, FundingChannel, Surplus
from classification.models import Assignment, Code
from governance.models import (
    Body,
    BodyMember,
    Deliberation,
    Meeting,
    Municipality,
    MunicipalSpending,
    PopulationFigure,
    PrintedTotal,
    SourceDocument,
)
from indicators.models import (
    EvaluationCriterion,
    Indicator,
    Kpi,
    KpiValue,
    Measurement,
    Milestone,
)
from indicators.values import display_measure
from objectives import tables
from objectives.models import (
    Action,
    Area,
    DataTable,
    Objective,
    OperatingPlan,
    PolicyGoal,
    Referent,
    Section,
)
from returns import builder as returns

from . import charts
from . import selectors as territory
from .format import format_date, format_number, format_short_date
from .markup import align_tables, render_markdown, split_body

KIND_OPERATING_PLAN = "piano-operativo"
KIND_FINAL_REPORT = "consuntivo"
KIND_ZONE_PLAN = "piano-di-zona"

# Bumped when the way data becomes a report changes in code (templates and the stylesheet
# are fingerprinted by their content, see ``layout_digest``).
LAYOUT_VERSION = "2026-12-06.2"

_BLOCKS = "reports/pdf/blocks/"
_STAGE = FundingAllocation.Stage
_KIND = FundingAllocation.Kind
ZERO = Decimal("0.00")


# --- Plumbing: rows, figures, headings -------------------------------------------------


@cache
def layout_digest():
    """The report templates and stylesheet as they are: a new layout means a new version."""
    root = Path(settings.BASE_DIR)
    digest = hashlib.sha256(LAYOUT_VERSION.encode())
    files = sorted((root / "templates" / "reports" / "pdf").rglob("*.html"))
    files.append(root / "core" / "static" / "reports" / "report.css")
    for path in files:
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


class _Rows:
    """Every row a report reads, kept to fingerprint the data it was made from."""

    def __init__(self):
        self.items = []

    def all(self, queryset):
        rows = list(queryset)
        self.items.extend(rows)
        return rows

    def one(self, obj):
        if obj is not None:
            self.items.append(obj)
        return obj

    def fingerprint(self, *extra):
        digest = hashlib.sha256(layout_digest().encode())
        entries = sorted(
            {
                (obj._meta.label, str(obj.pk),
                 repr([f.value_from_object(obj) for f in obj._meta.concrete_fields]))
                for obj in self.items
            }
        )
        for entry in entries:
            digest.update("\x1f".join(entry).encode())
            digest.update(b"\x1e")
        for item in extra:
            digest.update(repr(item).encode())
        return digest.hexdigest()


@dataclass(frozen=True)
class Figure:
    """A computed total and, when the source document printed something else, that figure."""

    value: Decimal | None
    printed: tuple = ()
    scope: str = ""
    notes: tuple = ()  # why the document printed another figure (PrintedTotal.note)


class Figures:
    """The computed totals of a report, with the PrintedTotal notes of the same scopes.

    The one rule for a printed figure that differs: the computed one in the table, the
    printed one (and why) in a footnote at that place, the same row on the reconciliation
    page (budget.reconciliation). Stored tables follow it too (``datatable_block``).
    """

    def __init__(self, printed_totals):
        self._printed = defaultdict(set)
        self._notes = defaultdict(list)
        for total in printed_totals:
            self._printed[total.scope].add(total.printed)
            if total.note and total.note not in self._notes[(total.scope, total.printed)]:
                self._notes[(total.scope, total.printed)].append(total.note)
        self.computed = {}

    def __call__(self, scope, value):
        self.computed[scope] = value
        differing = tuple(sorted(p for p in self._printed.get(scope, ()) if p != value))
        notes = tuple(n for p in differing for n in self._notes.get((scope, p), ()))
        return Figure(value, differing, scope, notes)

    def plain(self, value):
        return Figure(value)


class Outline:
    """Headings with unique anchors; those up to ``toc_depth`` go in the table of contents."""

    def __init__(self, toc_depth=2):
        self.entries = []
        self.toc_depth = toc_depth
        self._ids = set()
        # The original's figure captions met in the narrative (see FigureSlots).
        self.figure_slots = FigureSlots()
        # Computed figures by scope, for the tables' ``check`` cells (Figures.computed).
        self.checks = {}

    def heading(self, title, level, *, toc=True, number=""):
        base = "h-" + (slugify(title)[:50] or "sezione")
        anchor, n = base, 2
        while anchor in self._ids:
            anchor, n = f"{base}-{n}", n + 1
        self._ids.add(anchor)
        level = max(1, min(level, 4))
        entry = {"id": anchor, "title": title, "level": level, "number": number}
        if toc and level <= self.toc_depth:
            self.entries.append(entry)
        return entry


@dataclass
class ReportData:
    kind: str
    template: str
    context: dict
    rows: _Rows = field(repr=False)
    figures: Figures = field(repr=False)
    _version: str = ""

    @property
    def data_version(self):
        if not self._version:
            self._version = self.rows.fingerprint(self.kind)
        return self._version


class ReportError(Exception):
    """Nothing to print: the message says why, in Italian."""


def _normal(text):
    text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    return re.sub(r"\s+", " ", text.lower()).strip()


def _matches(section, *patterns):
    title = _normal(section.title)
    return any(re.search(p, title) for p in patterns)


def _block(name, **data):
    return {"template": f"{_BLOCKS}{name}.html", **data}


def _deliberation_text(deliberation):
    issuer = deliberation.body.name if deliberation.body_id else deliberation.issuer
    parts = [issuer or "Atto"]
    if deliberation.number:
        parts.append(f"n. {deliberation.number}")
    if deliberation.date:
        parts.append(f"del {format_date(deliberation.date)}")
    return " ".join(parts)


# --- Blocks shared by the reports ------------------------------------------------------

_NUMERIC_CELL = re.compile(r"^[€\s+\-–.]*\d[\d.,\s]*%?\s*€?$")


def _table_cells(table, checks=None):
    """(text, numeric, footnote) of every cell: typed tables print their figures the Italian
    way, computed cells (totals, Δ) computed, with the printed figure as a footnote. A
    ``check`` cell the data gives otherwise elsewhere (``checks``: scope -> figure) is
    footnoted with that figure."""
    if not table.kinds:  # an untyped table (made before kinds): cells as stored
        return None
    grid = tables.evaluate(table)
    elsewhere = {}
    for r, c, scope, label, reason in tables.cross_checks(table):
        other, value = (checks or {}).get(scope), grid[r][c].value
        if other is not None and value is not None and other != value:
            note = f"{label}: {tables.format_figure(grid[r][c].kind, other)}"
            elsewhere[(r, c)] = note + (f". {reason[:1].upper()}{reason[1:]}" if reason else "")
    out = []
    for line in grid:
        row = []
        for cell in line:
            note = ""
            if cell.differs:
                note = ("valore stampato nel documento originale: "
                        + tables.format_figure(cell.kind, cell.printed,
                                               signed=cell.text.startswith("+")))
                if cell.reason:
                    note += f". {cell.reason[:1].upper()}{cell.reason[1:]}"
            if (len(out), len(row)) in elsewhere:
                note = "; ".join(n for n in (note, elsewhere[(len(out), len(row))]) if n)
            row.append((cell.display(), cell.kind != tables.TEXT, note))
        out.append(row)
    return out


def datatable_block(table, checks=None):
    columns = list(table.columns or [])
    ruled = {r for rule in table.rules or [] for r, _c in tables._targets(rule)}
    typed = _table_cells(table, checks)
    if typed is not None:
        rows = [[text for text, _n, _f in r] for r in typed]
        numeric = [k != tables.TEXT for k in table.kinds]
        notes = [[f for _t, _n, f in r] for r in typed]
    else:
        rows = [list(row) + [""] * (len(columns) - len(row)) for row in (table.rows or [])]
        notes = [[""] * len(columns) for _r in rows]
        numeric = []
        for index in range(len(columns)):
            cells = [str(r[index]).strip() for r in rows
                     if index < len(r) and str(r[index]).strip()]
            hits = sum(1 for c in cells if _NUMERIC_CELL.match(c))
            numeric.append(bool(cells) and index > 0 and hits >= 0.6 * len(cells))
    caption = " – ".join(p for p in (table.number, table.title) if p)
    # Column widths from the content, header text counting less (it wraps): the automatic
    # layout lets one long header take the page and squeeze the other columns to letters.
    weights = []
    for index, name in enumerate(columns):
        cells = [str(r[index]) for r in rows if index < len(r)]
        body = max((len(c) for c in cells), default=0)
        word = max((len(w) for c in cells for w in c.split()), default=0)
        header_word = max((len(w) for w in str(name).split()), default=0)
        if numeric[index]:  # never wraps: the column needs its whole width
            weights.append(max((body + 3) * 1.7, min(header_word, 14) * 0.8, 8))
        else:  # wraps: long text earns width, but less than in proportion
            text = min(body, 25) + max(0, min(body, 300) - 25) * 0.15
            # a word never breaks: "1999", "PIZZIGHETTONE" keep their width
            weights.append(max(text, word * 1.6 + 1, min(len(str(name)), 90) * 0.35,
                               min(header_word, 14) * 0.8, 4))
    total = sum(weights) or 1
    widths = [round(100 * w / total, 1) for w in weights]
    classes = []
    needs = []
    # A table takes an A4 landscape page of its own only when its columns do not fit the
    # portrait page in the small type (a page turned for a table that fits leaves the
    # text around it on near-empty pages): the widest figure or header word of each column.
    for index, name in enumerate(columns):
        cells = [str(r[index]) for r in rows if index < len(r)]
        word = max((len(w) for c in cells for w in (c.split() or [""])), default=0)
        body = max((len(c) for c in cells), default=0) if numeric[index] else word
        header_word = max((len(w) for w in str(name).split()), default=0)
        needs.append(max(body * 1.2, header_word * 1.45, 4) + 3.6)
    landscape = len(columns) > 11 or sum(needs) > 172
    if len(columns) > 6 and not landscape:
        # every column its need, the rest of the 172 mm shared as the weights say
        slack = 172 - sum(needs)
        widths = [round(100 * (n + slack * w / total) / 172, 1)
                  for n, w in zip(needs, weights, strict=True)]
    if landscape:
        classes.append("wide landscape")
    elif len(columns) > 6:
        classes.append("wide")
    if len(rows) <= 15:
        classes.append("keep")  # a short table moves whole rather than leave a row behind
    return _block(
        "datatable", caption=caption, columns=list(zip(columns, numeric, strict=False)),
        rows=[list(zip(r, numeric, n, strict=False)) for r, n in zip(rows, notes, strict=False)],
        note=table.note, size=" ".join(classes), landscape=landscape, widths=widths,
        headed=any(str(name).strip() for name in columns),
        total_rows=[i for i, r in enumerate(rows) if (i == len(rows) - 1 or i in ruled)
                    and _TOTAL_ROW.match(" ".join(
                        str(c) for c, n in zip(r, numeric, strict=False) if not n))],
    )


_TOTAL_ROW = re.compile(r"^\s*([\w.]+\s+){0,3}(totale|totali)\b", re.IGNORECASE)


# --- Text the document printed twice around a table -----------------------------------

_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(.*)$")


def _plain(text):
    """Words only, for comparing a line of text with a table's caption or cells."""
    text = _normal(str(text).replace("\\", ""))
    return re.sub(r"[\W_]+", " ", text).strip()


def _without_table_repeats(body, placed):
    """The body less what the tables placed at its markers print already.

    ``placed`` maps a marker's index to its DataTable. The seeds' narrative carries, around
    a table, its title and note as lines of text (printed as the table's caption and note)
    and, after it, a column of notes repeated as a bullet list ("NOTE" - "PIZZIGHETTONE" -
    "0-14 in arretramento"…): the table prints them, the text does not print them again.
    """
    pieces = re.split(r"(^\s*\[\[tabella\]\]\s*$)", body or "", flags=re.MULTILINE)
    # pieces: text, marker, text, marker, …, text
    for index, table in placed.items():
        before_at, after_at = 2 * index, 2 * index + 2
        if after_at >= len(pieces):
            continue
        captions = {_plain(x) for x in (table.title, f"{table.number} {table.title}",
                                        table.note) if x and _plain(x)}
        lines = pieces[before_at].rstrip().split("\n")
        for _ in range(2):  # the title, and the note above it
            if lines and lines[-1].strip() and _plain(lines[-1].strip(" *#_")) in captions:
                lines.pop()
                while lines and not lines[-1].strip():
                    lines.pop()
        pieces[before_at] = "\n".join(lines) + "\n\n" if lines else ""
        pieces[after_at] = _without_repeated_list(pieces[after_at], table)
    return "".join(pieces)


def _without_repeated_list(text, table):
    cells = " | ".join(_plain(c) for row in (table.rows or []) for c in row if str(c).strip())
    names = {_plain(c) for c in table.columns or [] if str(c).strip()} | {"note"}
    lines = text.split("\n")
    at = 0
    while at < len(lines) and not lines[at].strip():
        at += 1
    start = at
    if at < len(lines) and not _LIST_ITEM.match(lines[at]) and \
            _plain(lines[at].strip(" *#_")) in names:
        at += 1
        while at < len(lines) and not lines[at].strip():
            at += 1
    items, end = 0, at
    while end < len(lines) and (_LIST_ITEM.match(lines[end]) or not lines[end].strip()):
        match = _LIST_ITEM.match(lines[end])
        if match:
            item = _plain(match.group(1))
            if not item or item not in cells:
                return text
            items += 1
        end += 1
    if items < 2:
        return text
    return "\n".join(lines[:start] + lines[end:])


# --- Figures the source document captioned ------------------------------------------

_FIGURE_CAPTION = re.compile(
    # "Fig. 4: title", and the PdZ's "*Fig.1 con una immagine grafica…" without a colon.
    r"^[ \t]*[*_]*[ \t]*Fig\.[ \t]*(\d+(?:[ \t]*-[ \t]*\d+)?)(?:[ \t]*[:.]|[ \t]+)"
    r"[ \t]*(.+?)[ \t]*[*_]*[ \t]*$",
    re.MULTILINE,
)
_FIGURE_SLOT = re.compile(r"<p>@@figura-(\d+)@@</p>")
NOT_HELD = "dati non gestiti dall'applicazione: la figura dell'originale non è ristampata"


class FigureSlots:
    """The figures a source document captioned ("Fig. 4: …"), printed only when drawn.

    A caption is a line of the narrative; the figure under it was an image of the original
    the app does not hold. Each resolver ``(number, title) -> block | None`` may draw it
    from data (a table or chart whose caption is the figure's); otherwise neither the
    caption nor the figure is printed and the figure is listed for staff in ``missing``
    (the plan's report page), with where its data would be entered.
    """

    def __init__(self, resolvers=()):
        self.resolvers = list(resolvers)
        self.missing = []
        self._blocks = []

    def note_missing(self, caption, section_title, where=NOT_HELD):
        self.missing.append({"caption": caption, "section": section_title, "where": where})

    def take(self, section):
        """The section's body with captions replaced by slots (or removed)."""

        def replace(match):
            number, title = match.group(1).replace(" ", ""), match.group(2).strip(" *_")
            caption = f"Fig. {number}: {title}"
            for resolver in self.resolvers:
                block, where = resolver(number, title)
                if block is not None:
                    self._blocks.append(block)
                    return f"\n@@figura-{len(self._blocks) - 1}@@\n"
                if where:
                    self.note_missing(caption, section.title, where)
                    return ""
            self.note_missing(caption, section.title)
            return ""

        return _FIGURE_CAPTION.sub(replace, section.body or "")

    def html_items(self, html):
        """An HTML part split at the slots: html blocks and the figures drawn there."""
        items = []
        pieces = _FIGURE_SLOT.split(html)
        for index, piece in enumerate(pieces):
            if index % 2:
                items.append(self._blocks[int(piece)])
            elif piece.strip():
                items.append(_block("html", html=piece))
        return items

    def body_html(self, section):
        """The whole body as HTML (sections printed without their tables)."""
        return "".join(
            i["html"] if i["template"].endswith("html.html") else ""
            for i in self.html_items(render_markdown(self.take(section)))
        )

    def body_items(self, section):
        return self.html_items(render_markdown(self.take(section)))


def _board_figures(ambito, rows):
    """A resolver drawing "Composizione del C.d.A." captions as tables of the board's members."""
    boards = rows.all(Body.objects.filter(ambito=ambito, kind=Body.Kind.BOARD).order_by("pk"))
    members = rows.all(BodyMember.objects.filter(body__in=[b.pk for b in boards])
                       .order_by("body_id", "position", "pk")) if boards else []
    date_re = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")

    def resolve(_number, title):
        words = _normal(title)
        if not re.search(r"c\.?\s?d\.?\s?a\b|consiglio di amministrazione", words):
            return None, ""
        where = ("Governance › Organismi: il Consiglio di Amministrazione e i suoi componenti "
                 "(con le date di inizio e fine dell'incarico)")
        found = date_re.search(title)
        if "sino al" in words and found:
            from datetime import date

            until = date(int(found.group(3)), int(found.group(2)), int(found.group(1)))
            chosen = [m for m in members if m.end_date == until]
        elif "in carica" in words:
            chosen = [m for m in members if m.end_date is None]
        else:
            chosen = []
        if not chosen:
            return None, where
        return _block("members", caption=title, members=chosen), ""

    return resolve


def section_block(section, outline, *, tables=(), anchored=(), level=None, slots=None):
    """A narrative section: sanitised markdown with its tables where the markers stand.

    A marker matched to no DataTable takes the first block anchored to the section (the
    modelled table the document printed there); what is left follows the text. Figure
    captions of the original become the figures ``slots`` draws, or nothing.
    """
    slots = slots or outline.figure_slots
    body = slots.take(section)
    parts = split_body(body)
    marker_at = [i for i, (kind, _v) in enumerate(parts) if kind == "marker"]
    table_lines = [line for line in body.splitlines() if line.lstrip().startswith("|")]
    # A table the text already carries in markdown is not printed a second time.
    tables = [
        t for t in tables
        if not (t.columns and any(str(t.columns[0]).strip() in line for line in table_lines))
    ]
    mapping = align_tables(
        [parts[i][1] for i in marker_at], [f"{t.number} {t.title}" for t in tables]
    )
    if mapping:  # the same markers, without the text the tables print already
        parts = split_body(_without_table_repeats(
            body, {m: tables[j] for m, j in mapping.items()}))
        marker_at = [i for i, (kind, _v) in enumerate(parts) if kind == "marker"]
    pending = list(anchored)
    items, used = [], set()
    for index, (kind, value) in enumerate(parts):
        if kind == "html":
            items.extend(slots.html_items(value))
            continue
        marker = marker_at.index(index)
        if marker in mapping:
            items.append(datatable_block(tables[mapping[marker]], outline.checks))
            used.add(mapping[marker])
        elif pending:
            items.append(pending.pop(0))
    items += [datatable_block(t, outline.checks) for j, t in enumerate(tables) if j not in used]
    items += pending
    heading = outline.heading(section.title, level or section.level)
    return _block("section", heading=heading, items=items,
                  keep_first=bool(items) and _short_block(items[0]))


def _without_empty_headings(flow, outline):
    """The flow less the sections with nothing under them (a heading with no text, no
    table and no deeper section after it), and their entries in the table of contents."""
    kept, dropped = [], set()
    for index, block in enumerate(flow):
        if block["template"].endswith("section.html") and not block.get("items"):
            following = flow[index + 1] if index + 1 < len(flow) else None
            heading = following.get("heading") if following else None
            if not (heading and heading["level"] > block["heading"]["level"]):
                dropped.add(block["heading"]["id"])
                continue
        kept.append(block)
    outline.entries = [e for e in outline.entries if e["id"] not in dropped]
    return kept


def _short_block(item):
    """A block that may travel with the heading above it without leaving a page half empty."""
    name = item["template"].rsplit("/", 1)[-1]
    if name == "html.html":
        return len(item["html"]) < 900
    if name == "datatable.html":
        return "keep" in item.get("size", "")
    return name in ("members.html", "_chart.html")


def synthetic_section(title, level, outline, items):
    """A heading of the report's own for blocks no section of the document introduces."""
    return _block("section", heading=outline.heading(title, level), items=[i for i in items if i])


def _tables_by_section(sections, tables):
    """DataTables per section: by foreign key, by section key, or by the title's number."""
    by_key = {s.key: s for s in sections}
    by_number = {}
    for s in sections:
        number = s.title.split(" ", 1)[0].rstrip(".")
        if re.fullmatch(r"\d+(\.\d+)*", number):
            by_number.setdefault(number, s)
    grouped, orphans = defaultdict(list), []
    for table in tables:
        target = None
        if table.section_id:
            target = table.section_id
        elif table.section_label in by_key:
            target = by_key[table.section_label].pk
        elif table.section_label.rstrip(".") in by_number:
            target = by_number[table.section_label.rstrip(".")].pk
        if target is None:
            orphans.append(table)
        else:
            grouped[target].append(table)
    return grouped, orphans


def _document(ambito, kind, years, rows):
    documents = rows.all(
        SourceDocument.objects.filter(ambito=ambito, kind=kind, year__in=list(years))
        .order_by("year", "pk")
    )
    return documents[0] if documents else None


def _narrative(document, rows):
    if document is None:
        return [], []
    sections = rows.all(
        Section.objects.filter(document=document).select_related("area").order_by("position", "pk")
    )
    tables = rows.all(DataTable.objects.filter(document=document).order_by("position", "pk"))
    return sections, tables


def _printed_totals(ambito, years, kinds, rows):
    return rows.all(
        PrintedTotal.objects.filter(
            document__ambito=ambito, document__year__in=list(years), document__kind__in=kinds
        ).order_by("document_id", "position")
    )


def _cover(*, ambito, title, subtitle, period, approval, draft, author):
    capofila = ambito.ente_capofila.name if ambito.ente_capofila_id else ""
    return {
        "ambito": ambito.name, "region": ambito.region, "capofila": capofila, "title": title,
        "subtitle": subtitle, "period": period, "approval": approval, "draft": draft,
        "author": author, "generated_on": format_date(timezone.localdate()),
    }


# --- Operating plan data (shared by the Piano Operativo and the Relazione Consuntivo) ---


def _plan_rows(plan, rows, figures, *, stages):
    """Objectives with their actions, lines, referents, indicators and milestones."""
    objectives = rows.all(
        budget.objectives_with_totals(
            Objective.objects.filter(plan=plan).select_related("area")
        ).order_by("number")
    )
    actions = rows.all(
        budget.actions_with_totals(Action.objects.filter(objective__plan=plan)).order_by(
            "objective_id", "number"
        )
    )
    lines = rows.all(
        BudgetLine.objects.filter(action__objective__plan=plan)
        .select_related("channel").order_by("action_id", "position", "pk")
    )
    referents = rows.all(
        Referent.objects.filter(objective__plan=plan).select_related("organisation")
        .order_by("objective_id", "position", "pk")
    )
    indicators = rows.all(
        Indicator.objects.filter(objective__plan=plan).order_by("objective_id", "position", "pk")
    )
    measurements = rows.all(
        Measurement.objects.filter(indicator__objective__plan=plan).order_by(
            "indicator_id", "period_end"
        )
    )
    milestones = rows.all(
        Milestone.objects.filter(objective__plan=plan).order_by("objective_id", "position", "pk")
    )
    ranges = rows.all(
        EvaluationCriterion.objects.filter(objective__plan=plan).order_by(
            "objective_id", "position", "pk"
        )
    )
    lines_by_action = defaultdict(list)
    for line in lines:
        lines_by_action[line.action_id].append(line)
    actions_by_objective = defaultdict(list)
    numbers = {o.pk: o.number for o in objectives}
    for action in actions:
        number = numbers[action.objective_id]
        action.lines_list = lines_by_action[action.pk]
        for k, line in enumerate(action.lines_list, start=1):  # reconciliation's line: scope
            for stage in stages:
                figures.computed[f"line:{number}:{action.number}:{k}:{stage}"] = (
                    getattr(line, stage) or ZERO)
        action.figures = {
            stage: figures(f"action:{number}:{action.number}:{stage}",
                           getattr(action, f"total_{stage}"))
            for stage in stages
        }
        actions_by_objective[action.objective_id].append(action)
    grouped = {
        "referents": defaultdict(list), "indicators": defaultdict(list),
        "milestones": defaultdict(list), "ranges": defaultdict(list),
    }
    for referent in referents:
        grouped["referents"][referent.objective_id].append(referent)
    values_by_indicator = defaultdict(list)
    for measurement in measurements:
        values_by_indicator[measurement.indicator_id].append(measurement)
    for indicator in indicators:
        indicator.measurement_list = values_by_indicator[indicator.pk]
        grouped["indicators"][indicator.objective_id].append(indicator)
    for milestone in milestones:
        grouped["milestones"][milestone.objective_id].append(milestone)
    for criterion in ranges:
        grouped["ranges"][criterion.objective_id].append(criterion)
    for objective in objectives:
        objective.plan = plan  # the loaded plan: templates read objective.plan.year
        objective.action_list = actions_by_objective[objective.pk]
        # rows of its resources table: a short one is kept whole on a page
        objective.resource_rows = 1 + sum(1 + len(a.lines_list) for a in objective.action_list)
        objective.figures = {
            stage: figures(f"objective:{objective.number}:{stage}",
                           getattr(objective, f"total_{stage}"))
            for stage in stages
        }
        for name, group in grouped.items():
            setattr(objective, f"{name}_list", group[objective.pk])
    return objectives


def _plan_figures(plan, figures, *, stages):
    totals = budget.plan_totals(plan=plan)
    return {stage: figures(f"plan:{stage}", totals[stage]) for stage in stages}


def _plan_approval(plan, rows, *, closing=False):
    zone_plan = plan.zone_plan
    own = plan.closing if closing else plan.approval
    if own is None:
        subject = (
            Deliberation.Subject.FINAL_REPORT if closing else Deliberation.Subject.OPERATING_PLAN
        )
        own = rows.one(
            Deliberation.objects.filter(
                ambito=zone_plan.ambito, approves=subject,
                date__year__in=[plan.year, plan.year + 1],
            ).select_related("body").order_by("date").first()
        )
    if own is not None:
        what = "Relazione consuntivo approvata" if closing else "Approvato"
        return f"{what} con {_deliberation_text(own)}"
    return _zone_plan_approval(zone_plan, rows)


def _zone_plan_approval(zone_plan, rows):
    approval = zone_plan.approval or rows.one(
        Deliberation.objects.filter(
            ambito=zone_plan.ambito, approves=Deliberation.Subject.ZONE_PLAN,
            date__year__gte=zone_plan.start_year - 1, date__year__lte=zone_plan.end_year,
        ).select_related("body").order_by("date").first()
    )
    if approval is not None:
        return f"{zone_plan.title} approvato con {_deliberation_text(approval)}"
    if zone_plan.approved_on:
        return f"{zone_plan.title} approvato il {format_date(zone_plan.approved_on)}"
    return ""


def _load_plan(plan_or_id, rows):
    plan = OperatingPlan.objects.select_related(
        "zone_plan__ambito__ente_capofila", "zone_plan__approval__body",
        "approval__body", "closing__body",
    ).get(pk=getattr(plan_or_id, "pk", plan_or_id))
    rows.one(plan)
    rows.one(plan.zone_plan)
    rows.one(plan.zone_plan.ambito)
    rows.one(plan.zone_plan.ambito.ente_capofila)
    return plan


def _is_draft(target):
    state = getattr(target, "state", None)
    if state is not None:
        return state == OperatingPlan.State.DRAFT
    return target.approval_id is None and target.approved_on is None


def _split_sections(sections):
    general = [s for s in sections if s.objective_id is None]
    tied = [s for s in sections if s.objective_id is not None]
    first = min((s.position for s in tied), default=None)
    if first is None:
        return general, [], tied
    return ([s for s in general if s.position < first],
            [s for s in general if s.position > first], tied)


def _first(sections, *patterns, last=False):
    """The section a block belongs to: the patterns are tried in order of preference."""
    for pattern in patterns:
        found = [s for s in sections if _matches(s, pattern)]
        if found:
            return found[-1] if last else found[0]
    return None


def _allocation_table(ambito, year, stage, figures, rows):
    """Entrate of a year and stage as printed: avanzo, entrate, budget, non applicate, net."""
    allocations = rows.all(
        FundingAllocation.objects.filter(ambito=ambito, year=year, stage=stage)
        .select_related("channel").order_by("position", "pk")
    )
    totals = budget.allocation_totals(ambito=ambito, year=year, stage=stage)
    scope = f"allocations:{year}:{stage}"
    by_kind = defaultdict(list)
    for allocation in allocations:
        by_kind[allocation.kind].append(allocation)
    table = {
        "year": year, "stage": stage, "empty": not allocations,
        "avanzo": by_kind[_KIND.SURPLUS], "entrata": by_kind[_KIND.INCOME],
        "non_applicata": by_kind[_KIND.NOT_APPLIED],
        "total_avanzo": figures(f"{scope}:avanzo", totals["avanzo"]),
        "total_avanzo_restricted": figures(f"{scope}:avanzo:restricted",
                                           totals["avanzo_restricted"]),
        "total_avanzo_unrestricted": figures(f"{scope}:avanzo:unrestricted",
                                             totals["avanzo_unrestricted"]),
        "total_entrata": figures(f"{scope}:entrata", totals["entrata"]),
        "total_budget": figures(f"{scope}:budget", totals["budget"]),
        "total_non_applicata": figures(f"{scope}:non_applicata", totals["non_applicata"]),
        "total_net": figures(f"{scope}:net", totals["net"]),
        "show_restricted_split": bool(by_kind[_KIND.SURPLUS]) and any(
            not a.restricted for a in by_kind[_KIND.SURPLUS]
        ),
    }
    return table


# --- Piano Operativo -------------------------------------------------------------------


_PO_NOTE_SLOTS = (
    ("activities", r"^azioni"), ("resources", r"^risorse"), ("referents", r"^referenti"),
    ("evaluation", r"^(valutazione|indicatori|range)"), ("timing", r"^tempi"),
    ("goal", r"^obiettivo (del|per il) tr"),
)


def _po_objective(objective, outline, notes):
    heading = outline.heading(f"Obiettivo {objective.number}", 2)
    slots = defaultdict(list)
    for section in notes:
        slot = next((n for n, p in _PO_NOTE_SLOTS if _matches(section, p)), "end")
        slots[slot].append(outline.figure_slots.body_html(section))
    measured = [i for i in objective.indicators_list if i.kind != Indicator.Kind.TEXT]
    return _block(
        "po_objective", heading=heading, objective=objective,
        description=render_markdown(objective.description),
        goal=render_markdown(objective.triennial_goal),
        timing=render_markdown(objective.timing),
        indicators=[i for i in objective.indicators_list if i.kind == Indicator.Kind.TEXT],
        measured=_indicator_tables(objective, measured, with_charts=False),
        with_notes=any(line.note for a in objective.action_list for line in a.lines_list),
        notes={k: v for k, v in slots.items()},
    )


def build_operating_plan(plan):
    rows = _Rows()
    plan = _load_plan(plan, rows)
    ambito = plan.zone_plan.ambito
    document = _document(ambito, SourceDocument.Kind.OPERATING_PLAN, [plan.year], rows)
    figures = Figures(_printed_totals(
        ambito, [plan.year], [SourceDocument.Kind.OPERATING_PLAN, SourceDocument.Kind.FINAL_REPORT],
        rows,
    ))
    stages = ("preventivo",)
    objectives = _plan_rows(plan, rows, figures, stages=stages)
    plan_figures = _plan_figures(plan, figures, stages=stages)
    sections, tables = _narrative(document, rows)
    tables_by_section, orphans = _tables_by_section(sections, tables)
    before, after, tied = _split_sections(sections)
    outline = Outline()
    outline.checks = figures.computed
    outline.figure_slots = FigureSlots([_board_figures(ambito, rows)])
    funding = _allocation_table(ambito, plan.year, _STAGE.PLANNED, figures, rows)
    channels = _channel_rows(ambito, plan.year, rows)

    flow = []
    channels_anchor = _first(before, r"canali di finanziamento")
    for section in before:
        anchored = []
        if section is channels_anchor and channels:
            anchored.append(_block(
                "channels", channels=channels, year=plan.year,
                with_references=any(c.reference_list for c in channels),
            ))
        flow.append(section_block(section, outline, tables=tables_by_section[section.pk],
                                  anchored=anchored))
    notes = defaultdict(list)
    for section in tied:
        notes[section.objective_id].append(section)
    last_area = "none yet"
    # One chapter per macro-area: its objectives together (in number order), the areas in
    # the order their first objective comes (a plan made in the app may interleave them).
    area_rank = {}
    for objective in objectives:
        area_rank.setdefault(objective.area_id, len(area_rank))
    for objective in sorted(objectives, key=lambda o: (area_rank[o.area_id], o.number)):
        first_of_area = objective.area_id != last_area
        if first_of_area:
            last_area, area = objective.area_id, objective.area
            title = area.name if area else f"Obiettivi del Piano Operativo {plan.year}"
            flow.append(_block(
                "area", heading=outline.heading(title, 1),
                description=render_markdown(area.description) if area else "",
                objectives=[o for o in objectives if o.area_id == objective.area_id],
            ))
        block = _po_objective(objective, outline, notes[objective.pk])
        block["first_of_area"] = first_of_area
        flow.append(block)

    summary = _block("po_summary", objectives=objectives, total=plan_figures["preventivo"],
                     year=plan.year)
    closing = [summary, _block("funding", table=funding,
                               title=f"Canali di finanziamento {plan.year}",
                               net_label=f"TOTALE PO {plan.year}")]
    closing_anchor = _first(after, r"finanziament", r"canali", last=True)
    for section in after:
        anchored = closing if section is closing_anchor else []
        flow.append(section_block(section, outline, tables=tables_by_section[section.pk],
                                  anchored=anchored))
    if closing_anchor is None:
        flow.append(synthetic_section(f"Riepilogo e canali di finanziamento {plan.year}", 1,
                                      outline, closing))
    if orphans:
        flow.append(synthetic_section("Altre tabelle", 1, outline,
                                      [datatable_block(t) for t in orphans]))
    title = document.title if document else plan.title
    context = {
        "cover": _cover(
            ambito=ambito, title=title, subtitle=document.subtitle if document else "",
            period=f"Anno {plan.year} – {plan.zone_plan.title}",
            approval=_plan_approval(plan, rows), draft=_is_draft(plan),
            author=document.author if document else "",
        ),
        "flow": (flow := _without_empty_headings(flow, outline)),
        "toc": outline.entries,
        "figures_without_data": outline.figure_slots.missing,
    }
    return ReportData(KIND_OPERATING_PLAN, "reports/pdf/report.html", context, rows, figures)


def _channel_rows(ambito, year, rows):
    """The funds financing the year, with their legal reference for that year."""
    channels = rows.all(
        FundingChannel.objects.filter(ambito=ambito, allocations__year=year)
        .distinct().order_by("code")
    )
    from budget.models import ChannelReference

    references = rows.all(
        ChannelReference.objects.filter(channel__in=[c.pk for c in channels], year=year)
        .order_by("channel_id", "date", "pk")
    )
    by_channel = defaultdict(list)
    for reference in references:
        by_channel[reference.channel_id].append(reference)
    for channel in channels:
        channel.reference_list = by_channel[channel.pk]
    return channels


# --- Relazione Consuntivo --------------------------------------------------------------


_QUARTER_LABEL = "Al {}"


def _indicator_value(indicator, measurement):
    return display_measure(measurement, kind=indicator.kind)


def _indicator_tables(objective, indicators, *, with_charts):
    """Indicators grouped by action and table, one column per period found in the group."""
    groups = {}
    for indicator in indicators:
        key = (indicator.action_id, indicator.table_label)
        groups.setdefault(key, []).append(indicator)
    tables = []
    for (action_id, label), members in groups.items():
        periods = sorted({m.period_end for i in members for m in i.measurement_list})
        body = []
        series = []
        for indicator in members:
            by_period = {m.period_end: m for m in indicator.measurement_list}
            cells = [_indicator_value(indicator, by_period.get(p)) for p in periods]
            body.append({"indicator": indicator, "cells": cells})
            values = [
                by_period[p].value
                if p in by_period and by_period[p].state == Measurement.State.VALUE
                and by_period[p].value is not None else None
                for p in periods
            ]
            if indicator.kind in (Indicator.Kind.COUNT, Indicator.Kind.DECIMAL,
                                  Indicator.Kind.PERCENTAGE, Indicator.Kind.CURRENCY) and any(
                v is not None for v in values
            ):
                series.append((indicator.name, values))
        chart = None
        if with_charts and series and periods:
            chart = charts.lazy(charts.indicator_dots)(
                f"Indicatori {label or ''} dell'obiettivo {objective.number}".replace("  ", " "),
                [format_short_date(p)[:5] for p in periods], series,
            )
        tables.append({
            "action_id": action_id, "label": label,
            "periods": [_QUARTER_LABEL.format(format_short_date(p)) for p in periods],
            "rows": body, "chart": chart,
            "notes": [i.note for i in members if i.note],
        })
    return tables


def _milestone_rows(milestones):
    outcome = {"si": "Sì", "no": "No", "nd": "–", "": ""}
    return [
        {
            "milestone": m,
            "due": format_short_date(m.due_date) if m.due_date else m.get_periodicity_display(),
            "achieved": outcome.get(m.achieved, m.achieved),
        }
        for m in milestones
    ]


_ACTION_TITLE = re.compile(r"^azione\s+(\d+)\b")


def _final_objective(objective, outline, sections, tables_by_section):
    heading = outline.heading(f"Obiettivo {objective.number}: {objective.title}", 2)
    intro, by_action, rest = [], defaultdict(list), []
    actions = {a.number: a for a in objective.action_list}
    for section in sections:
        match = _ACTION_TITLE.match(_normal(section.title))
        if section.level <= 2 and not match:
            intro.append(section)
        elif match and int(match.group(1)) in actions:
            by_action[int(match.group(1))].append(section)
        else:
            rest.append(section)
    indicator_tables = _indicator_tables(objective, objective.indicators_list, with_charts=True)
    milestones = defaultdict(list)
    for milestone in objective.milestones_list:
        milestones[milestone.action_id].append(milestone)
    tables_by_action = defaultdict(list)
    for table in indicator_tables:
        tables_by_action[table["action_id"]].append(table)
    parts = []
    for action in objective.action_list:
        own_sections = by_action.get(action.number, [])
        if not (tables_by_action[action.pk] or milestones[action.pk] or own_sections):
            continue
        title = f"Azione {action.number}: {action.title}"
        if own_sections and _normal(own_sections[0].title) != _normal(title):
            title = own_sections[0].title
        parts.append({
            "heading": outline.heading(title, 3, toc=False),
            "indicators": tables_by_action[action.pk],
            "milestones": _milestone_rows(milestones[action.pk]),
            "milestones_notes": any(m.note for m in milestones[action.pk]),
            "sections": [
                section_block(s, outline, tables=tables_by_section[s.pk], level=4)
                | {"hide_heading": i == 0}
                for i, s in enumerate(own_sections)
            ],
        })
    loose = tables_by_action[None]
    if loose or milestones[None]:
        parts.append({
            "heading": outline.heading(f"Obiettivo {objective.number}: indicatori", 3, toc=False),
            "indicators": loose, "milestones": _milestone_rows(milestones[None]), "sections": [],
            "milestones_notes": any(m.note for m in milestones[None]),
        })
    chart = None
    budget_rows = [(f"Az. {a.number}: {a.title}", a.total_preventivo, a.total_consuntivo)
                   for a in objective.action_list]
    if any(p or c for _l, p, c in budget_rows):
        chart = charts.lazy(charts.planned_vs_actual)(
            f"Obiettivo {objective.number}, preventivo e consuntivo per azione", budget_rows
        )
    return _block(
        "final_objective", heading=heading, objective=objective, chart=chart,
        intro=[item for s in intro if s.body.strip() for item in outline.figure_slots.body_items(s)]
        + [datatable_block(t, outline.checks) for s in intro for t in tables_by_section[s.pk]],
        parts=parts,
        rest=[section_block(s, outline, tables=tables_by_section[s.pk], level=3) for s in rest],
        with_notes=any(line.note for a in objective.action_list for line in a.lines_list),
    )


def _funds_history(ambito, rows):
    """Entrate per year (the consuntivo where entered, else the preventivo) by fund."""
    history = budget.allocations_by_year(ambito=ambito)
    stages = defaultdict(set)
    for row in history:
        stages[row["year"]].add(row["stage"])
    chosen = {y: (_STAGE.ACTUAL if _STAGE.ACTUAL in s else _STAGE.PLANNED)
              for y, s in stages.items()}
    years = sorted(chosen)
    by_channel = defaultdict(lambda: defaultdict(lambda: ZERO))
    names = {}
    for row in history:
        if row["stage"] != chosen[row["year"]]:
            continue
        code = row["channel__code"] or "ALTRO"
        names[code] = row["channel__name"] or "Altre entrate"
        by_channel[code][row["year"]] += row["total"]
    ranking = sorted(by_channel, key=lambda c: -sum(by_channel[c].values()))
    top, others = ranking[:7], ranking[7:]
    # Legends name the funds as people know them (FundingChannel.name), never by code.
    series = [(names[code], [by_channel[code][y] for y in years]) for code in top]
    if others:
        series.append(("Altri fondi", [sum((by_channel[c][y] for c in others), ZERO)
                                       for y in years]))
    year_rows = [
        {"year": y, "stage": dict(_STAGE.choices)[chosen[y]],
         "total": budget.allocation_totals(ambito=ambito, year=y, stage=chosen[y])["entrata"]}
        for y in years
    ] if len(years) <= 12 else []
    chart = None
    if years:
        chart = charts.lazy(charts.stacked_by_year)("Entrate per fondo e per anno", years, series)
    gaps = [y for y in range(years[0], years[-1] + 1) if y not in chosen] if years else []
    return {"chart": chart, "years": year_rows, "gaps": gaps}


def _agency_history(ambito):
    rows = budget.agency_figures_by_year(ambito=ambito)
    years = sorted({r["year"] for r in rows})
    if not years:
        return {"chart": None, "rows": []}
    values = {(r["year"], r["kind"]): r["total"] for r in rows}
    revenue = [values.get((y, "ricavi")) for y in years]
    cost = [values.get((y, "costi")) for y in years]
    chart = charts.lazy(charts.grouped_by_year)("Ricavi e costi dell'ente gestore per anno", years,
                                   [("Ricavi", revenue), ("Costi", cost)])
    return {"chart": chart,
            "rows": [{"year": y, "revenue": r, "cost": c}
                     for y, r, c in zip(years, revenue, cost, strict=True)]}


def _kpi_table(ambito, year, rows):
    kpis = rows.all(Kpi.objects.filter(ambito=ambito).order_by("position", "pk"))
    values = rows.all(KpiValue.objects.filter(kpi__ambito=ambito, year__lte=year).order_by("year"))
    years = sorted({v.year for v in values})[-5:]
    by_kpi = defaultdict(dict)
    for value in values:
        by_kpi[value.kpi_id][value.year] = value.value
    from core.formatting import format_euro

    def show(kpi, value):
        if value is None:
            return ""
        if kpi.unit == Kpi.Unit.EURO:
            return format_euro(value)
        if kpi.unit == Kpi.Unit.PERCENT:
            return f"{format_number(value)}%"
        return format_number(value)

    return {
        "years": years,
        "rows": [{"kpi": k, "cells": [show(k, by_kpi[k.pk].get(y)) for y in years]}
                 for k in kpis],
    }


def build_final_report(plan):
    rows = _Rows()
    plan = _load_plan(plan, rows)
    ambito = plan.zone_plan.ambito
    year = plan.year
    document = _document(ambito, SourceDocument.Kind.FINAL_REPORT, [year], rows)
    figures = Figures(_printed_totals(
        ambito, [year], [SourceDocument.Kind.OPERATING_PLAN, SourceDocument.Kind.FINAL_REPORT],
        rows,
    ))
    stages = ("preventivo", "consuntivo")
    objectives = _plan_rows(plan, rows, figures, stages=stages)
    plan_figures = _plan_figures(plan, figures, stages=stages)
    sections, tables = _narrative(document, rows)
    tables_by_section, orphans = _tables_by_section(sections, tables)
    before, after, tied = _split_sections(sections)
    outline = Outline()
    outline.checks = figures.computed
    outline.figure_slots = FigureSlots([_board_figures(ambito, rows)])

    result = budget.year_result(plan=plan)
    surplus = rows.all(Surplus.objects.filter(plan=plan).select_related("objective", "action")
                       .order_by("position", "pk"))
    surplus_totals = budget.surplus_totals(plan=plan)
    management = _block(
        "management", year=year,
        income=figures(f"allocations:{year}:consuntivo:budget", result["income"]),
        spent=plan_figures["consuntivo"],
        result=figures(f"result:{year}", result["result"]),
        surplus=surplus,
        surplus_restricted=figures(f"surplus:{year}:restricted", surplus_totals["restricted"]),
        surplus_unrestricted=figures(f"surplus:{year}:unrestricted",
                                     surplus_totals["unrestricted"]),
        surplus_total=figures(f"surplus:{year}:total", surplus_totals["total"]),
        by_objective=budget.surplus_by_objective(plan=plan),
    )
    revenues = _block(
        "revenues", year=year,
        table=_allocation_table(ambito, year, _STAGE.ACTUAL, figures, rows),
        spent=plan_figures["consuntivo"],
        result=figures(f"result:{year}", result["result"]),
    )
    kpi = _block("kpis", table=_kpi_table(ambito, year, rows), year=year)
    funds = _block("funds_history", **_funds_history(ambito, rows))
    if funds["gaps"] or not funds["chart"]:
        missing = ", ".join(str(y) for y in funds["gaps"])
        outline.figure_slots.note_missing(
            "Entrate per fondo e per anno", "Fondi per anno",
            f"Bilancio › Entrate per canale: mancano gli anni {missing}; il grafico mostra "
            "solo gli anni inseriti" if missing else
            "Bilancio › Entrate per canale: nessun anno inserito, il grafico non è stampato",
        )
    agency = _block("agency_history", **_agency_history(ambito))

    anchors = {
        "funds": _first(before, r"fondi"),
        "management": _first(before, r"analisi della gestione", r"gestione"),
        "revenues": _first(before, r"^ricavi", r"ricavi"),
        "costs": _first(before, r"^costi$", r"costi"),
        "kpi": _first(before, r"indicatori"),
    }
    blocks = {"funds": funds, "management": management, "revenues": revenues,
              "costs": agency, "kpi": kpi}
    # What the app does not hold is not printed (no "not yet entered" sentence in a document
    # to sign): the plan's report page lists it for staff, with where to enter it.
    held = {
        "management": bool(result["income"] or plan_figures["consuntivo"].value or surplus),
        "revenues": not revenues["table"]["empty"],
        "kpi": bool(kpi["table"]["rows"] and kpi["table"]["years"]),
        "funds": funds["chart"] is not None,
        "costs": bool(agency["rows"]),
    }
    where = {
        "management": (f"Sintesi consuntivo {year}",
                       "Bilancio › Entrate a consuntivo e consuntivo delle righe del Piano"),
        "revenues": (f"Entrate a consuntivo {year}", "Bilancio › Entrate per canale (consuntivo)"),
        "costs": ("Ricavi e costi dell'ente gestore per anno",
                  "Bilancio › Ricavi e costi dell'ente gestore"),
        "kpi": ("Indicatori annuali", "Indicatori › Indicatori annuali dell'ambito"),
    }
    for name, is_held in held.items():
        if not is_held:
            blocks[name] = None
            if name in where:
                outline.figure_slots.note_missing(where[name][0], "Analisi della gestione",
                                                  where[name][1])
    if anchors["costs"] is None:
        anchors["costs"] = anchors["revenues"] or anchors["management"]
    flow = []
    for section in before:
        anchored = [blocks[name] for name, s in anchors.items() if s is section and blocks[name]]
        flow.append(section_block(section, outline, tables=tables_by_section[section.pk],
                                  anchored=anchored))
    missing = [name for name in ("management", "funds", "revenues", "costs", "kpi")
               if anchors[name] is None and blocks[name]]
    titles = {"management": "Analisi della gestione", "funds": "Fondi per anno",
              "revenues": "Ricavi", "costs": "Ricavi e costi per anno",
              "kpi": "Alcuni indicatori"}
    if missing:  # one chapter of the report's own, its parts flowing on its pages
        flow.append(synthetic_section(f"Analisi della gestione {year}", 1, outline,
                                      [blocks["management"]] if "management" in missing else []))
    for name in missing:
        if name != "management":
            flow.append(synthetic_section(titles[name], 2, outline, [blocks[name]]))
    if not before or not any(s.level == 1 and _matches(s, r"obiettiv", r"piano operativo")
                             for s in before):
        flow.append(synthetic_section(f"Obiettivi del Piano Operativo {year}", 1, outline, []))
    by_objective = defaultdict(list)
    for section in tied:
        by_objective[section.objective_id].append(section)
    for objective in objectives:
        flow.append(_final_objective(objective, outline, by_objective[objective.pk],
                                     tables_by_section))
    summary_rows = [(f"Ob. {o.number}: {o.short_title or o.title}", o.total_preventivo,
                     o.total_consuntivo) for o in objectives]
    summary = _block(
        "final_summary", objectives=objectives, totals=plan_figures, year=year,
        chart=charts.lazy(charts.planned_vs_actual)(
            f"Piano Operativo {year}, preventivo e consuntivo per obiettivo", summary_rows,
            label_width=40,
        )
        if objectives else None,
    )
    summary_anchor = _first(after, r"riepilogo", r"piano operativo")
    for section in after:
        flow.append(section_block(section, outline, tables=tables_by_section[section.pk],
                                  anchored=[summary] if section is summary_anchor else []))
    if summary_anchor is None:
        flow.append(synthetic_section(f"Riepilogo Piano Operativo {year}", 1, outline, [summary]))
    classification = _returns_section(plan, rows)
    if classification:
        flow.append(synthetic_section(
            f"Classificazione della spesa e debiti informativi {year}", 1, outline,
            [classification]))
    if orphans:
        flow.append(synthetic_section("Altre tabelle", 1, outline,
                                      [datatable_block(t) for t in orphans]))
    title = document.title if document else f"Relazione Consuntivo {year}"
    context = {
        "cover": _cover(
            ambito=ambito, title=title, subtitle=document.subtitle if document else plan.title,
            period=f"Anno {year} – {plan.zone_plan.title}",
            approval=_plan_approval(plan, rows, closing=True), draft=_is_draft(plan),
            author=document.author if document else "",
        ),
        "flow": (flow := _without_empty_headings(flow, outline)),
        "toc": outline.entries,
        "figures_without_data": outline.figure_slots.missing,
    }
    return ReportData(KIND_FINAL_REPORT, "reports/pdf/report.html", context, rows, figures)


# --- Classification of the spending and the returns it feeds (issue 21) -----------------

RETURN_KEYS = ("istat", "fnps", "leps")


def _returns_section(plan, rows):
    """The year's uscite cut as the returns cut them: by area di utenza and ISTAT macro-area
    (the ``istat`` return), the FNPS share to minors and families against its minimum (the
    ``fnps`` return's check), the LEPS covered and not (the ``leps`` return). Every figure
    is the return builder's (returns/builder.py): the document and the files sent upward
    print the same numbers. None when the plan has no consuntivo or the reference lists
    are missing (nothing to print)."""
    ambito = plan.zone_plan.ambito
    built = {}
    try:
        for key in RETURN_KEYS:
            template = rows.one(returns.template_for(key, ambito))
            built[key] = returns.build(template, ambiti=[ambito], year=plan.year)
    except returns.ReturnError:
        return None
    istat = built["istat"]
    if not istat.lines_total:
        return None
    dimensions = {t.template.row_dimension for t in built.values()} | {
        t.template.column_dimension for t in built.values() if t.template.column_dimension}
    # Fingerprinted: a change of classification makes a new version of the report.
    rows.all(Assignment.objects.filter(action__objective__plan=plan).order_by("pk"))
    rows.all(Code.objects.filter(dimension__code__in=dimensions).order_by("pk"))

    fnps = built["fnps"]
    minimum = next((c for c in fnps.checks if c.name == "Quota minima"), None)
    leps = built["leps"]
    uncovered = set(next((c.figures.get("codes", []) for c in leps.checks
                          if c.name == "LEPS non coperti"), []))
    return _block(
        "classification", year=plan.year,
        istat={"columns": [label for _code, label in istat.columns],
               "rows": istat.rows, "column_totals": istat.column_totals,
               "total": istat.grand_total, "unclassified": istat.unclassified,
               "unclassified_share": istat.unclassified_share,
               "reconciled": istat.grand_total == istat.lines_total,
               "lines_total": istat.lines_total},
        fnps=minimum.figures | {"ok": minimum.ok} if minimum else None,
        leps={"rows": [{"label": r.label, "amount": r.total,
                        "covered": None if r.code is None else r.code not in uncovered}
                       for r in leps.rows],
              "total": leps.grand_total,
              "covered": sum(1 for r in leps.rows if r.code and r.code not in uncovered),
              "uncovered": len(uncovered)},
        notes=[n for t in built.values() for n in t.notes],
        sources={key: t.template.name for key, t in built.items()},
    )


# --- Piano di Zona ---------------------------------------------------------------------


def _territory_blocks(ambito, figures, rows):
    municipalities = rows.all(
        Municipality.objects.filter(ambito=ambito).select_related("sub_ambito")
        .order_by("sub_ambito__position", "position", "name")
    )
    population = rows.all(PopulationFigure.objects.filter(municipality__ambito=ambito))
    spending = rows.all(MunicipalSpending.objects.filter(municipality__ambito=ambito))
    pop_totals = territory.population_totals(ambito=ambito)
    spend_totals = territory.spending_totals(ambito=ambito)
    pop_years = sorted(pop_totals["total"])
    spend_years = sorted(spend_totals["total"])
    pop = {(p.municipality_id, p.year): p.value for p in population}
    spent = {(s.municipality_id, s.year): s for s in spending}

    def pop_fig(scope, value):
        return figures(scope, None if value is None else Decimal(value).quantize(Decimal("0.01")))

    groups = []
    for municipality in municipalities:
        name = municipality.sub_ambito.name if municipality.sub_ambito_id else ""
        if not groups or groups[-1]["name"] != name:
            groups.append({"name": name, "rows": [], "totals": [
                pop_fig(f"population:{y}:sub_ambito:{name}",
                        pop_totals["sub_ambito"].get(name, {}).get(y))
                for y in pop_years
            ] if name else []})
        groups[-1]["rows"].append({
            "municipality": municipality,
            "population": [pop.get((municipality.pk, y)) for y in pop_years],
        })
    classes = [
        {"name": name,
         "count": max(pop_totals["count_by_size_class"].get(name, {}).values(), default=0),
         "population": [pop_fig(f"population:{y}:size_class:{name}", values.get(y))
                        for y in pop_years]}
        for name, values in sorted(pop_totals["size_class"].items(), key=lambda kv: kv[0] or "")
        if name
    ]
    population_block = _block(
        "population", years=pop_years, groups=groups, classes=classes,
        totals=[pop_fig(f"population:{y}:total", pop_totals["total"].get(y)) for y in pop_years],
        count=len(municipalities),
    ) if pop_years else None
    spending_rows = [
        {"municipality": m,
         "cells": [(spent[(m.pk, y)].amount if (m.pk, y) in spent else None,
                    spent[(m.pk, y)].per_capita if (m.pk, y) in spent else None)
                   for y in spend_years]}
        for m in municipalities
        if any((m.pk, y) in spent for y in spend_years)
    ]
    spending_block = _block(
        "spending", years=spend_years, rows=spending_rows,
        totals=[figures(f"spending:{y}:total", spend_totals["total"].get(y)) for y in spend_years],
        classes=[
            {"name": name, "totals": [figures(f"spending:{y}:size_class:{name}", values.get(y))
                                      for y in spend_years]}
            for name, values in sorted(spend_totals["size_class"].items(),
                                       key=lambda kv: kv[0] or "")
            if name
        ],
    ) if spending_rows else None
    return population_block, spending_block


def _governance_block(ambito, rows):
    bodies = rows.all(Body.objects.filter(ambito=ambito).select_related("organisation")
                      .order_by("position", "name"))
    members = rows.all(BodyMember.objects.filter(body__ambito=ambito).order_by("body_id",
                                                                                "position"))
    meetings = rows.all(Meeting.objects.filter(body__ambito=ambito).order_by("body_id", "date"))
    deliberations = rows.all(Deliberation.objects.filter(ambito=ambito).select_related("body")
                             .order_by("date", "pk"))
    by_body = defaultdict(lambda: {"members": [], "meetings": []})
    for member in members:
        by_body[member.body_id]["members"].append(member)
    for meeting in meetings:
        by_body[meeting.body_id]["meetings"].append(format_date(meeting.date))
    return _block(
        "governance",
        bodies=[{"body": b, "description": render_markdown(b.description), **by_body[b.pk]}
                for b in bodies],
        deliberations=[{"issuer": d.body.name if d.body_id else d.issuer, "number": d.number,
                        "date": format_short_date(d.date), "subject": d.subject}
                       for d in deliberations],
    )


def _zone_budget_block(zone_plan, figures, rows):
    ambito = zone_plan.ambito
    years = list(range(zone_plan.start_year, zone_plan.end_year + 1))
    allocations = rows.all(
        FundingAllocation.objects.filter(ambito=ambito, year__in=years)
        .select_related("channel").order_by("year", "stage", "position", "pk")
    )
    if not allocations:
        return None
    stage_by_year = {}
    for allocation in allocations:
        if allocation.stage == _STAGE.ACTUAL or allocation.year not in stage_by_year:
            stage_by_year[allocation.year] = allocation.stage
    years = sorted(stage_by_year)
    groups = {}
    for allocation in allocations:
        if allocation.stage != stage_by_year[allocation.year]:
            continue
        group = groups.setdefault(allocation.group, {"name": allocation.group, "rows": {}})
        key = (allocation.kind, allocation.label)
        marker = re.match(r"^\*+", allocation.note or "")
        # A note such as "** progetti a valenza provinciale" is the key of a marker the label
        # already carries ("LIA **"): the document prints it once, under the table.
        note = "" if marker and marker.group(0) in allocation.label else allocation.note
        row = group["rows"].setdefault(key, {"label": allocation.label, "note": note,
                                             "kind": allocation.kind, "amounts": {}})
        row["amounts"][allocation.year] = allocation.amount
    group_totals = {y: budget.allocation_group_totals(ambito=ambito, year=y,
                                                      stage=stage_by_year[y])
                    for y in years}
    totals = {y: budget.allocation_totals(ambito=ambito, year=y, stage=stage_by_year[y])
              for y in years}
    return _block(
        "zone_budget", years=years,
        stages=[dict(_STAGE.choices)[stage_by_year[y]] for y in years],
        groups=[
            {"name": g["name"],
             "rows": [{**r, "cells": [r["amounts"].get(y) for y in years]}
                      for r in g["rows"].values()],
             "totals": [figures(f"allocations:{y}:{stage_by_year[y]}:group:{g['name']}",
                                group_totals[y].get(g["name"], ZERO)) for y in years]
             if g["name"] else []}
            for g in groups.values()
        ],
        totals=[figures(f"allocations:{y}:{stage_by_year[y]}:all", totals[y]["all"])
                for y in years],
    )


def _set_out(goal, text):
    """The goal's title, or the opening of its description, stands in ``text`` (plain)."""
    return any(part and part in text
               for part in (_plain(goal.title), _plain(goal.description)[:80].strip()))


def build_zone_plan(zone_plan):
    from objectives.models import ZonePlan

    rows = _Rows()
    zone_plan = ZonePlan.objects.select_related("ambito__ente_capofila", "approval__body").get(
        pk=getattr(zone_plan, "pk", zone_plan)
    )
    rows.one(zone_plan)
    ambito = zone_plan.ambito
    rows.one(ambito)
    years = range(zone_plan.start_year, zone_plan.end_year + 1)
    document = _document(ambito, SourceDocument.Kind.ZONE_PLAN, years, rows)
    figures = Figures(_printed_totals(ambito, years, [SourceDocument.Kind.ZONE_PLAN], rows))
    sections, tables = _narrative(document, rows)
    tables_by_section, orphans = _tables_by_section(sections, tables)
    outline = Outline()
    outline.checks = figures.computed
    outline.figure_slots = FigureSlots([_board_figures(ambito, rows)])
    areas = rows.all(Area.objects.filter(zone_plan=zone_plan).order_by("position", "pk"))
    goals = rows.all(PolicyGoal.objects.filter(area__zone_plan=zone_plan)
                     .order_by("area_id", "position", "pk"))
    goals_by_area = defaultdict(list)
    for goal in goals:
        goals_by_area[goal.area_id].append(goal)

    population, spending = _territory_blocks(ambito, figures, rows)
    blocks = {
        "population": population, "spending": spending,
        "governance": _governance_block(ambito, rows),
        "budget": _zone_budget_block(zone_plan, figures, rows),
    }
    anchors = {
        "population": _first(sections, r"demografic", r"popolazione", r"territorio"),
        "spending": _first(sections, r"spesa sociale"),
        "governance": _first(sections, r"governance"),
        "budget": _first(sections, r"bilancio", r"budget", r"risorse"),
    }
    last_of_area = {}
    for section in sections:
        if section.area_id:
            last_of_area[section.area_id] = section
    # An area's goals as a box, unless the area's own text already sets each of them out
    # (the seeds' narrative does: the box would print the same paragraphs twice).
    narrative = defaultdict(str)
    for section in sections:
        if section.area_id:
            narrative[section.area_id] += " " + _plain(section.body)
    goal_blocks = {
        area.pk: _block("goals", area=area, goals=goals_by_area[area.pk],
                        years=f"{zone_plan.start_year}-{zone_plan.end_year}")
        for area in areas if goals_by_area[area.pk] and not all(
            _set_out(g, narrative[area.pk]) for g in goals_by_area[area.pk])
    }
    flow = []
    for section in sections:
        anchored = [blocks[name] for name, s in anchors.items() if s is section and blocks[name]]
        area_goals = [goal_blocks.pop(a) for a, s in last_of_area.items()
                      if s is section and a in goal_blocks]
        flow.append(section_block(section, outline, tables=tables_by_section[section.pk],
                                  anchored=anchored + area_goals))
    titles = {"population": "Il territorio e i Comuni", "spending": "La spesa sociale dei Comuni",
              "governance": "La governance del Piano di Zona",
              "budget": f"Il bilancio {zone_plan.start_year}-{zone_plan.end_year}"}
    for name, block in blocks.items():
        if block and anchors[name] is None:
            flow.append(synthetic_section(titles[name], 1, outline, [block]))
    if goal_blocks:
        flow.append(synthetic_section("Aree di policy e obiettivi", 1, outline,
                                      list(goal_blocks.values())))
    if orphans:
        flow.append(synthetic_section("Altre tabelle", 1, outline,
                                      [datatable_block(t) for t in orphans]))
    title = document.title if document else zone_plan.title
    period = f"{zone_plan.start_year}-{zone_plan.end_year}"
    if zone_plan.nominal_start_year and (zone_plan.nominal_start_year, zone_plan.nominal_end_year) \
            != (zone_plan.start_year, zone_plan.end_year):
        period += (f" (ciclo di programmazione {zone_plan.nominal_start_year}-"
                   f"{zone_plan.nominal_end_year})")
    context = {
        "cover": _cover(
            ambito=ambito, title=title, subtitle=document.subtitle if document else "",
            period=f"Periodo {period}", approval=_zone_plan_approval(zone_plan, rows),
            draft=_is_draft(zone_plan), author=document.author if document else "",
        ),
        "flow": (flow := _without_empty_headings(flow, outline)),
        "toc": outline.entries,
        "figures_without_data": outline.figure_slots.missing,
        "description": render_markdown(zone_plan.description),
    }
    return ReportData(KIND_ZONE_PLAN, "reports/pdf/report.html", context, rows, figures)


BUILDERS = {
    KIND_OPERATING_PLAN: build_operating_plan,
    KIND_FINAL_REPORT: build_final_report,
    KIND_ZONE_PLAN: build_zone_plan,
}
