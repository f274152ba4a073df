"""The ISTAT return (issue 21) on the run's scratch copy: one ambito's return and the national
aggregate over every ambito of the scale, as ``manage.py returns istat`` builds them (ambiti
resolved, template found, table built, xlsx rendered; the file not written).

The synthetic plans carry no classification, so ``prepare()`` first gives the actions of the
measured year proposed assignments in bulk on the scratch copy (never on the template): one
area di utenza and one ISTAT macro-area per action, round-robin, every fifth action split
60/40 across two areas, so that the cut does real work rather than pouring everything into
the unclassified row.

    prepare()                  reference data, templates, assignments; (year, ambito slug)
    sample(scope, n)           n timed returns (ms), "one" or "national"
    queries(scope)             database queries of one return
    national_runs(runs)        the national return ``runs`` times: median and spread (s)

Targets: one ambito's return ≤ ONE_TARGET_S (p95 of the bench's samples), the national one
≤ NATIONAL_TARGET_S (median of at least 5 runs), and one ambito's query count the same at
every scale (bench/run.py compares the scales).
"""

import time
from decimal import Decimal

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

ONE_TARGET_S = 2.0
NATIONAL_TARGET_S = 60.0
AMBITO = "SYN-0001"
TEMPLATE = "istat"
_state = {}


def prepare():
    """Reference data, return templates and synthetic assignments (once per worker)."""
    if "year" in _state:
        return _state["year"], _state["ambito"]
    from classification import loader as classification_loader
    from classification.models import Assignment, Code
    from objectives.models import Action, OperatingPlan
    from returns.loader import load_templates

    classification_loader.load_reference()
    load_templates()
    year = (OperatingPlan.objects.filter(zone_plan__ambito__slug=AMBITO,
                                         state=OperatingPlan.State.CLOSED)
            .order_by("-year").values_list("year", flat=True).first())
    if year is None:
        raise RuntimeError(f"{AMBITO}: nessun piano chiuso da rendicontare")
    areas = list(Code.objects.filter(dimension__code="area_utenza")
                 .order_by("position", "code").values_list("id", "dimension_id"))
    macros = list(Code.objects.filter(dimension__code="macro_istat")
                  .order_by("position", "code").values_list("id", "dimension_id"))
    actions = list(Action.objects.filter(objective__plan__year=year)
                   .exclude(classifications__isnull=False)
                   .order_by("pk").values_list("pk", flat=True))
    rows = []
    for index, action_id in enumerate(actions):
        area, area_dim = areas[index % len(areas)]
        if index % 5 == 4:
            other, _dim = areas[(index + 1) % len(areas)]
            rows += [Assignment(action_id=action_id, dimension_id=area_dim, code_id=area,
                                share=Decimal("60"), reason="bench"),
                     Assignment(action_id=action_id, dimension_id=area_dim, code_id=other,
                                share=Decimal("40"), reason="bench")]
        else:
            rows.append(Assignment(action_id=action_id, dimension_id=area_dim, code_id=area,
                                   reason="bench"))
        macro, macro_dim = macros[index % len(macros)]
        rows.append(Assignment(action_id=action_id, dimension_id=macro_dim, code_id=macro,
                               reason="bench"))
    with transaction.atomic():
        Assignment.objects.bulk_create(rows, batch_size=5000)
    from bench.exports import vacuum

    vacuum()
    _state.update(year=year, ambito=AMBITO, actions=len(actions), assignments=len(rows))
    return year, AMBITO


def build(scope):
    """One return as the management command builds it, rendered to xlsx: the table."""
    from returns import builder, writers

    year, ambito = prepare()
    ambiti = builder.resolve_ambiti(ambito if scope == "one" else "all")
    template = builder.template_for(TEMPLATE, ambiti[0] if len(ambiti) == 1 else None)
    table = builder.build(template, ambiti=ambiti, year=year)
    content = writers.render(table, "xlsx")
    return table, len(content)


def sample(scope, n):
    prepare()
    times, cpu = [], []
    for _ in range(n):
        started, used = time.perf_counter(), time.process_time()
        build(scope)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - used) * 1000)
    return {"times": times, "cpu": cpu}


def queries(scope):
    prepare()
    with CaptureQueriesContext(connection) as captured:
        table, size = build(scope)
    return {"queries": len(captured.captured_queries), "ambiti": len(table.ambiti),
            "lines_total": str(table.lines_total), "unclassified": str(table.unclassified),
            "unclassified_share": str(table.unclassified_share), "xlsx_bytes": size,
            "year": _state["year"], "actions": _state["actions"],
            "assignments": _state["assignments"],
            "checks": [[c.name, c.ok] for c in table.checks]}


def national_runs(runs):
    """The national return ``runs`` times (at least 5): seconds, median and spread."""
    build("national")  # untimed: the first one pays imports and caches
    return sample("national", max(5, runs))["times"]


def verdicts(scales, one_p95_ms, national_median_s, one_queries):
    """The targets not met: ``one_p95_ms`` and ``national_median_s`` by scale, ``one_queries``
    by scale (a pure function, tested in tests/perf/test_bench_returns.py)."""
    checks = []
    for ambiti in scales:
        checks.append((f"ISTAT 1 ambito p95 <= {ONE_TARGET_S:g} s ({ambiti} ambiti): "
                       f"{one_p95_ms[ambiti] / 1000:.2f} s",
                       one_p95_ms[ambiti] <= ONE_TARGET_S * 1000))
        checks.append((f"ISTAT nazionale ({ambiti} ambiti) mediana <= {NATIONAL_TARGET_S:g} s: "
                       f"{national_median_s[ambiti]:.2f} s",
                       national_median_s[ambiti] <= NATIONAL_TARGET_S))
    checks.append((f"ISTAT 1 ambito: query costanti {one_queries}",
                   len(set(one_queries.values())) == 1))
    return [name for name, met in checks if not met]
