"""A clock that moves only when told (tests, and the console's ``:clock``)."""

from __future__ import annotations

import time


class ManualClock:
    """Starts at ``start`` (default: now) and moves on by :meth:`advance` only."""

    def __init__(self, start: float | None = None):
        self.now = time.time() if start is None else start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
