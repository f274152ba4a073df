"""The order in which the bench asks its workers for samples: scales (and rows, in the scale
table) in turn, a few requests at a time, so that what the host does meanwhile falls on
every row and scale alike; each turn kept only if the machine ran at its own speed
(bench/steady.py). No side effects on import (tested without a database)."""

from bench import steady

ROUND = 10  # requests of one row at one scale before the next turn


def metronome_of(worker):
    return lambda n: worker.ask(cmd="metronome", n=n)["times"]


def tick(phases, phase, worker):
    """ROUND timings of the metronome in ``worker``, counted to ``phase``."""
    phases.add(phase, metronome_of(worker)(ROUND))


def _turn(worker, command):
    return lambda: worker.ask(**command)


def table_rounds(workers, rows, samples, phases, gate=None):
    """``samples`` timings of each of ``rows`` rows per worker, in rounds: a round asks every
    row of every scale for ROUND requests, in an order rotated at each round. Each row's
    samples are thus spread over the whole table (minutes) rather than taken in one window of
    a few seconds, so that what the host does meanwhile falls on every row and scale alike
    (row by row, two runs disagreed both ways with the host's speed unchanged). ``gate``
    keeps a turn only if the metronome found the machine at speed before and after it; its
    checks are the phase's metronome (bench/compare.py)."""
    gate = gate or steady.Open()
    metronome = metronome_of(workers[0])
    turns = [(row, worker) for row in range(rows) for worker in workers]
    times = {(row, worker.ambiti): [] for row, worker in turns}
    cpu = {key: [] for key in times}
    for index in range(-(-samples // ROUND)):
        shift = (index * len(workers) + index) % len(turns)
        for row, worker in turns[shift:] + turns[:shift]:
            answer = gate.measure(metronome, _turn(worker, {"cmd": "sample", "row": row,
                                                            "n": ROUND}),
                                  phases, "tabella")
            times[(row, worker.ambiti)] += answer["times"]
            cpu[(row, worker.ambiti)] += answer["cpu"]
    return times, cpu


def interleaved(workers, row, samples, variants=(None,), cmd="sample", gate=None,
                phases=None, phase=None):
    """``samples`` timings of ``row`` per worker and variant, in rounds of ROUND, the order of
    the scales and variants rotated at each round; turns kept as in table_rounds."""
    gate = gate or steady.Open()
    metronome = metronome_of(workers[0])
    times = {(w.ambiti, v): [] for w in workers for v in variants}
    cpu = {key: [] for key in times}
    turns = [(w, v) for w in workers for v in variants]
    for index in range(-(-samples // ROUND)):
        shift = index % len(turns)
        for worker, variant in turns[shift:] + turns[:shift]:
            command = {"cmd": cmd, "row": row, "n": ROUND}
            if variant:
                command["variant"] = variant
            answer = gate.measure(metronome, _turn(worker, command), phases, phase)
            times[(worker.ambiti, variant)] += answer["times"]
            cpu[(worker.ambiti, variant)] += answer["cpu"]
    return times, cpu
