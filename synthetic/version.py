"""Bumped whenever the same arguments would produce different rows (benchmarks regenerate)."""

GENERATOR_VERSION = 1
