"""One scale's worker: Django bound to the run's scratch copy (DATABASE_URL), measuring on
request from bench/run.py, which talks to the workers of every scale in turn so that machine
noise falls on all scales alike.

Protocol: one JSON document per line on stdin (a command) and on the original stdout (its
answer); logs and anything Django prints go to stderr.

    {"cmd": "rows"}                         the rows of the table (what, who)
    {"cmd": "sample", "row": i, "n": k}     k timed requests of row i (ms, and the CPU ms of
                                            this process), as the app is set
    {"cmd": "sample", ..., "variant": v}    the same with JIT on ("jit") or without
                                            connection reuse ("no_reuse")
    {"cmd": "queries", "row": i}            database queries of one request of row i
    {"cmd": "dead"}                         dead rows per table now (then VACUUM ANALYZE)
    {"cmd": "export"} / {"cmd": "jit_chunk"} / {"cmd": "import"}   bench/exports.py
    {"cmd": "returns_sample", "row": scope, "n": k} / {"cmd": "returns_queries", "row": scope}
                                            bench/returns.py (scope "one" or "national")
    {"cmd": "metronome", "n": k}            k timings (ms) of bench/metronome.py: how fast
                                            the machine was meanwhile
    {"cmd": "quit"}
"""

import json
import os
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-not-a-secret")
os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
os.environ.setdefault("ALLOWED_HOSTS", "localhost,testserver,127.0.0.1")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")
# As the web process (pianozona/wsgi.py): the bench measures what gunicorn serves.
os.environ.setdefault("DATABASE_STATEMENT_TIMEOUT_MS", "30000")

WARMUP = 3
PAGES = [
    ("cruscotto /piani/<id>/cruscotto/", "/piani/{plan}/cruscotto/"),
    ("budget /obiettivi/<id>/budget/", "/obiettivi/{objective}/budget/"),
    ("rilevazioni /piani/<id>/rilevazioni/2/", "/piani/{plan}/rilevazioni/2/"),
]
LISTS = [
    ("API budget-lines ?page=1", "/api/v1/budget/budget-lines/"),
    ("API budget-lines ?cursor=", "/api/v1/budget/budget-lines/?cursor="),
    ("API budget-lines ?cursor (in fondo)", "/api/v1/budget/budget-lines/?cursor={deep}"),
    ("API budget-lines CSV ?cursor=", "/api/v1/budget/budget-lines/?format=csv&cursor="),
    ("API measurements ?page=1", "/api/v1/indicators/measurements/"),
    ("API measurements ?cursor=", "/api/v1/indicators/measurements/?cursor="),
    ("API objectives (totali) ?page=1", "/api/v1/objectives/objectives/"),
    ("API operating-plans (totali) ?page=1", "/api/v1/objectives/operating-plans/"),
]
STAFF = "ufficio (1 ambito)"


def log(message):
    print(message, file=sys.stderr, flush=True)


class Worker:
    def __init__(self):
        from django.test import Client

        from bench.databases import bench_users
        from budget.models import BudgetLine
        from objectives.models import Objective, OperatingPlan

        self.people = bench_users()
        plan = (OperatingPlan.objects.filter(zone_plan__ambito__slug="SYN-0001")
                .exclude(state=OperatingPlan.State.DRAFT).order_by("-year").first())
        objective = Objective.objects.filter(plan=plan).order_by("-number").first()
        self.rows = []  # (what, who, client, url)
        staff = Client(SERVER_NAME="localhost")
        staff.force_login(self.people["staff"])
        for name, pattern in PAGES:
            self.rows.append((name, STAFF, staff,
                              pattern.format(plan=plan.pk, objective=objective.pk)))
        auditors = (("revisore nazionale", "national"), ("revisore 1 ambito", "auditor"))
        # BENCH_AUDITORS=national: the API lists of the national auditor only (a loaded
        # machine: half the requests); BENCH_AUDITORS=none: the staff pages only.
        wanted = os.environ.get("BENCH_AUDITORS", "national,auditor").split(",")
        for who, key in (a for a in auditors if a[1] in wanted):
            client = Client(SERVER_NAME="localhost")
            client.force_login(self.people[key])
            # A cursor 100 rows before the end of what this auditor sees: a deep page.
            ids = (BudgetLine.objects.restrict(self.people[key]).order_by("-pk")
                   .values_list("pk", flat=True))
            deep = str(ids[100])  # a cursor is the last id received
            for name, pattern in LISTS:
                self.rows.append((name, who, client, pattern.format(deep=deep)))
        for _what, _who, client, url in self.rows:
            for _ in range(WARMUP):
                self.get(client, url)

    @staticmethod
    def get(client, url):
        response = client.get(url, secure=True)
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
        b"".join(response.streaming_content) if response.streaming else response.content
        return response

    def sample(self, row, n, variant=None):
        from django.db import connection

        from bench.exports import set_jit

        _what, _who, client, url = self.rows[row]
        if variant == "jit":
            set_jit(True)
        try:
            if variant:
                self.get(client, url)  # the new connection's first request, untimed
            times, cpu = [], []
            for _ in range(n):
                started, used = time.perf_counter(), time.process_time()
                if variant == "no_reuse":
                    # CONN_MAX_AGE=0: a connection per request (the test client itself
                    # never closes one, whatever CONN_MAX_AGE says).
                    connection.close()
                self.get(client, url)
                times.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - used) * 1000)
        finally:
            if variant == "jit":
                set_jit(False)
            elif variant:
                connection.close()
        return {"times": times, "cpu": cpu}

    def queries(self, row):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        _what, _who, client, url = self.rows[row]
        counts = []
        for _ in range(3):
            with CaptureQueriesContext(connection) as captured:
                self.get(client, url)
            counts.append(len(captured.captured_queries))
        # The fewest of three in a row: security/sessions.py saves the session at most once a
        # minute (+3 queries on that request, whatever the scale), never twice in three.
        return {"queries": min(counts), "all": counts}


def handle(worker, command):
    from bench import exports, returns

    name = command["cmd"]
    if name == "rows":
        return {"rows": [{"what": what, "who": who} for what, who, _c, _u in worker.rows]}
    if name == "sample":
        return worker.sample(command["row"], command["n"], command.get("variant"))
    if name == "queries":
        return worker.queries(command["row"])
    if name == "metronome":
        from bench import metronome

        return {"times": metronome.sample(command["n"])}
    if name == "dead":
        dead = exports.dead_rows()
        exports.vacuum()
        return {"dead": dead}
    if name == "export":
        m = exports.export_baselines(worker.people["national"], runs=command.get("runs", 5))
        return {"table": exports.export_table(m), "raw": m}
    if name == "jit_chunk":
        return {"table": exports.jit_chunk(worker.people["national"],
                                           runs=command.get("runs", 5))}
    if name == "returns_sample":
        return returns.sample(command["row"], command["n"])
    if name == "returns_queries":
        return returns.queries(command["row"])
    if name == "import":
        return {"table": exports.import_vs_bulk(runs=command.get("runs", 5),
                                                baseline_runs=command.get("baseline_runs", 1))}
    raise ValueError(f"unknown command {name}")


def main():
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "w", buffering=1)
    sys.stdout = sys.stderr  # whatever Django or a library prints stays off the protocol
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from bench import exports

    exports.vacuum()  # whatever migrate wrote, if anything
    from pianozona.runtime import freeze_startup_objects, setup_web_worker

    setup_web_worker()  # as pianozona/wsgi.py does in every web worker
    worker = Worker()
    # The steady state of a gunicorn worker past its 1000th request (pianozona/runtime.py):
    # what the warm-up loaded is frozen, not walked again by every request's collection.
    freeze_startup_objects()
    answers.write(json.dumps({"ready": True}) + "\n")
    for line in sys.stdin:
        command = json.loads(line)
        if command["cmd"] == "quit":
            break
        try:
            answer = handle(worker, command)
        except Exception as error:  # noqa: BLE001 - the orchestrator reports it
            traceback.print_exc()
            answer = {"error": f"{type(error).__name__}: {error}"[:500]}
        answers.write(json.dumps(answer, default=str) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
