"""What the builders of returns share: the bad-input error and a check's outcome."""

from dataclasses import dataclass


class ReturnError(Exception):
    """Bad input: the message is Italian and says what to fix."""


@dataclass
class Check:
    name: str
    ok: bool
    message: str
