"""The hooks the pipeline, the Discord adapter and the model service call as they work.

This base class does nothing: it is what runs when nobody watches. :class:`~.metrics.Metrics` overrides
the methods to count. It imports nothing of hypotez, so every layer may take one."""

from __future__ import annotations

import time

# Command outcomes: answered, refused with a reason the user sees (bad input, not allowed...), failed (a bug).
OK, REFUSED, FAILED = "ok", "refused", "failed"


class Observer:
    """Told about commands, errors, replies and training jobs. Every method is cheap and never raises."""

    def command_done(self, command: str, outcome: str, seconds: float) -> None:
        """A command was handled (``outcome``: OK, REFUSED, FAILED) in ``seconds``, sending excluded."""

    def error(self, kind: str, command: str | None) -> None:
        """An error reply of ``kind`` (an error class's ``kind``, or ``internal_error``) was made."""

    def reply_sent(self, seconds: float, delivered: bool) -> None:
        """A reply took ``seconds`` to send (all its messages); ``delivered`` is False when Discord refused it."""

    def job_queued(self, backend: str) -> None:
        """A training job is waiting for its turn."""

    def job_started(self, backend: str, waited: float) -> None:
        """A queued job began to run after waiting ``waited`` seconds."""

    def job_finished(self, backend: str, status: str, seconds: float | None) -> None:
        """A job ended with ``status`` after running ``seconds`` (None: it ended before it ran, e.g. the
        bot stopped while it was queued)."""

    def job_timer(self, backend: str) -> "JobTimer":
        """Times one job from now (queued) to :meth:`JobTimer.finished`."""
        return JobTimer(self, backend)


class JobTimer:
    def __init__(self, observer: Observer, backend: str):
        self.observer, self.backend = observer, backend
        self.queued = time.monotonic()
        self.began: float | None = None
        observer.job_queued(backend)

    def started(self) -> None:
        self.began = time.monotonic()
        self.observer.job_started(self.backend, self.began - self.queued)

    def finished(self, status: str) -> None:
        ran = time.monotonic() - self.began if self.began is not None else None
        self.observer.job_finished(self.backend, status, ran)


def outcome_of(is_error: bool, kind: str | None) -> str:
    if not is_error:
        return OK
    return FAILED if kind == "internal_error" else REFUSED
