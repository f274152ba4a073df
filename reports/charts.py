"""The reports' figures, drawn by matplotlib as SVG (vector, text kept as text).

Amounts arrive as Decimal and are converted to float only here, as plotting
coordinates; every figure printed as a number comes from the tables, not from
the charts. Each function returns a ``Chart`` (SVG markup and its alt text).
"""

import base64
import hashlib
import io
import logging
import multiprocessing
import os
import pickle
import textwrap
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

from .format import format_number

FONT_DIR = Path(__file__).resolve().parent.parent / "core" / "static" / "reports" / "fonts"
FONT_FAMILY = "Inter"

PLANNED = "#a9bfd9"
ACTUAL = "#1f4e79"
GRID = "#d9dee5"
TEXT = "#2b2f36"
PERIOD_COLOURS = ["#b7cbe4", "#7fa3cf", "#3f73b0", "#1f4e79"]
SERIES_COLOURS = [
    "#1f4e79", "#3f8f8a", "#d08c2f", "#8a5a9e", "#b84a4a", "#5d7f2e", "#4f81bd",
    "#a0785a", "#6b7b8c", "#c2a83e",
]
WIDTH_IN = 6.6  # the text block of an A4 page with 2 cm margins, in inches


@dataclass(frozen=True)
class Chart:
    svg: str
    alt: str
    legend: tuple = ()  # (label, colour): printed in HTML under the chart, cheaper than drawn

    @property
    def data_uri(self):
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode()).decode()


class LazyChart:
    """A chart drawn the first time a template asks for it.

    Building a report's data (e.g. only to learn its data version) never draws.
    """

    def __init__(self, draw, *args, **kwargs):
        self._draw, self._args, self._kwargs = draw, args, kwargs
        self._chart = None

    @property
    def chart(self):
        if self._chart is None:
            self._chart = self._draw(*self._args, **self._kwargs)
        return self._chart

    @property
    def svg(self):
        return self.chart.svg

    @property
    def alt(self):
        return self.chart.alt

    @property
    def data_uri(self):
        return self.chart.data_uri

    @property
    def legend(self):
        return self.chart.legend


def lazy(draw):
    """``lazy(planned_vs_actual)(title, rows)``: the chart, drawn on first use."""
    return lambda *args, **kwargs: LazyChart(draw, *args, **kwargs)


logger = logging.getLogger(__name__)
_MEMO = {}
_MEMO_SIZE = 512


def _key(name, args, kwargs):
    return hashlib.sha256(pickle.dumps((name, args, sorted(kwargs.items())))).hexdigest()


def _draw_spec(spec):
    name, args, kwargs = spec
    return globals()[name](*args, **kwargs)


def forget_drawn():
    """Empty the per-process memo (the benchmark measures cold renders)."""
    _MEMO.clear()


def draw_all(items, *, workers=None):
    """Draw every chart not drawn yet: matplotlib is the slow part of building a report.

    Charts are independent, so with more than one CPU they are drawn by forked worker
    processes (they inherit matplotlib already loaded); where forking is not possible
    (a daemonic Celery child, another platform) they are drawn here, one by one. A
    chart drawn before in this process with the same data is taken from the memo.
    """
    pending = []
    for chart in items:
        if chart._chart is not None:
            continue
        key = _key(chart._draw.__name__, chart._args, chart._kwargs)
        if key in _MEMO:
            chart._chart = _MEMO[key]
        else:
            pending.append((key, chart))
    if not pending:
        return
    _matplotlib()
    workers = workers or min(os.cpu_count() or 1, 4)
    results = None
    can_fork = ("fork" in multiprocessing.get_all_start_methods()
                and not multiprocessing.current_process().daemon)  # a prefork Celery child
    if workers > 1 and len(pending) >= 8 and can_fork:
        specs = [(c._draw.__name__, c._args, c._kwargs) for _k, c in pending]
        try:
            context = multiprocessing.get_context("fork")
            chunk = max(1, len(specs) // (workers * 3))
            with ProcessPoolExecutor(workers, mp_context=context) as pool:
                results = list(pool.map(_draw_spec, specs, chunksize=chunk, timeout=120))
        except Exception:  # noqa: BLE001 - any failure of the pool: draw here instead
            logger.warning("grafici disegnati in un solo processo", exc_info=True)
            results = None
    for index, (key, chart) in enumerate(pending):
        chart._chart = results[index] if results is not None else chart._draw(
            *chart._args, **chart._kwargs
        )
        if len(_MEMO) >= _MEMO_SIZE:
            _MEMO.pop(next(iter(_MEMO)))
        _MEMO[key] = chart._chart


@cache
def _matplotlib():
    """Imported on first use: web processes that never draw a chart never pay for it."""
    import matplotlib

    matplotlib.use("svg", force=True)
    from matplotlib import font_manager
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    for path in sorted(FONT_DIR.glob("*.otf")):
        font_manager.fontManager.addfont(str(path))
    matplotlib.rcParams.update({
        "svg.fonttype": "none",  # text stays text: searchable, and drawn with the report font
        "svg.hashsalt": "pianozona",  # stable ids: the same data gives the same file
        "font.family": FONT_FAMILY,
        "font.size": 7,
        "text.color": TEXT,
        "axes.labelcolor": TEXT,
        "axes.edgecolor": "#8a94a3",
        "axes.linewidth": 0.6,
        "xtick.color": TEXT,
        "ytick.color": TEXT,
        "xtick.major.width": 0.5,
        "ytick.major.width": 0.5,
        "legend.frameon": False,
        "figure.dpi": 72,
    })
    return Figure, FuncFormatter


@cache
def _locators():
    from matplotlib.ticker import FixedLocator, NullLocator

    return FixedLocator, NullLocator


def _nice_ticks(highest, *, log=False):
    """Few explicit ticks: matplotlib's own locators cost more than the rest of a chart."""
    if highest <= 0:
        return [0.0]
    if log:
        ticks, step = [0.0], 10.0
        while True:
            ticks.append(step)
            if step >= highest:
                return ticks
            step *= 10
    magnitude = 10 ** (len(str(int(highest))) - 1)
    for unit in (1, 2, 2.5, 5, 10):
        step = unit * magnitude
        if highest / step <= 5:
            break
    return [step * i for i in range(int(highest / step) + 2)]


def _svg(fig):
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    svg = buffer.getvalue()
    # The XML prolog and doctype are useless inline and make some renderers choke.
    return svg[svg.index("<svg"):]


def money_tick(value, _pos=None):
    value = Decimal(str(value))
    if abs(value) >= 1_000_000:
        return f"{format_number(value / 1_000_000, 1)} mln"
    if abs(value) >= 1_000:
        return f"{format_number(value / 1_000, 0)} mila"
    return format_number(value, 0)


def _number_tick(value, _pos=None):
    return format_number(Decimal(str(round(value, 2))))


def _wrap(label, width):
    return "\n".join(textwrap.wrap(label, width)[:2]) if len(label) > width else label


def _style(ax, *, grid_axis):
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(axis=grid_axis, color=GRID, linewidth=0.5)
    ax.set_axisbelow(True)
    ax.tick_params(length=2, pad=2)


def _hbar_layout(fig, rows, *, left=0.36, top_in=0.42, bottom_in=0.32, row_in=0.3):
    height = top_in + bottom_in + row_in * rows
    fig.set_size_inches(WIDTH_IN, height)
    ax = fig.add_axes([left, bottom_in / height, 0.97 - left, (row_in * rows) / height])
    return ax


def _row_labels(ax, labels, label_width):
    """Row labels as plain text, not ticks: matplotlib's tick objects cost most of a chart."""
    transform = ax.get_yaxis_transform()  # x in axes fraction, y in data
    for row, label in enumerate(labels):
        ax.text(-0.012, row, _wrap(label, label_width), transform=transform, ha="right",
                va="center", fontsize=6.6, linespacing=1.05)
    ax.set_yticks([])
    ax.spines["left"].set_visible(True)


def _value_axis(ax, highest, *, log=False, money=False):
    formatter_cls = _matplotlib()[1]
    fixed, null = _locators()
    if log:
        ax.set_xscale("symlog", linthresh=10, linscale=0.6)
    ticks = _nice_ticks(highest, log=log)
    ax.xaxis.set_major_locator(fixed(ticks))
    ax.xaxis.set_minor_locator(null())
    ax.set_xlim(0, ticks[-1] or 1)
    ax.xaxis.set_major_formatter(formatter_cls(money_tick if money else _number_tick))


def planned_vs_actual(title, rows, *, label_width=42):
    """Horizontal bars, preventivo and consuntivo for each row ``(label, planned, actual)``."""
    figure_cls, _formatter = _matplotlib()
    fig = figure_cls()
    ax = _hbar_layout(fig, max(len(rows), 1), top_in=0.12)
    ax.set_autoscale_on(False)
    positions = list(range(len(rows)))
    planned = [float(r[1] or 0) for r in rows]
    actual = [float(r[2] or 0) for r in rows]
    height = 0.38
    ax.barh([p - height / 2 for p in positions], planned, height, color=PLANNED)
    ax.barh([p + height / 2 for p in positions], actual, height, color=ACTUAL)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    _value_axis(ax, max(planned + actual + [0.0]), money=True)
    _row_labels(ax, [r[0] for r in rows], label_width)
    _style(ax, grid_axis="x")
    alt = f"{title}: " + "; ".join(
        f"{label} preventivo {money_tick(p)} €, consuntivo {money_tick(a)} €"
        for label, p, a in rows
    )
    return Chart(_svg(fig), alt, (("Preventivo", PLANNED), ("Consuntivo", ACTUAL)))


def indicator_dots(title, periods, series, *, label_width=48):
    """One row per indicator, one dot per period (a dot plot on a log-like scale).

    ``series`` is ``[(name, [value or None per period])]``; None (N.D., –, empty)
    draws nothing. A symmetric log scale keeps 5 and 18.000 readable side by side.
    """
    figure_cls, _formatter = _matplotlib()
    fig = figure_cls()
    # Many indicators: tighter rows and wider labels (one line each), so that the chart
    # still fits the page beside the end of its table.
    many = len(series) > 12
    if many:
        label_width = max(label_width, 62)
    ax = _hbar_layout(fig, max(len(series), 1), left=0.46 if many else 0.42,
                      row_in=0.19 if many else 0.26, top_in=0.12)
    ax.set_autoscale_on(False)
    colours = PERIOD_COLOURS[-len(periods):] if len(periods) <= 4 else SERIES_COLOURS
    for row, (_name, values) in enumerate(series):
        known = [float(v) for v in values if v is not None]
        if len(known) > 1:
            ax.plot([min(known), max(known)], [row, row], color=GRID, linewidth=1.2, zorder=2)
    for index, colour in enumerate(colours[:len(periods)]):
        points = [(float(values[index]), row) for row, (_n, values) in enumerate(series)
                  if values[index] is not None]
        if points:
            ax.plot([x for x, _y in points], [y for _x, y in points], linestyle="none",
                    marker="o", markersize=4, color=colour, markeredgewidth=0, zorder=3)
    highest = max((float(v) for _n, vs in series for v in vs if v is not None), default=1)
    ax.set_ylim(len(series) - 0.5, -0.5)
    _value_axis(ax, highest, log=highest > 50)
    _row_labels(ax, [name for name, _v in series], label_width)
    _style(ax, grid_axis="x")
    alt = f"{title}: " + "; ".join(
        f"{name}: " + ", ".join(
            f"{p} {'n.d.' if v is None else format_number(v)}"
            for p, v in zip(periods, values, strict=False)
        )
        for name, values in series
    )
    return Chart(_svg(fig), alt, tuple(zip(periods, colours, strict=False)))


def stacked_by_year(title, years, series, *, money=True):
    """Vertical stacked bars: ``series`` is ``[(label, [amount per year])]``."""
    figure_cls, formatter = _matplotlib()
    fig = figure_cls(figsize=(WIDTH_IN, 2.9))
    ax = fig.add_axes([0.1, 0.12, 0.6, 0.8])
    bottoms = [0.0] * len(years)
    positions = list(range(len(years)))
    for index, (label, values) in enumerate(series):
        heights = [float(v or 0) for v in values]
        ax.bar(positions, heights, 0.6, bottom=bottoms, label=_wrap(label, 34),
               color=SERIES_COLOURS[index % len(SERIES_COLOURS)])
        bottoms = [b + h for b, h in zip(bottoms, heights, strict=True)]
    ax.set_xticks(positions, [str(y) for y in years])
    if money:
        ax.yaxis.set_major_formatter(formatter(money_tick))
    _style(ax, grid_axis="y")
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=6.5, handlelength=1)
    alt = f"{title}: " + "; ".join(
        f"{year}: " + ", ".join(
            f"{label} {money_tick(values[i] or 0)} €" for label, values in series if values[i]
        )
        for i, year in enumerate(years)
    )
    return Chart(_svg(fig), alt)


def grouped_by_year(title, years, series):
    """Vertical grouped bars: ``series`` is ``[(label, [amount per year])]`` (ricavi, costi)."""
    figure_cls, formatter = _matplotlib()
    fig = figure_cls(figsize=(WIDTH_IN, 2.6))
    ax = fig.add_axes([0.1, 0.12, 0.87, 0.74])
    count = max(len(series), 1)
    width = 0.8 / count
    colours = [PLANNED, ACTUAL] if count == 2 else SERIES_COLOURS
    for index, (label, values) in enumerate(series):
        xs = [i - 0.4 + width * (index + 0.5) for i in range(len(years))]
        ax.bar(xs, [float(v or 0) for v in values], width, label=label,
               color=colours[index % len(colours)])
    ax.set_xticks(range(len(years)), [str(y) for y in years])
    ax.yaxis.set_major_formatter(formatter(money_tick))
    _style(ax, grid_axis="y")
    ax.legend(ncols=count, loc="lower right", bbox_to_anchor=(1.0, 1.0), fontsize=6.5,
              handlelength=1)
    alt = f"{title}: " + "; ".join(
        f"{year}: " + ", ".join(f"{label} {money_tick(values[i] or 0)} €"
                                for label, values in series)
        for i, year in enumerate(years)
    )
    return Chart(_svg(fig), alt)
