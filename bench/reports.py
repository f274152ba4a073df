"""Rendering of the Relazione Consuntivo 2018: total time against WeasyPrint alone."""

import statistics
import time

from django.db import connection
from django.test.utils import CaptureQueriesContext

RATIO_TARGET = 1.2
RUNS = 5  # alternated: a full render, then WeasyPrint alone on its HTML


def consuntivo_2018(phases=None, gate=None):
    """``phases``: bench/metronome.py's ticks (how fast the machine was); ``gate``
    (bench/steady.py): a pair of runs is kept only if the machine ran at speed throughout."""
    from bench import metronome, steady
    from objectives.models import OperatingPlan
    from reports import charts, rendering

    gate = gate or steady.Open()
    plan = OperatingPlan.objects.get(zone_plan__ambito__slug="cremasco", year=2018)
    # One untimed run: imports (matplotlib, WeasyPrint) and font loading are paid once per
    # worker process, not per report.
    rendering.render("consuntivo", plan)

    def pair():
        """A full render, then WeasyPrint alone on its HTML: wall and CPU seconds of each.
        CPU seconds of this process beside the wall clock: both are single-threaded here,
        and on a shared machine the wall clock also counts the time other processes held
        the CPU."""
        charts.forget_drawn()  # every run draws its charts again: no memo from the last one
        started, used = time.perf_counter(), time.process_time()
        with CaptureQueriesContext(connection) as captured:
            result = rendering.render("consuntivo", plan)
        total = (time.perf_counter() - started, time.process_time() - used)
        started, used = time.perf_counter(), time.process_time()
        rendering.html_to_pdf(result.html)
        alone = (time.perf_counter() - started, time.process_time() - used)
        return result, len(captured.captured_queries), total, alone

    totals, alone, queries, steps = [], [], [], []
    totals_cpu, alone_cpu = [], []
    result = None
    for _ in range(RUNS):
        result, count, total, weasy = gate.measure(metronome.sample, pair, phases, "pdf")
        totals.append(total[0])
        totals_cpu.append(total[1])
        alone.append(weasy[0])
        alone_cpu.append(weasy[1])
        queries.append(count)
        steps.append(result.timings)
    total, weasy = statistics.median(totals), statistics.median(alone)
    ratio = total / weasy

    def step(name):
        return f"{statistics.median(t[name] for t in steps):.2f}"

    rows = [
        ("render total (s), median [min–max]",
         f"{total:.2f} [{min(totals):.2f}–{max(totals):.2f}]"),
        ("  of which data (s)", step("data")),
        ("  of which charts + HTML (s)", step("html")),
        ("  of which PDF (s)", step("pdf")),
        ("WeasyPrint alone, same HTML (s), median [min–max]",
         f"{weasy:.2f} [{min(alone):.2f}–{max(alone):.2f}]"),
        ("ratio total / WeasyPrint, of the medians [min–max of the runs]",
         f"{ratio:.3f} [{min(t / w for t, w in zip(totals, alone, strict=True)):.3f}–"
         f"{max(t / w for t, w in zip(totals, alone, strict=True)):.3f}]"),
        (f"target ratio <= {RATIO_TARGET}", "MET" if ratio <= RATIO_TARGET else "NOT MET"),
        ("CPU s: render total / WeasyPrint alone, medians",
         f"{statistics.median(totals_cpu):.2f} / {statistics.median(alone_cpu):.2f}"),
        ("CPU ratio, median [min-max of the runs]",
         f"{statistics.median(totals_cpu) / statistics.median(alone_cpu):.3f} "
         f"[{min(t / w for t, w in zip(totals_cpu, alone_cpu, strict=True)):.3f}–"
         f"{max(t / w for t, w in zip(totals_cpu, alone_cpu, strict=True)):.3f}]"),
        ("pages", str(result.pages)),
        ("database queries", str(queries[-1])),
        ("PDF size (KB)", str(len(result.pdf) // 1024)),
        ("runs, alternated (median)", str(RUNS)),
    ]
    return "Relazione Consuntivo 2018 (cremasco), PDF/UA-1", rows, ratio <= RATIO_TARGET
