"""Training jobs: an id, a status, events and progress, persisted in storage so they survive restarts."""

from __future__ import annotations

import time
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

from hypotez.reasons import FALLBACK_LANGUAGE, Reason, builtin_catalog, reason_from_json, reason_to_json

# Fields that may hold a Reason: stored as text (what older versions read) and, beside it, as the
# reason's key and facts ("error_reason"), so a reply words it in its own language.
REASON_FIELDS = ("error", "hint")

VALIDATING, QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED = (
    "validating", "queued", "running", "succeeded", "failed", "cancelled")
UNFINISHED = (VALIDATING, QUEUED, RUNNING)
FINISHED = (SUCCEEDED, FAILED, CANCELLED)


@dataclass
class Job:
    id: str
    backend: str
    status: str = QUEUED
    description: str = ""
    examples: int = 0
    negatives: int = 0
    progress: float = 0.0
    events: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None  # a Reason, or text as received (a provider's message, an unexpected error)
    hint: str | None = None
    model_id: str | None = None
    remote_id: str | None = None  # the provider's job id (openai)
    created: float = field(default_factory=time.time)
    finished: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    tenant: str = ""  # whose job it is (hypotez.tenancy): its model, folder and rows

    @classmethod
    def new(cls, backend: str, **kwargs: Any) -> "Job":
        return cls(id=f"job-{uuid.uuid4().hex[:10]}", backend=backend, **kwargs)

    @property
    def done(self) -> bool:
        return self.status in FINISHED

    def event(self, message: str, progress: float | None = None) -> None:
        """Note what the job is doing: a Reason (ours, kept as text and, as "reason", its key and facts)
        or text as received (a provider's own event message)."""
        if progress is not None:
            self.progress = max(0.0, min(1.0, progress))
        event: dict[str, Any] = {"time": time.time(), "message": str(message)}
        if isinstance(message, Reason):
            event["reason"] = reason_to_json(message)
        self.events.append(event)
        del self.events[:-50]  # keep the latest ones: a long fine-tune reports many

    @property
    def last_event(self) -> str:
        """The latest event, as a Reason when it was stored with its key, else its text."""
        if not self.events:
            return ""
        event = self.events[-1]
        if event.get("reason") is not None:
            try:
                return reason_from_json(event["reason"])
            except ValueError:  # a key this version does not know: the text beside it still says it
                pass
        return event.get("message", "")

    @property
    def status_reason(self) -> str:
        """The status word as a Reason (``job.status.<status>``), worded per language; its English text is
        the status itself. A status this version has no words for stays as it is."""
        key = f"job.status.{self.status}"
        return Reason(key) if builtin_catalog(FALLBACK_LANGUAGE).text(key) is not None else self.status

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for name in REASON_FIELDS:
            value = getattr(self, name)
            if isinstance(value, Reason):
                data[name] = str(value)
                data[f"{name}_reason"] = reason_to_json(value)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Job":
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        for name in REASON_FIELDS:
            stored = data.get(f"{name}_reason")
            if stored is None:
                continue  # plain text (a provider's message, or a job saved before reasons were kept)
            try:
                known[name] = reason_from_json(stored)
            except ValueError:  # a key this version does not know: the stored text still says it
                pass
        return cls(**known)

    def template_data(self) -> dict[str, Any]:
        return {"id": self.id, "status": self.status_reason, "progress": round(self.progress * 100),
                "examples": self.examples, "negatives": self.negatives, "error": self.error, "hint": self.hint,
                "model_id": self.model_id, "backend": self.backend, "description": self.description,
                "last_event": self.last_event,
                "seconds": round((self.finished or time.time()) - self.created, 1),
                "tokens": self.extra.get("tokens"), "epochs": self.extra.get("epochs"),
                "estimated_cost": self.extra.get("estimated_cost")}
