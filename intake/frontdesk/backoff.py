"""How long a failed sign-in makes the next attempt wait (used by intake.frontdesk.throttle)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Backoff:
    """How one kind of key (address, username) waits after failures."""

    free_failures: int
    first_delay_seconds: float
    max_delay_seconds: float

    def delay_after(self, failures: int) -> float:
        """The wait after the `failures`-th failure in a row: 0, ..., first, 2 x first, ... cap."""
        extra = failures - self.free_failures
        if extra <= 0:
            return 0.0
        return min(self.max_delay_seconds, self.first_delay_seconds * 2 ** min(extra - 1, 30))
