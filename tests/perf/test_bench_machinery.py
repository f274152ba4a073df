"""The bench's own arithmetic and verdicts (bench/stats.py, bench/databases.py): cheap, no
server, no timing. The bench itself runs with `make bench`, never under pytest."""

import pytest

from bench import databases, stats
from bench.databases import manifest_problems
from bench.exports import with_jit


def test_nearest_rank_is_the_ceil_rank_smallest_value():
    hundred = list(range(100, 0, -1))  # 100 … 1, unsorted on purpose
    assert stats.nearest_rank(hundred, 95) == 95
    assert stats.nearest_rank(hundred, 50) == 50
    assert stats.nearest_rank(hundred, 100) == 100
    # 30 samples: p95 is the 29th smallest (ceil(28.5)), not the 3rd highest.
    assert stats.nearest_rank(list(range(1, 31)), 95) == 29
    assert stats.nearest_rank([4, 1, 3, 2], 50) == 2
    assert stats.nearest_rank([7], 95) == 7
    with pytest.raises(ValueError):
        stats.nearest_rank([], 95)


def test_rank_interval_of_p95_over_100_samples_brackets_it_with_95_percent():
    low, high = stats.rank_interval(100, 95)
    assert low <= 95 <= high <= 100
    assert (low, high) == (90, 99)
    summary = stats.summary([float(v) for v in range(1, 101)])
    assert summary["n"] == 100
    assert (summary["p50"], summary["p95"]) == (50.0, 95.0)
    assert (summary["p95_low"], summary["p95_high"]) == (90.0, 99.0)


def test_two_runs_agree_when_their_intervals_overlap():
    assert stats.overlap((90, 99), (95, 120))
    assert not stats.overlap((90, 99), (100, 120))


def test_exit_code_is_non_zero_when_a_target_is_not_met():
    checks = [("pagine p95 <= 150 ms", True), ("esportazione >= 0.5 × COPY", False),
              ("PDF <= 1.2 × WeasyPrint", False)]
    not_met = stats.verdicts(checks)
    assert not_met == ["esportazione >= 0.5 × COPY", "PDF <= 1.2 × WeasyPrint"]
    assert stats.exit_code(not_met) == 1
    assert stats.exit_code([]) == 0
    assert stats.exit_code([], broken=True) == 2


def test_manifest_matches_only_with_the_same_live_rows_no_dead_rows_and_fresh_statistics():
    manifest = {"budget_budgetline": 2_225_904, "auth_user": 3}
    clean = {"budget_budgetline": {"dead": 0, "estimate": 2_225_904.0},
             "auth_user": {"dead": 0, "estimate": 3.0}}
    assert manifest_problems(manifest, dict(manifest), clean) == []

    # The rows a rolled-back write leaves behind, as issue 22 found them.
    bloated = {**clean, "budget_budgetline": {"dead": 439_844, "estimate": 659_766.0}}
    problems = manifest_problems(manifest, dict(manifest), bloated)
    assert "budget_budgetline: 439844 righe morte" in problems
    assert "budget_budgetline: stima del pianificatore 659766, righe 2225904" in problems

    more = {**manifest, "auth_user": 4}
    assert manifest_problems(manifest, more, clean) == ["auth_user: 4 righe vive, manifesto 3"]
    missing = {"budget_budgetline": 2_225_904}
    assert manifest_problems(manifest, missing, clean) == [
        "auth_user: tabella mancante (manifesto 3 righe)"]
    never_analysed = {**clean, "auth_user": {"dead": 0, "estimate": -1.0}}
    assert manifest_problems(manifest, dict(manifest), never_analysed) == [
        "auth_user: stima del pianificatore -1, righe 3"]


def test_template_make_changes_with_any_migration_file(tmp_path, monkeypatch):
    """A template generated before a migration is regenerated, not migrated on its copy
    (the migration's writes left a dead row in returns_returntemplate in every run)."""
    migrations = tmp_path / "returns" / "migrations"
    migrations.mkdir(parents=True)
    (migrations / "__init__.py").write_text("")
    (migrations / "0001_initial.py").write_text("operations = []\n")
    monkeypatch.setattr(databases, "ROOT", tmp_path)
    first = databases.migration_state()
    assert databases.migration_state() == first

    (migrations / "0002_fnps_layout_note.py").write_text("operations = ['RunPython']\n")
    added = databases.migration_state()
    assert added != first
    (migrations / "0002_fnps_layout_note.py").write_text("operations = ['RunSQL']\n")
    assert databases.migration_state() not in (first, added)
    assert databases.wanted_meta(1)["migrations"] == databases.migration_state()


def test_median_interval_brackets_the_nearest_rank_median():
    values = list(range(1, 191))  # 190 metronome ticks
    p50, low, high = stats.median_interval(reversed(values))
    assert p50 == 95
    assert low < 95 < high
    assert (low, high) == tuple(values[i - 1] for i in stats.rank_interval(190, 50))


def test_jit_option_replaces_only_the_jit_setting():
    assert with_jit("-c jit=off -c statement_timeout=30000", True) == (
        "-c statement_timeout=30000 -c jit=on")
    assert with_jit("", False) == "-c jit=off"


def test_table_rounds_spread_every_row_over_the_whole_table():
    """Each row × scale gets its samples in every round (not all in one window), and the
    metronome ticks after every turn."""
    from bench import interleave, metronome, steady

    asked = []

    class Worker:
        def __init__(self, ambiti):
            self.ambiti = ambiti

        def ask(self, cmd, n, row=None):
            asked.append((cmd, row, self.ambiti))
            return {"times": [float(len(asked))] * n, "cpu": [1.0] * n}

    workers = [Worker(1), Worker(60), Worker(600)]
    phases = metronome.Phases()
    times, cpu = interleave.table_rounds(workers, rows=4, samples=100, phases=phases)
    assert set(times) == {(row, a) for row in range(4) for a in (1, 60, 600)}
    assert all(len(t) == 100 for t in times.values())
    samples = [a for a in asked if a[0] == "sample"]
    rounds = [samples[i:i + 12] for i in range(0, len(samples), 12)]
    assert len(rounds) == 10
    assert all(len(set(r)) == 12 for r in rounds)  # every row and scale in every round
    assert len({r[0] for r in rounds}) > 1  # and not always in the same order
    # the metronome checked after every turn (bench/steady.py), each check in the phase
    assert len(phases.ticks["tabella"]) == 10 * 12 * steady.TICK


def test_rank_interval_of_thousands_of_samples():
    """The metronome's thousands of ticks (a check after every turn): the binomial terms
    are computed in logarithms, since comb(n, i) alone overflows a float beyond n ≈ 1000."""
    low, high = stats.rank_interval(2850, 50)
    assert low < 1425 < high
    # ±1.96 standard deviations of Binomial(2850, 0.5), about ±52 ranks
    assert abs((high - low) / 2 - 1.96 * (2850 * 0.25) ** 0.5) <= 2
    assert stats.rank_interval(100, 95) == (90, 99)
