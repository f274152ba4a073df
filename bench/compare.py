"""Two runs of ``make bench`` side by side: do they agree within their printed spread?

    python bench/compare.py var/bench-<first>.json var/bench-<second>.json

Every figure the bench prints with an interval is put beside the other run's: the scale
table's p95 with the 95 % interval of its rank, the ISTAT return's p95 and national median,
the PDF, export, import and JIT figures with the min–max of their alternated runs. Two runs
agree on a figure when their intervals overlap (``stats.overlap``); "in" says whether each
value also lies inside the other run's interval. A figure measured once per run (its
interval a single point, e.g. the django-import-export baseline) is shown, not judged.

The host itself changes speed between runs and within one (bench/metronome.py). Each phase
of a run times the same CPU-only workload now and then; a figure that disagrees as measured
is judged again with the second run's times divided by the ratio of the two runs'
metronomes in that phase, and the verdict says so ("a macchina pari"). Ratios measured
alternately inside one run (export / COPY, import / bulk, PDF / WeasyPrint) need no evening
and get none.

Exit 0 when every judged figure agrees, 1 when one does not (listed at the end).
"""

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import stats  # noqa: E402 - after the path, as the other bench scripts

NUMBER = r"(\d+(?:\.\d+)?)"
# "7.56 s [7.41–8.11]", "13.80 [13.61–13.94]", "p95   97.2 [83–115] ms", "0.990 [0.895-1.115]"
WITH_INTERVAL = re.compile(NUMBER + r"\s*(?:s|ms|×)?\s*\[" + NUMBER + r"[–-]" + NUMBER + r"\]")
P95 = re.compile(r"p95\s+" + NUMBER + r"\s*\[" + NUMBER + r"[–-]" + NUMBER + r"\]")


def figure(text):
    """(value, low, high) of the first "value [low–high]" in a printed cell, or None."""
    found = P95.search(text) or WITH_INTERVAL.search(text)
    if not found:
        return None
    return tuple(float(g) for g in found.groups())


METRONOME = "metronomo"
# The phase of the run each section's figures were measured in (its metronome evens them).
PHASES = {"p95 ": "tabella", "settings": "impostazioni", "jit_chunk": "jit_chunk",
          "export": "export", "import": "import", "ISTAT": "returns", "pdf": "pdf"}
RATIO_WORDS = ("rapporto", "ratio")


def metronomes(results):
    """phase -> (p50, low, high) of the metronome; the first runs kept one, of the table."""
    m = results.get("metronome") or {}
    if "p50" in m:
        m = {"tabella": m}
    return {phase: (v["p50"], v["p50_low"], v["p50_high"]) for phase, v in m.items()}


def phase_of(name):
    return next((phase for prefix, phase in PHASES.items() if name.startswith(prefix)), None)


def figures(results):
    """name -> (value, low, high) of every figure with an interval in one run's JSON."""
    out = {f"{METRONOME} {phase}": value for phase, value in metronomes(results).items()}
    for row in results.get("table", []):
        for scale, cell in row["cells"].items():
            out[f"p95 {row['what']} ({row['who']}) @ {scale}"] = (
                cell["p95"], cell["p95_low"], cell["p95_high"])
    returns = results.get("returns") or {}
    for scale, cell in (returns.get("one") or {}).items():
        out[f"ISTAT 1 ambito p95 ms @ {scale}"] = (cell["p95"], cell["p95_low"],
                                                   cell["p95_high"])
    for scale, times in (returns.get("national") or {}).items():
        med, low, high = stats.median_spread(times)
        out[f"ISTAT nazionale mediana ms @ {scale}"] = (med, low, high)
    for section in ("pdf", "settings", "jit_chunk", "export", "import"):
        for label, text in results.get(section) or []:
            value = figure(str(text))
            if value is not None:
                out[f"{section}: {label.strip()}"] = value
    return out


def machine_factors(first, second):
    """phase -> how much slower the machine was in the second run (its metronome over the
    first's), for the phases both runs timed."""
    a, b = metronomes(first), metronomes(second)
    return {phase: b[phase][0] / a[phase][0] for phase in a if phase in b}


def compare(first, second):
    """Rows (name, first, second, verdict) and the names that disagree. Verdicts: "accordo",
    "accordo a macchina pari", "DISACCORDO"; not judged: "macchina", "una misura", "solo in
    un giro"."""
    a, b = figures(first), figures(second)
    factors = machine_factors(first, second)
    rows, disagree = [], []
    for name in list(a) + [n for n in b if n not in a]:
        x, y = a.get(name), b.get(name)
        factor = factors.get(phase_of(name))
        evenable = factor and not any(word in name for word in RATIO_WORDS)
        if x is None or y is None:
            rows.append((name, x, y, "solo in un giro"))
        elif name.startswith(METRONOME):
            rows.append((name, x, y, f"macchina: secondo giro ×{y[0] / x[0]:.2f}"))
        elif x[1] == x[2] or y[1] == y[2]:
            rows.append((name, x, y, "una misura"))
        elif stats.overlap(x[1:], y[1:]):
            inside = x[1] <= y[0] <= x[2] and y[1] <= x[0] <= y[2]
            rows.append((name, x, y, "accordo" + (" (in)" if inside else "")))
        elif evenable and stats.overlap(x[1:], tuple(v / factor for v in y[1:])):
            rows.append((name, x, y, f"accordo a macchina pari (giro 2 ÷ {factor:.2f})"))
        else:
            rows.append((name, x, y, "DISACCORDO"))
            disagree.append(name)
    return rows, disagree


def machine_line(number, run):
    """What bench/steady.py's gate did in one run: how long it waited for the machine, and
    whether it ran out of patience (part of the run measured on a slower machine)."""
    m = run.get("machine")
    if not m:
        return f"giro {number}: senza attesa della macchina (nessun dato del cancello)"
    line = (f"giro {number}: metronomo di riferimento {m['reference_ms']:.2f} ms, turni "
            f"ripetuti {m['repeated']}, attesa {m['waited_s']:.0f} s")
    if m["slow_accepted"]:
        line += f"; pazienza esaurita, {m['slow_accepted']} turni misurati a macchina lenta"
    return line


def _cell(value):
    if value is None:
        return "—"
    v, low, high = value
    return f"{v:.3g} [{low:.3g}–{high:.3g}]" if v < 10 else f"{v:.0f} [{low:.0f}–{high:.0f}]"


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    runs = [json.loads(Path(p).read_text()) for p in argv]
    rows, disagree = compare(*runs)
    width = max(len(r[0]) for r in rows) if rows else 10
    print(f"{'figura':<{width}}  {'giro 1':>22}  {'giro 2':>22}  verdetto")
    for name, x, y, verdict in rows:
        print(f"{name:<{width}}  {_cell(x):>22}  {_cell(y):>22}  {verdict}")
    judged = sum(1 for r in rows if r[3].startswith(("accordo", "DISACCORDO")))
    evened = sum(1 for r in rows if r[3].startswith("accordo a macchina pari"))
    print(f"\n{judged - len(disagree)} di {judged} figure in accordo (intervalli che si "
          f"sovrappongono), di cui {evened} a macchina pari; non giudicate: "
          f"{len(rows) - judged}.")
    for number, run in enumerate(runs, start=1):
        print(machine_line(number, run))
    if disagree:
        print("In disaccordo:\n" + "\n".join(f"  - {n}" for n in disagree))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
