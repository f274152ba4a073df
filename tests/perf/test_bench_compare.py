"""bench/compare.py: two runs of make bench judged figure by figure (issue 22's "two
consecutive runs within their printed spread"). Pure arithmetic on the runs' JSON."""

from bench import compare


def _run(p95, low, high, export, national):
    return {
        "table": [{"what": "cruscotto", "who": "ufficio", "queries": {"600": 18},
                   "cells": {"600": {"n": 100, "p50": 50.0, "p95": p95, "p95_low": low,
                                     "p95_high": high, "cpu50": 40.0}}}],
        "export": [["righe di budget esportate (tutte)", "2,226,186"],
                   ["esportazione HTTP (revisore di ogni ambito)",
                    f"  294,377 righe/s    {export} s   438.9 MB"],
                   ["django-import-export use_bulk=True", "252 righe/s  39.72 s [39.72–39.72]"]],
        "settings": [["cruscotto – JIT attivo", "p50   60.6  p95   83.7 [77–130] ms"]],
        "pdf": [["CPU ratio, median [min-max of the runs]", "0.990 [0.895–1.115]"]],
        "returns": {"one": {}, "national": {"600": national}},
    }


def test_printed_cells_are_read_value_low_high():
    assert compare.figure("  294,377 righe/s    7.56 s [7.41–8.11]   438.9 MB") == (
        7.56, 7.41, 8.11)
    assert compare.figure("p50   60.6  p95   83.7 [77–130] ms") == (83.7, 77.0, 130.0)
    assert compare.figure("0.990 [0.895-1.115]") == (0.990, 0.895, 1.115)
    assert compare.figure("13.80 [13.61–13.94]") == (13.80, 13.61, 13.94)
    assert compare.figure("MET") is None
    assert compare.figure("2,226,186") is None


def test_overlapping_intervals_agree_and_disjoint_ones_are_listed():
    first = _run(76, 71, 82, "7.59 [7.37–8.42]", [2720, 2820, 3090, 2800, 2900])
    second = _run(69, 65, 73, "7.56 [7.41–8.11]", [2600, 2650, 2700, 2610, 2620])
    rows, disagree = compare.compare(first, second)
    verdicts = {name: verdict for name, _a, _b, verdict in rows}
    assert verdicts["p95 cruscotto (ufficio) @ 600"] == "accordo"  # 71–82 and 65–73
    assert verdicts["export: esportazione HTTP (revisore di ogni ambito)"] == "accordo (in)"
    # Measured once per run: shown, never judged either way.
    assert verdicts["export: django-import-export use_bulk=True"] == "una misura"
    # 2720–3090 against 2600–2700: apart.
    assert disagree == ["ISTAT nazionale mediana ms @ 600"]

    assert compare.compare(first, first)[1] == []
    del second["pdf"]
    rows, disagree = compare.compare(first, second)
    assert ("pdf: CPU ratio, median [min-max of the runs]", (0.99, 0.895, 1.115), None,
            "solo in un giro") in rows
    assert disagree == ["ISTAT nazionale mediana ms @ 600"]


def test_exit_code_says_whether_the_runs_agree(tmp_path, capsys):
    import json

    a, b, c = (tmp_path / f"{n}.json" for n in "abc")
    a.write_text(json.dumps(_run(76, 71, 82, "7.59 [7.37–8.42]", [2720, 2820, 3090])))
    b.write_text(json.dumps(_run(74, 67, 83, "7.56 [7.41–8.11]", [2700, 2800, 2900])))
    c.write_text(json.dumps(_run(140, 130, 150, "7.56 [7.41–8.11]", [2700, 2800, 2900])))
    assert compare.main([str(a), str(b)]) == 0
    assert "5 di 5 figure in accordo" in capsys.readouterr().out
    assert compare.main([str(a), str(c)]) == 1
    assert "p95 cruscotto (ufficio) @ 600" in capsys.readouterr().out.split("In disaccordo:")[1]
    assert compare.main([str(a)]) == 2


def test_a_slower_host_is_told_from_a_slower_app_by_the_metronome():
    """Run 2 found the host 30 % slower (same template, 1.30 ms against 1.00): a table figure
    30 % higher agrees once evened; one 80 % higher does not; figures measured outside the
    table (the export) are never evened."""
    first = _run(62, 56, 69, "5.52 [5.32–5.98]", [2720, 2820, 3090])
    first["metronome"] = {"n": 190, "p50": 1.00, "p50_low": 0.98, "p50_high": 1.02}
    slower_host = _run(85, 81, 95, "7.20 [7.00–7.80]", [2720, 2820, 3090])
    slower_host["metronome"] = {"n": 190, "p50": 1.30, "p50_low": 1.27, "p50_high": 1.33}
    rows, disagree = compare.compare(first, slower_host)
    verdicts = {name: verdict for name, _a, _b, verdict in rows}
    assert verdicts["metronomo tabella"] == "macchina: secondo giro ×1.30"
    # 81–95 ÷ 1.30 = 62–73, overlapping 56–69.
    assert verdicts["p95 cruscotto (ufficio) @ 600"] == (
        "accordo a macchina pari (giro 2 ÷ 1.30)")
    assert disagree == ["export: esportazione HTTP (revisore di ogni ambito)"]

    slower_app = _run(112, 105, 120, "5.52 [5.32–5.98]", [2720, 2820, 3090])
    slower_app["metronome"] = slower_host["metronome"]
    # 105–120 ÷ 1.30 = 81–92: still apart from 56–69.
    assert compare.compare(first, slower_app)[1] == ["p95 cruscotto (ufficio) @ 600"]
    # Without a metronome in both runs nothing is evened.
    del slower_host["metronome"]
    assert "p95 cruscotto (ufficio) @ 600" in compare.compare(first, slower_host)[1]


def test_each_phase_is_evened_by_its_own_metronome_and_ratios_never():
    """The host slowed down only while run 2 exported: the export times are evened by the
    export phase's metronome, the table's by the table's (unchanged), and a ratio measured
    alternately inside the run is judged as measured."""
    def run(export, ratio, export_tick, table_p95):
        r = _run(table_p95, table_p95 - 4, table_p95 + 4, export, [2720, 2820, 3090])
        r["export"].append(["rapporto HTTP / COPY stesse colonne", ratio])
        r["metronome"] = {
            "tabella": {"n": 190, "p50": 1.0, "p50_low": 0.99, "p50_high": 1.01},
            "export": {"n": 20, "p50": export_tick, "p50_low": export_tick * 0.98,
                       "p50_high": export_tick * 1.02}}
        return r

    first = run("5.52 [5.32–5.98]", "0.729 [0.655–0.806]", 1.0, 62)
    second = run("7.20 [7.00–7.80]", "0.900 [0.850–0.950]", 1.3, 80)
    rows, disagree = compare.compare(first, second)
    verdicts = {name: verdict for name, _a, _b, verdict in rows}
    assert verdicts["metronomo export"] == "macchina: secondo giro ×1.30"
    assert verdicts["export: esportazione HTTP (revisore di ogni ambito)"] == (
        "accordo a macchina pari (giro 2 ÷ 1.30)")
    # The table's metronome did not move: 76–84 against 58–66 stays apart.
    assert "p95 cruscotto (ufficio) @ 600" in disagree
    assert "export: rapporto HTTP / COPY stesse colonne" in disagree


def test_each_run_says_how_long_it_waited_for_the_machine():
    run = {"machine": {"reference_ms": 6.39, "repeated": 47, "waited_s": 420.0,
                       "slow_accepted": 104}}
    assert compare.machine_line(2, run) == (
        "giro 2: metronomo di riferimento 6.39 ms, turni ripetuti 47, attesa 420 s; pazienza "
        "esaurita, 104 turni misurati a macchina lenta")
    steady_run = {"machine": {"reference_ms": 6.4, "repeated": 0, "waited_s": 0.0,
                              "slow_accepted": 0}}
    assert "pazienza" not in compare.machine_line(1, steady_run)
    assert "nessun dato" in compare.machine_line(1, {})
