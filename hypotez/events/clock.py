"""The schedules' clocks besides the real one: one that moves only when told (tests, and the console's
``:clock``), and one shifted to another time that runs at the real pace (``hypotez run --schedules-from``)."""

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


class ShiftedClock:
    """The real clock, shifted so that it says ``start`` now; it then runs on at the real pace."""

    def __init__(self, start: float):
        self.offset = start - time.time()

    def __call__(self) -> float:
        return time.time() + self.offset
