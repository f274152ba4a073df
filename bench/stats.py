"""Percentiles and their spread, and the verdict of the bench: pure functions (tested in
tests/perf/test_bench_machinery.py without a database)."""

import math
import statistics

MIN_SAMPLES = 100


def nearest_rank(values, q):
    """The nearest-rank ``q``-th percentile (0 < q <= 100): the ``ceil(q/100 · n)``-th
    smallest value. p95 of 100 samples is the 95th smallest, of 30 samples the 29th."""
    if not values:
        raise ValueError("no samples")
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def _log(x):
    return math.log(x) if x > 0 else -math.inf


def rank_interval(n, q, confidence=0.95):
    """Ranks (1-based, inclusive) of the order statistics that bracket the true ``q``-th
    percentile with at least ``confidence``, from the binomial distribution (no assumption
    on the distribution of the times). For n=100, q=95: ranks 90 and 99 (or n)."""
    p = q / 100
    # P(B <= k), B ~ Binomial(n, p), for every k at once; each term in logarithms, since
    # comb(n, i) overflows a float beyond n ≈ 1000 (the metronome's thousands of ticks).
    cumulative, total = [], 0.0
    for i in range(n + 1):
        total += math.exp(math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1)
                          + _log(p) * i + _log(1 - p) * (n - i))
        cumulative.append(total)

    def cdf(k):
        return cumulative[k]

    centre = max(1, math.ceil(p * n))
    low, high = centre, centre
    while True:
        # P(X_(low) <= percentile <= X_(high)) = P(low <= B <= high - 1) with B the number
        # of samples below the percentile.
        covered = cdf(high - 1) - (cdf(low - 1) if low > 1 else 0.0)
        if covered >= confidence or (low == 1 and high == n):
            return low, high
        if low > 1 and (high == n or (centre - low) <= (high - centre)):
            low -= 1
        else:
            high += 1


def summary(values, q=95):
    """p50, p``q`` (nearest rank) and the 95 % interval of the p``q`` as (low, high)."""
    ordered = sorted(values)
    low, high = rank_interval(len(ordered), q)
    return {"n": len(ordered), "p50": nearest_rank(ordered, 50), "p95": nearest_rank(ordered, q),
            "p95_low": ordered[low - 1], "p95_high": ordered[high - 1]}


def median_interval(values):
    """The nearest-rank median and the 95 % interval of its rank: (p50, low, high)."""
    ordered = sorted(values)
    low, high = rank_interval(len(ordered), 50)
    return nearest_rank(ordered, 50), ordered[low - 1], ordered[high - 1]


def median_spread(values):
    """Median and (min, max) of a few timed runs."""
    return statistics.median(values), min(values), max(values)


def overlap(a, b):
    """Two (low, high) intervals overlap: two runs agree within their printed spread."""
    return a[0] <= b[1] and b[0] <= a[1]


def verdicts(checks):
    """``checks``: (name, met) pairs. The names of those not met, in order."""
    return [name for name, met in checks if not met]


def exit_code(not_met, *, broken=False):
    """0 when every target is met; 1 when one is not; 2 when a part of the bench failed."""
    if broken:
        return 2
    return 1 if not_met else 0
