"""The frozen-plan rule for budget lines: now the plan-wide rule of objectives/freeze.py.

Kept for the names the budget services use: ``variation_in_progress()`` opens the narrow
VARIATION permission (the preventivo of a line of an approved plan, a new line at 0) and
``frozen_message`` is the refusal the services give before trying.
"""

from core import freeze
from objectives.freeze import frozen_message  # noqa: F401 - re-exported for the services


def variation_in_progress():
    return freeze.allow(freeze.VARIATION)
