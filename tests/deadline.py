"""A time limit for tests that also stops code which never gives control back (a loop in plain Python,
which ``asyncio.wait_for`` cannot interrupt): SIGALRM interrupts the main thread wherever it is."""

from __future__ import annotations

import signal
import time
from contextlib import contextmanager
from typing import Iterator


class DeadlineExceeded(BaseException):
    """Raised where the code was when time ran out. A BaseException, so that no ``except Exception``
    on the way (a pipeline that answers any error politely) can swallow it."""


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Raise :class:`DeadlineExceeded` in the block after ``seconds``. Nests: an outer deadline goes on
    counting, and still fires, after an inner one has ended."""
    def expired(signum: int, frame: object) -> None:
        raise DeadlineExceeded(f"still running after {seconds} s")

    began = time.monotonic()
    outer_remaining, _ = signal.getitimer(signal.ITIMER_REAL)
    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, min(seconds, outer_remaining) if outer_remaining else seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer_remaining:
            signal.setitimer(signal.ITIMER_REAL, max(outer_remaining - (time.monotonic() - began), 0.001))
