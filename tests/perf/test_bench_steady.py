"""bench/steady.py: a turn of requests is kept only while the machine runs at its own speed
(issue 22: two runs' figures within their spread, on a host that changes speed for minutes).
Pure logic: the metronome and the clock are played by the test."""

import json

import pytest

from bench import metronome, steady


class Machine:
    """A metronome whose speed the test sets (ms per render), and a clock that sleeps."""

    def __init__(self, speeds):
        self.speeds = list(speeds)  # one per check; the last one repeats
        self.now = 0.0
        self.slept = 0

    def sample(self, n):
        speed = self.speeds.pop(0) if len(self.speeds) > 1 else self.speeds[0]
        return [speed] * n

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds
        self.slept += 1


def _gate(machine, tmp_path=None, patience=60.0):
    reference = tmp_path / "machine.json" if tmp_path else None
    return steady.Gate(reference, patience=patience, clock=machine.clock, sleep=machine.sleep)


def test_a_turn_taken_while_the_machine_was_slow_is_taken_again():
    # checks: before (fast), after (slow: thrown away), waiting (slow, then fast),
    # after the second take (fast: kept)
    machine = Machine([6.7, 10.8, 10.8, 6.8, 6.7])
    gate = _gate(machine)
    taken = []
    phases = metronome.Phases()
    result = gate.measure(machine.sample, lambda: taken.append(len(taken)) or len(taken),
                          phases, "tabella")
    assert result == 2 and taken == [0, 1]
    assert gate.repeated == 1 and machine.slept == 1 and gate.waited == steady.PAUSE_S
    assert gate.slow_accepted == 0
    # only the check that accepted the turn counts as the phase's metronome
    assert phases.ticks["tabella"] == [6.7] * steady.TICK


def test_a_steady_machine_is_never_kept_waiting():
    machine = Machine([6.7, 6.9, 6.6, 7.0, 6.8])
    gate = _gate(machine)
    for _ in range(4):
        gate.measure(machine.sample, lambda: None)
    assert gate.repeated == 0 and machine.slept == 0 and gate.reference == 6.6


def test_patience_spent_measures_anyway_and_says_so():
    machine = Machine([6.7, 11.0])  # slow for good after the first check
    gate = _gate(machine, patience=10.0)
    gate.measure(machine.sample, lambda: None)
    assert gate.exhausted and gate.slow_accepted == 1
    assert machine.slept == 5  # 10 s of patience in pauses of 2 s
    assert "PAZIENZA ESAURITA" in gate.line() and "1 turni misurati a macchina lenta" in (
        gate.line())


def test_the_reference_is_kept_for_the_next_run_of_the_same_metronome(tmp_path):
    first = _gate(Machine([6.5]), tmp_path)
    first.measure(Machine([6.5]).sample, lambda: None)
    first.save()
    second = _gate(Machine([10.8, 6.6]), tmp_path)
    assert second.reference == 6.5
    # a second run that starts on a slow host waits for it instead of taking it as normal
    second.measure(Machine([10.8, 6.6]).sample, lambda: None)
    assert second.waited == steady.PAUSE_S


@pytest.mark.parametrize("kept", [{"metronome": "another", "reference_ms": 1.0}, "not json"])
def test_a_reference_of_another_metronome_or_unreadable_is_ignored(tmp_path, kept):
    path = tmp_path / "machine.json"
    path.write_text(kept if isinstance(kept, str) else json.dumps(kept))
    assert steady.Gate(path).reference is None


def test_open_gate_keeps_every_turn_and_still_ticks():
    phases = metronome.Phases()
    assert steady.Open().measure(Machine([20.0]).sample, lambda: "x", phases, "pdf") == "x"
    assert phases.ticks["pdf"] == [20.0] * steady.TICK
