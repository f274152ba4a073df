"""The verdict of the bench's returns phase (bench/returns.py), without a database."""

from bench import returns


def test_returns_targets_met():
    assert returns.verdicts([1, 60], {1: 150.0, 60: 2000.0}, {1: 0.2, 60: 60.0},
                            {1: 12, 60: 12}) == []


def test_each_missed_target_is_named():
    found = returns.verdicts([1, 600], {1: 150.0, 600: 2100.0}, {1: 0.2, 600: 61.5},
                             {1: 12, 600: 13})
    assert found == [
        "ISTAT 1 ambito p95 <= 2 s (600 ambiti): 2.10 s",
        "ISTAT nazionale (600 ambiti) mediana <= 60 s: 61.50 s",
        "ISTAT 1 ambito: query costanti {1: 12, 600: 13}",
    ]
