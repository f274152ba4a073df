"""Every benchmark of the project, in one run: `make bench` (or `python bench/run.py`).

1. The PDF against WeasyPrint alone on the same HTML (alternated) and the ``bench_*``
   management commands, on their own SQLite database (var/bench.sqlite3, the seeds loaded)
   unless DATABASE_URL says otherwise.
2. On PostgreSQL (DATABASE_URL's server, or postgres@127.0.0.1:5432): for each scale
   (BENCH_SCALES, default 1,60,600 ambiti) the template database pz_bench_<n> is generated
   once and checked against its manifest (bench/databases.py); the run works on scratch copies
   of them, one worker process per scale (bench/scale.py), asked in turn: ``--samples``
   requests per row and scale, the scales interleaved in rounds of 10; nearest-rank p50/p95,
   the 95 % interval of the p95, query counts. Then at the largest scale the app's database
   settings (JIT, connection reuse) against their alternative, a JIT-on/off export chunk and
   the full CSV export against COPY; at the smallest the 10,000-row import against
   django-import-export's bulk mode. Then the ISTAT return at every scale (bench/returns.py):
   one ambito's (samples interleaved, p95 <= 2 s), the national aggregate (>= 5 runs, median
   <= 60 s), one ambito's query count the same at every scale.
3. The targets; the exit status is 1 when one is not met (listed at the end), 2 when a part
   of the bench could not run.

    python bench/run.py [--scales 1,60,600] [--samples 100] [--skip-reports] [--table-only]
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
GIVEN_DATABASE_URL = os.environ.get("DATABASE_URL")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pianozona.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-not-a-secret")
BENCH_DB = ROOT / "var" / "bench.sqlite3"
OWN_DATABASE = "DATABASE_URL" not in os.environ
os.environ.setdefault("DATABASE_URL", f"sqlite:///{BENCH_DB}")
os.environ.setdefault("DJANGO_MEDIA_ROOT", str(ROOT / "var" / "bench-media"))
# An empty static root of its own: without collectstatic WhiteNoise warned in every worker
# ("No directory at: …/staticfiles/"), the files themselves come from the finders.
os.environ.setdefault("DJANGO_STATIC_ROOT", str(ROOT / "var" / "bench-static"))
Path(os.environ["DJANGO_STATIC_ROOT"]).mkdir(parents=True, exist_ok=True)
os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
# Benchmarks that go through the test client (bench_api) talk plain HTTP to localhost.
os.environ.setdefault("ALLOWED_HOSTS", "localhost,testserver,127.0.0.1")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")

from bench import metronome, stats, steady  # noqa: E402
from bench.databases import (  # noqa: E402
    DEFAULT_POSTGRES,
    ManifestMismatch,
    drop_copy,
    ensure_template,
    scratch_copy,
)
from bench.interleave import (  # noqa: E402
    ROUND,
    interleaved,
    metronome_of,
    table_rounds,
    tick,
)

P95_TARGET_MS = 150.0


def load():
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def print_table(title, rows):
    width = max(len(name) for name, _value in rows)
    print(f"\n{title}")
    print("-" * (width + 40))
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


def report_benchmarks(phases, gate):
    """The PDF benchmark on the seed documents (SQLite unless told otherwise): (not met,
    its printed rows for the run's JSON file)."""
    import django

    (ROOT / "var").mkdir(exist_ok=True)
    if OWN_DATABASE:
        BENCH_DB.unlink(missing_ok=True)  # the seeds as they are now, not as once loaded
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_seeds", verbosity=0)

    from bench import reports

    not_met = []
    title, rows, ok = reports.consuntivo_2018(phases, gate)
    print_table(f"{title} [carico {load()}]", rows)
    sys.stdout.flush()
    if not ok:
        not_met.append(f"PDF <= {reports.RATIO_TARGET} × WeasyPrint da solo")
    return not_met, rows


def command_benchmarks():
    """Benchmarks kept as management commands by the other parts of the project
    (``bench_<name>``, each printing its own table): one entry point, run last (bench_api
    multiplies the seeds' lines 100 times on SQLite: minutes). Returns broken."""
    from django.core.management import call_command, get_commands

    broken = False
    for name in sorted(c for c in get_commands() if c.startswith("bench_")):
        print(f"\n{name}")
        print("-" * 40)
        try:
            call_command(name)
        except Exception as error:  # noqa: BLE001 - report it, go on with the others
            print(f"{name} non riuscito: {error}")
            broken = True
    return broken


def postgres_server():
    """The PostgreSQL server for the scale databases, or None when there is none to reach."""
    url = GIVEN_DATABASE_URL or DEFAULT_POSTGRES
    if not url.startswith(("postgres://", "postgresql://")):
        return None
    try:
        import psycopg2

        psycopg2.connect(urlunparse(urlparse(url)._replace(path="/postgres")),
                         connect_timeout=3).close()
    except Exception:  # noqa: BLE001 - any failure means: no server to use
        return None
    return url


class ScaleWorker:
    """bench/scale.py on the scratch copy of one scale, spoken to line by line."""

    def __init__(self, server, ambiti):
        self.ambiti = ambiti
        url = scratch_copy(server, ambiti)
        env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "bench.settings"}
        env.pop("CELERY_BROKER_URL", None)  # eager tasks: the bench measures the web process
        self.process = subprocess.Popen(  # noqa: S603 - our own script
            [sys.executable, str(ROOT / "bench" / "scale.py")], env=env, text=True,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def ask(self, **command):
        if command:
            self.process.stdin.write(json.dumps(command) + "\n")
            self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"scala {self.ambiti}: il processo di misura è terminato")
        answer = json.loads(line)
        if "error" in answer:
            raise RuntimeError(f"scala {self.ambiti}, {command.get('cmd')}: {answer['error']}")
        return answer

    def close(self):
        if self.process.poll() is None:
            try:
                self.process.stdin.write(json.dumps({"cmd": "quit"}) + "\n")
                self.process.stdin.flush()
                self.process.wait(timeout=60)
            except (OSError, subprocess.TimeoutExpired):
                self.process.kill()


def returns_phase(workers, scales, samples, runs, phases, gate):
    """The ISTAT return (bench/returns.py): one ambito, ``samples`` builds per scale
    interleaved, p50/p95; the national aggregate over every ambito of the scale, ``runs``
    (at least 5) per scale, median and spread; query counts. Returns (not met, results)."""
    from bench import returns

    info = {w.ambiti: {s: w.ask(cmd="returns_queries", row=s) for s in ("one", "national")}
            for w in workers}
    times, _cpu = interleaved(workers, "one", samples, cmd="returns_sample", gate=gate,
                              phases=phases, phase="returns")
    one = {a: stats.summary(times[(a, None)]) for a in scales}
    national = {}
    for worker in workers:  # a few runs each, the scales in turn
        national[worker.ambiti] = []
    for _ in range(max(5, runs)):
        for worker in workers:
            national[worker.ambiti] += gate.measure(
                metronome_of(workers[0]),
                lambda w=worker: w.ask(cmd="returns_sample", row="national", n=1),
                phases, "returns")["times"]
    rows = []
    for a in scales:
        first = info[a]["one"]
        rows.append((f"{a} ambiti: anno {first['year']}, {first['actions']} azioni classificate "
                     f"({first['assignments']} assegnazioni sintetiche)",
                     f"non classificata {first['unclassified_share']} % (1 ambito)"))
        rows.append((f"{a} ambiti: 1 ambito ({samples} campioni), p50 / p95 [intervallo] ms",
                     f"{one[a]['p50']:.0f} / {one[a]['p95']:.0f} [{one[a]['p95_low']:.0f}–"
                     f"{one[a]['p95_high']:.0f}], {first['queries']} query"))
        med, low, high = stats.median_spread([t / 1000 for t in national[a]])
        nat = info[a]["national"]
        rows.append((f"{a} ambiti: nazionale ({nat['ambiti']} ambiti, {len(national[a])} "
                     f"esecuzioni), mediana [min–max] s",
                     f"{med:.2f} [{low:.2f}–{high:.2f}], {nat['queries']} query, "
                     f"totale {nat['lines_total']} €"))
    found = returns.verdicts(
        scales, {a: one[a]["p95"] for a in scales},
        {a: stats.median_spread(national[a])[0] / 1000 for a in scales},
        {a: info[a]["one"]["queries"] for a in scales})
    print_table(f"Debito informativo ISTAT (xlsx, come manage.py returns istat): obiettivi "
                f"1 ambito p95 <= {returns.ONE_TARGET_S:g} s, nazionale <= "
                f"{returns.NATIONAL_TARGET_S:g} s, query uguali a ogni scala "
                f"[carico {load()}]", rows + [("obiettivi", "NOT MET: " + "; ".join(found)
                                               if found else "rispettati")])
    return found, {"info": info, "one": one, "national": national}


def scale_table(server, scales, samples, runs, regenerate, phases, gate, skip_import=False,
                table_only=False):
    """Returns (not met, broken, results for the JSON file). ``phases``: the metronome's
    ticks (bench/metronome.py), the PDF's already in."""
    not_met, results = [], {"scales": scales, "samples": samples}
    metas = {}
    for ambiti in scales:
        try:
            meta, reused = ensure_template(server, ambiti, regenerate=regenerate,
                                           log=lambda m: print(m, flush=True))
        except ManifestMismatch as error:
            print(f"\n{error}\nRigenera con: python bench/run.py --regenerate "
                  "(o BENCH_REGENERATE=1 make bench)")
            return not_met, True, results
        metas[ambiti] = meta
        counts = json.loads(meta["counts"])
        print(f"pz_bench_{ambiti}: {'riusato' if reused else 'generato'} "
              f"({meta['created']}), manifesto verificato: "
              f"{counts.get('budget.BudgetLine', 0):,} righe di budget sintetiche, "
              f"{counts.get('indicators.Measurement', 0):,} rilevazioni; 0 righe morte"
              .replace(",", "."), flush=True)
    workers = []
    try:
        for ambiti in scales:
            workers.append(ScaleWorker(server, ambiti))
        for worker in workers:
            worker.ask()  # ready: migrated, warmed up
        rows = workers[0].ask(cmd="rows")["rows"]
        started, load_before = time.time(), load()
        table = []
        queries_of = [{w.ambiti: w.ask(cmd="queries", row=index)["queries"] for w in workers}
                      for index in range(len(rows))]
        times, cpu = table_rounds(workers, len(rows), samples, phases, gate)
        for index, row in enumerate(rows):
            queries = queries_of[index]
            cells = {ambiti: {**stats.summary(times[(index, ambiti)]),
                              "cpu50": stats.nearest_rank(cpu[(index, ambiti)], 50)}
                     for ambiti in scales}
            table.append({**row, "queries": queries, "cells": cells})
            print(f"  {row['what']} ({row['who']}): "
                  + ", ".join(f"{a}: p95 {cells[a]['p95']:.0f} ms {queries[a]} q"
                              for a in scales), file=sys.stderr, flush=True)
        load_after = load()
        results["table"] = table
        results["metronome"] = phases.summary()
        print(f"\nScala: pagine e liste API su PostgreSQL, {samples} richieste per riga e "
              f"scala, righe e scale alternate ogni {ROUND} per tutta la tabella; p50 e p95 "
              f"per rango più vicino, [intervallo al 95 % del p95]; q = query; cpu = p50 dei "
              f"ms di CPU del processo Django.\n"
              f"Carico (1/5/15 min) {load_before} → {load_after}, "
              f"{time.time() - started:.0f} s. Obiettivi: pagine dell'ufficio p95 <= "
              f"{P95_TARGET_MS:.0f} ms a ogni scala; query uguali a ogni scala.")
        header = f"{'cosa':<38} {'chi':<19}"
        for ambiti in scales:
            header += f" | {ambiti:>4}: p50   p95 [intervallo]  q  cpu"
        header += " | q=  | p95"
        print(header)
        print("-" * len(header))
        for row in table:
            line = f"{row['what']:<38} {row['who']:<19}"
            for ambiti in scales:
                c = row["cells"][ambiti]
                line += (f" | {c['p50']:>9.1f} {c['p95']:>5.0f} [{c['p95_low']:>4.0f}–"
                         f"{c['p95_high']:<4.0f}] {row['queries'][ambiti]:>2} {c['cpu50']:>4.0f}")
            same = len(set(row["queries"].values())) == 1
            staff = row["who"] == "ufficio (1 ambito)"
            fast = all(row["cells"][a]["p95"] <= P95_TARGET_MS for a in scales)
            line += f" | {'ok' if same else 'NO':<3} | {('ok' if fast else 'NO') if staff else '-'}"
            print(line)
            if not same:
                not_met.append(f"query costanti: {row['what']} ({row['who']}) "
                               f"{row['queries']}")
            if staff and not fast:
                not_met.append(f"p95 <= {P95_TARGET_MS:.0f} ms: {row['what']} "
                               + str({a: round(row['cells'][a]['p95']) for a in scales}))
        m = results["metronome"]["tabella"]
        print(f"Metronomo (bench/metronome.py: lo stesso template, solo CPU, {m['n']} volte "
              f"durante la tabella): p50 {m['p50']:.2f} ms [{m['p50_low']:.2f}–"
              f"{m['p50_high']:.2f}]")
        dead = {w.ambiti: w.ask(cmd="dead")["dead"] for w in workers}
        print(f"Righe morte lasciate dalle richieste (poi VACUUM ANALYZE): {dead}")
        if table_only:
            return not_met, False, results

        largest, smallest = workers[-1], workers[0]
        # The app's settings against their alternative, at the largest scale, interleaved.
        settings_rows = []
        for index, row in enumerate(rows):
            if (row["who"], row["what"]) not in (
                    ("ufficio (1 ambito)", "cruscotto /piani/<id>/cruscotto/"),
                    ("revisore nazionale", "API budget-lines ?page=1")):
                continue
            times, _cpu = interleaved([largest], index, samples,
                                      variants=(None, "jit", "no_reuse"), gate=gate,
                                      phases=phases, phase="impostazioni")
            for variant, label in ((None, "come l'app: JIT spento, connessione riusata"),
                                   ("jit", "JIT attivo"),
                                   ("no_reuse", "una connessione per richiesta")):
                c = stats.summary(times[(largest.ambiti, variant)])
                settings_rows.append((f"{row['what']} ({row['who']}) – {label}",
                                      f"p50 {c['p50']:6.1f}  p95 {c['p95']:6.1f} "
                                      f"[{c['p95_low']:.0f}–{c['p95_high']:.0f}] ms"))
        print_table(f"Impostazioni di PostgreSQL dell'app, {largest.ambiti} ambiti, "
                    f"{samples} richieste ciascuna, alternate [carico {load()}]", settings_rows)
        results["settings"] = settings_rows
        extras = [("jit_chunk", largest), ("export", largest)]
        if not skip_import:
            extras.append(("import", smallest))
        for command, worker in extras:
            gate.wait(metronome_of(worker))
            tick(phases, command, worker)
            title, rows_, ok = worker.ask(cmd=command, runs=runs)["table"]
            tick(phases, command, worker)
            print_table(f"{title} [{worker.ambiti} ambiti, carico {load()}]",
                        [tuple(r) for r in rows_])
            results[command] = rows_
            if not ok:
                not_met.append(f"{title} ({worker.ambiti} ambiti)")
        found, results["returns"] = returns_phase(workers, scales, samples, runs, phases,
                                                  gate)
        not_met += found
        results["metronome"] = phases.summary()
        print(f"\nMetronomo per fase, p50 [intervallo]: {phases.line()}")
        dead = {w.ambiti: w.ask(cmd="dead")["dead"] for w in workers}
        print(f"\nRighe morte dopo esportazione e importazione (nella copia, poi VACUUM "
              f"ANALYZE): {dead}")
    except RuntimeError as error:
        print(f"\n{error}")
        return not_met, True, results
    finally:
        for worker in workers:
            worker.close()
        for ambiti in scales:
            drop_copy(server, ambiti)
    return not_met, False, results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default=os.environ.get("BENCH_SCALES", "1,60,600"))
    parser.add_argument("--samples", type=int,
                        default=int(os.environ.get("BENCH_SAMPLES", stats.MIN_SAMPLES)))
    parser.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_RUNS", 5)))
    parser.add_argument("--skip-reports", action="store_true")
    parser.add_argument("--skip-commands", action="store_true",
                        help="senza i comandi bench_* delle altre parti (bench_api: minuti)")
    parser.add_argument("--skip-import", action="store_true",
                        help="senza il confronto d'importazione (minuti: la base 8 query a riga)")
    parser.add_argument("--table-only", action="store_true",
                        help="la sola tabella delle scale (senza impostazioni, esportazione, "
                             "importazione e debito informativo: un secondo giro da confrontare)")
    parser.add_argument("--no-gate", action="store_true",
                        help="misura anche quando la macchina è più lenta del suo metronomo di "
                             "riferimento (bench/steady.py)")
    parser.add_argument("--regenerate", action="store_true",
                        default=os.environ.get("BENCH_REGENERATE") == "1")
    args = parser.parse_args()
    scales = sorted(int(s) for s in args.scales.split(",") if s)
    print(f"make bench, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
          f"{os.cpu_count()} CPU, carico {load()}", flush=True)

    server = postgres_server()
    not_met, broken, pdf_rows = [], False, None
    phases = metronome.Phases()
    gate = steady.Open() if args.no_gate else steady.Gate(ROOT / "var" / "bench-machine.json")
    if not args.skip_reports:
        found, pdf_rows = report_benchmarks(phases, gate)
        not_met += found
    if server is None:
        print("\nTabella delle scale: richiede PostgreSQL. Imposta DATABASE_URL "
              "(postgres://…) oppure avvia PostgreSQL su 127.0.0.1:5432 (utente postgres); "
              "i database pz_bench_1, pz_bench_60, pz_bench_600 vengono creati e riusati.")
        broken = True
    else:
        found, failed, results = scale_table(server, scales, args.samples, args.runs,
                                             args.regenerate, phases, gate,
                                             args.skip_import, args.table_only)
        not_met += found
        broken |= failed
        if pdf_rows:
            results["pdf"] = pdf_rows
        if not args.no_gate:
            results["machine"] = gate.summary()
        out = ROOT / "var" / f"bench-{time.strftime('%Y%m%d-%H%M%SZ', time.gmtime())}.json"
        out.parent.mkdir(exist_ok=True)
        out.write_text(json.dumps(results, indent=1, default=str))
        print(f"\nRisultati: {out.relative_to(ROOT)} (confronto di due giri: "
              f"python bench/compare.py <giro 1>.json <giro 2>.json)")
    if not (args.skip_reports or args.skip_commands):
        broken |= command_benchmarks()
    if not args.no_gate:
        gate.save()
        print(f"\n{gate.line()}")
    print(f"\nCarico alla fine: {load()}")
    if not_met:
        print("\nOBIETTIVI NON RISPETTATI (NOT MET):")
        for name in not_met:
            print(f"  - {name}")
    elif not broken:
        print("\nTutti gli obiettivi rispettati.")
    if broken:
        print("\nUna parte del bench non è riuscita (vedi sopra).")
    return stats.exit_code(not_met, broken=broken)


if __name__ == "__main__":
    sys.exit(main())
