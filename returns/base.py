"""What the builders of returns share: the bad-input error and a check's outcome."""

from dataclasses import dataclass, field


class ReturnError(Exception):
    """Bad input: the message is Italian and says what to fix."""


@dataclass
class Check:
    name: str
    ok: bool
    message: str
    # The check's figures for a reader that prints them otherwise (the Relazione
    # Consuntivo's section): the same numbers the message states, computed once.
    figures: dict = field(default_factory=dict)
