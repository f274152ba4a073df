"""The order in which the bench asks its workers for samples: scales (and rows, in the scale
table) in turn, a few requests at a time, so that what the host does meanwhile falls on
every row and scale alike. No side effects on import (tested without a database)."""

ROUND = 10  # requests of one row at one scale before the next turn


def tick(phases, phase, worker):
    """ROUND timings of the metronome in ``worker``, counted to ``phase``."""
    phases.add(phase, worker.ask(cmd="metronome", n=ROUND)["times"])


def table_rounds(workers, rows, samples, phases):
    """``samples`` timings of each of ``rows`` rows per worker, in rounds: a round asks every
    row of every scale for ROUND requests, in an order rotated at each round. Each row's
    samples are thus spread over the whole table (minutes) rather than taken in one window of
    a few seconds, so that what the host does meanwhile falls on every row and scale alike
    (row by row, two runs disagreed both ways with the host's speed unchanged). The
    metronome ticks once per round: how fast the machine was meanwhile (bench/compare.py)."""
    turns = [(row, worker) for row in range(rows) for worker in workers]
    times = {(row, worker.ambiti): [] for row, worker in turns}
    cpu = {key: [] for key in times}
    for index in range(-(-samples // ROUND)):
        shift = (index * len(workers) + index) % len(turns)
        for row, worker in turns[shift:] + turns[:shift]:
            answer = worker.ask(cmd="sample", row=row, n=ROUND)
            times[(row, worker.ambiti)] += answer["times"]
            cpu[(row, worker.ambiti)] += answer["cpu"]
        tick(phases, "tabella", workers[0])
    return times, cpu


def interleaved(workers, row, samples, variants=(None,), cmd="sample"):
    """``samples`` timings of ``row`` per worker and variant, in rounds of ROUND, the order of
    the scales and variants rotated at each round."""
    times = {(w.ambiti, v): [] for w in workers for v in variants}
    cpu = {key: [] for key in times}
    turns = [(w, v) for w in workers for v in variants]
    for index in range(-(-samples // ROUND)):
        shift = index % len(turns)
        for worker, variant in turns[shift:] + turns[:shift]:
            command = {"cmd": cmd, "row": row, "n": ROUND}
            if variant:
                command["variant"] = variant
            answer = worker.ask(**command)
            times[(worker.ambiti, variant)] += answer["times"]
            cpu[(worker.ambiti, variant)] += answer["cpu"]
    return times, cpu
