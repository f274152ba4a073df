"""The metronome: how fast the machine was while a phase of the bench ran.

The host itself changes speed between runs and within one (seen here: the same page's CPU
time per request 38 ms in one run and 49 ms in the next, the app unchanged). Each phase times
the same CPU-only workload now and then, in the process that measures: the same template
rendered with the same 300 rows (the app's kind of work: template engine, Decimal
formatting; no database, no I/O). Its times change only with the machine, so
bench/compare.py can tell a slower host from a slower app.
"""

import time
from decimal import Decimal

_WORK = {}


def sample(n):
    """``n`` timings (ms) of the workload. Needs Django set up."""
    from django.template import engines

    if not _WORK:
        _WORK["template"] = engines["django"].from_string(
            "{% load l10n %}<table>{% for name, amount in rows %}<tr><td>{{ name }}</td>"
            "<td>{{ amount|floatformat:2 }}</td><td>{{ amount|localize }}</td></tr>"
            "{% endfor %}</table>")
        _WORK["rows"] = [(f"Azione {i}", Decimal(i * 1234567) / 100) for i in range(300)]
    template, context = _WORK["template"], {"rows": _WORK["rows"]}
    times = []
    for _ in range(n):
        started = time.perf_counter()
        template.render(context)
        times.append((time.perf_counter() - started) * 1000)
    return times


class Phases:
    """The metronome's ticks of each phase of one run, and their medians for the JSON file."""

    def __init__(self):
        self.ticks = {}

    def add(self, phase, times):
        self.ticks.setdefault(phase, []).extend(times)

    def summary(self):
        from bench import stats

        out = {}
        for phase, times in self.ticks.items():
            p50, low, high = stats.median_interval(times)
            out[phase] = {"n": len(times), "p50": p50, "p50_low": low, "p50_high": high}
        return out

    def line(self):
        return "; ".join(f"{phase} {m['p50']:.2f} ms [{m['p50_low']:.2f}–{m['p50_high']:.2f}]"
                         for phase, m in self.summary().items())
