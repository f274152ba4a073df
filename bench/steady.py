"""Measuring only while the machine runs at its own speed.

The host of these machines changes speed for minutes at a time, the app unchanged: in one
pair of runs the metronome (bench/metronome.py, CPU only) took 6,7 ms through one run's
scale table and 10,8 ms through the next one's, and every row of the table moved with it
(pages ×1,5, API lists ×1,1–1,4: not one factor that could be divided out). So the bench
waits instead: before and after each turn of requests it times the metronome, and a turn
taken while the metronome was more than TOLERANCE slower than the machine's reference is
thrown away and taken again once the machine is back to speed. The reference is the fastest
metronome seen on this machine (kept in var/, keyed by the metronome's own code), so a
second run knows the first run's speed. The waiting has a limit (PATIENCE_S per run):
beyond it the bench measures anyway and says so.
"""

import hashlib
import json
import statistics
import time
from pathlib import Path

TOLERANCE = 1.20  # in a steady phase the metronome's median moved by about 2 %
PATIENCE_S = 420.0
PAUSE_S = 2.0
TICK = 5  # metronome renders per check: about 35 ms


def metronome_digest():
    source = Path(__file__).with_name("metronome.py").read_bytes()
    return hashlib.sha256(source).hexdigest()[:16]


class Gate:
    """``sample(n)``: n metronome timings (ms), in whatever process measures."""

    def __init__(self, reference_file=None, patience=PATIENCE_S, clock=time.monotonic,
                 sleep=time.sleep):
        self.reference_file = reference_file
        self.reference = self._load()
        self.patience, self.clock, self.sleep = patience, clock, sleep
        self.waited = 0.0
        self.repeated = 0
        self.slow_accepted = 0  # turns kept although slow: patience spent

    def _load(self):
        if self.reference_file is None or not Path(self.reference_file).is_file():
            return None
        try:
            kept = json.loads(Path(self.reference_file).read_text())
        except ValueError:
            return None
        if kept.get("metronome") != metronome_digest():
            return None  # another workload: its times say nothing of this one's
        return kept.get("reference_ms")

    def save(self):
        if self.reference_file is None or self.reference is None:
            return
        Path(self.reference_file).parent.mkdir(exist_ok=True)
        Path(self.reference_file).write_text(json.dumps(
            {"metronome": metronome_digest(), "reference_ms": self.reference}))

    @property
    def exhausted(self):
        return self.waited >= self.patience

    def _check(self, sample):
        times = sample(TICK)
        speed = statistics.median(times)
        if self.reference is None or speed < self.reference:
            self.reference = speed
        return times, speed <= self.reference * TOLERANCE

    def wait(self, sample):
        """Until the metronome is back within TOLERANCE of the reference (or patience is
        spent)."""
        while True:
            _times, steady = self._check(sample)
            if steady or self.exhausted:
                return
            started = self.clock()
            self.sleep(PAUSE_S)
            self.waited += self.clock() - started

    def measure(self, sample, take, phases=None, phase=None):
        """``take()``'s result, taken between two checks that found the machine at speed;
        taken again otherwise. The check after an accepted turn goes to ``phases``."""
        self.wait(sample)
        while True:
            result = take()
            times, steady = self._check(sample)
            if steady or self.exhausted:
                if not steady:
                    self.slow_accepted += 1
                if phases is not None:
                    phases.add(phase, times)
                return result
            self.repeated += 1
            self.wait(sample)

    def line(self):
        reference = f"{self.reference:.2f} ms" if self.reference else "—"
        text = (f"Macchina: metronomo di riferimento {reference}, tolleranza "
                f"×{TOLERANCE:.2f}; turni ripetuti perché la macchina era lenta: "
                f"{self.repeated}; attesa {self.waited:.0f} s")
        if self.slow_accepted:
            text += (f"; PAZIENZA ESAURITA ({self.patience:.0f} s): {self.slow_accepted} "
                     f"turni misurati a macchina lenta")
        return text

    def summary(self):
        return {"reference_ms": self.reference, "tolerance": TOLERANCE,
                "repeated": self.repeated, "waited_s": round(self.waited, 1),
                "slow_accepted": self.slow_accepted}


class Open:
    """No gate: every turn is kept (tests, and --no-gate)."""

    def measure(self, sample, take, phases=None, phase=None):
        result = take()
        if phases is not None:
            phases.add(phase, sample(TICK))
        return result

    def wait(self, sample):
        pass
