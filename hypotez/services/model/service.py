"""The Model service: one interface (train, reply, predict, evaluate, status) over its backends.

Training runs as a background job: ``train`` returns at once with a :class:`Job`; listeners hear about
every change (a handler edits a progress message with them). Jobs and their data are persisted, so
unfinished jobs resume after a restart. All heavy work runs off the event loop.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Awaitable, Callable

from hypotez.errors import ConfigError, UserInputError
from hypotez.reasons import Reason
from hypotez.services.datafolder import DataFolder
from hypotez.services.durable import fsync_dir
from hypotez.services.model.datasets import Example, read_file
from hypotez.services.model.jobs import FAILED, QUEUED, RUNNING, SUCCEEDED, UNFINISHED, Job
from hypotez.services.model.local import RetrievalModel, normalise
from hypotez.services.storage import Storage
from hypotez.services.tenant import tenant_state

log = logging.getLogger("hypotez.model")

Listener = Callable[[Job], Awaitable[None]]
CURRENT_SETTING = "model.current"
DEFAULT_THRESHOLD = 0.55


@dataclass
class Prediction:
    input: str
    output: str | None
    similarity: float
    expected: str | None = None

    @property
    def correct(self) -> bool | None:
        if self.expected is None:
            return None
        return self.output is not None and normalise(self.output) == normalise(self.expected)


@dataclass
class TenantModelState:
    """One tenant's current model: read from storage the first time the tenant needs it."""

    model: RetrievalModel | None = None
    model_id: str | None = None
    # The provider's fine-tuned model (openai backend, fine_tune mode).
    remote_model: str | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    loaded: bool = False


class ModelService:
    """The embedded ``local`` backend (and the base of the ``openai`` one).

    Each tenant (:mod:`hypotez.tenancy`) has its own model, versions and jobs; every method takes the
    tenant it works for (``""``: the shared tenant)."""

    backend_name = "local"

    def __init__(self, data: DataFolder, storage: Storage, *, threshold: float = DEFAULT_THRESHOLD,
                 train_timeout: float = 1800.0):
        self.data = data
        self.storage = storage
        self.threshold = threshold
        self.train_timeout = train_timeout
        self._states: dict[str, TenantModelState] = {}
        self._tasks: set[asyncio.Task] = set()
        self._lock = asyncio.Lock()  # one training at a time: jobs queue up

    @classmethod
    def from_settings(cls, settings: dict[str, Any], data: DataFolder, storage: Storage) -> "ModelService":
        backend = settings.get("backend", "local")
        threshold = float(settings.get("threshold", DEFAULT_THRESHOLD))
        if backend == "local":
            return cls(data, storage, threshold=threshold)
        if backend == "openai":
            from hypotez.services.model.openai_backend import OpenAIModelService

            return OpenAIModelService.from_settings(settings, data, storage)
        raise ConfigError(f"unknown model backend {backend!r}", "set bot.model.backend to 'local' or 'openai'")

    # -- folders ----------------------------------------------------------------------------

    def models_dir(self, tenant: str = "") -> Path:
        return tenant_state(self.data, tenant) / "models" / self.backend_name

    @property
    def jobs_dir(self) -> Path:
        return self.data.internal / "jobs"

    # -- lifecycle --------------------------------------------------------------------------

    async def start(self, resume_listener: Callable[[Job], Listener | None] | None = None) -> None:
        """Resume unfinished jobs (of every tenant). ``resume_listener`` gives each resumed job the
        listener that reports its progress where it was started (None: nobody is told)."""
        for data in await self.storage.jobs(UNFINISHED, limit=10_000):
            job = Job.from_dict(data)
            log.info("resuming training job %s (%s)", job.id, job.status)
            job.event(Reason("job.event.resumed"))
            listener = None
            if resume_listener is not None:
                try:
                    listener = resume_listener(job)
                except Exception:  # a job that cannot be reported on is still finished
                    log.exception("cannot report on resumed job %s", job.id)
            self._spawn(self._run(job, listener))

    async def state(self, tenant: str = "") -> TenantModelState:
        """``tenant``'s current model, loaded from its folder on first use."""
        state = self._states.setdefault(tenant, TenantModelState())
        if not state.loaded:
            async with state.lock:
                if not state.loaded:
                    await self._load(state, tenant)
                    state.loaded = True
        return state

    async def _load(self, state: TenantModelState, tenant: str) -> None:
        current = await self.storage.get_setting(CURRENT_SETTING, tenant=tenant)
        folder = self.models_dir(tenant) / current if current else None
        if folder is not None and folder.is_dir():
            state.model = await asyncio.to_thread(RetrievalModel.load, folder)
            state.model_id = current

    async def wait_idle(self) -> None:
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def aclose(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def _spawn(self, coroutine: Awaitable[None]) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- training ---------------------------------------------------------------------------

    async def train(self, examples: list[Example], *, description: str = "", listener: Listener | None = None,
                    base_on_current: bool = True, tenant: str = "", notify: dict[str, Any] | None = None) -> Job:
        """Start a training job on ``examples`` (added to the current model's examples) for ``tenant``.
        ``notify`` says where the job reports (kept with the job, so it reports there after a restart)."""
        negatives = sum(1 for e in examples if not e.positive)
        job = Job.new(self.backend_name, description=description, examples=len(examples) - negatives,
                      negatives=negatives, status=QUEUED, tenant=tenant)
        if notify:
            job.extra["notify"] = dict(notify)
        job.event(Reason("job.event.queued", count=len(examples)))
        current = (await self.state(tenant)).model
        base = current.examples if (base_on_current and current is not None) else []
        everything = base + list(examples)
        await self._summarise(job, everything)
        await asyncio.to_thread(self._write_job_data, job, everything)
        await self._save(job)
        self._spawn(self._run(job, listener))
        return job

    async def _summarise(self, job: Job, examples: list[Example]) -> None:
        """Add what the user should know before the job runs (tokens, cost) to ``job.extra``."""

    def _write_job_data(self, job: Job, examples: list[Example]) -> None:
        self.jobs_dir.mkdir(parents=True, exist_ok=True)
        path = self.jobs_dir / f"{job.id}.jsonl"
        partial = path.with_suffix(".partial")
        with partial.open("w", encoding="utf-8") as out:
            for example in examples:
                out.write(json.dumps({"prompt": example.prompt, "completion": example.completion,
                                      "positive": example.positive}, ensure_ascii=False) + "\n")
            out.flush()
            os.fsync(out.fileno())
        partial.replace(path)
        fsync_dir(self.jobs_dir)  # the job is saved (and acknowledged) next: its data must be there

    async def _save(self, job: Job) -> None:
        await self.storage.save_job(job.id, job.status, job.to_dict(), tenant=job.tenant)

    async def _update(self, job: Job, listener: Listener | None) -> None:
        await self._save(job)
        if listener is not None:
            try:
                await listener(job)
            except Exception:  # a failed progress message must not fail the training
                log.exception("progress listener failed for %s", job.id)

    async def _run(self, job: Job, listener: Listener | None) -> None:
        async with self._lock:
            try:
                await asyncio.wait_for(self._train_job(job, listener), self.train_timeout)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                log.exception("training job %s failed", job.id)
                job.status, job.error = FAILED, _reason(error)
                job.hint = job.hint or Reason("job.hint_retry")
                job.finished = time.time()
                job.event(Reason("job.event.failed", error=job.error))
                await self._update(job, listener)

    async def _train_job(self, job: Job, listener: Listener | None) -> None:
        job.status = RUNNING
        job.event(Reason("job.event.reading"), 0.1)
        await self._update(job, listener)
        examples = await asyncio.to_thread(read_file, self.jobs_dir / f"{job.id}.jsonl", job.id)
        job.event(Reason("job.event.building"), 0.4)
        await self._update(job, listener)
        model = await asyncio.to_thread(RetrievalModel.fit, examples)
        if not model.positives:
            raise ValueError(Reason("job.only_negatives"))
        version = await self._next_version(job.tenant)
        job.event(Reason("job.event.saving"), 0.8)
        await self._update(job, listener)
        await asyncio.to_thread(model.save, self.models_dir(job.tenant) / version)
        await self.storage.set_setting(CURRENT_SETTING, version, tenant=job.tenant)
        state = await self.state(job.tenant)
        state.model, state.model_id = model, version
        job.status, job.model_id, job.finished = SUCCEEDED, version, time.time()
        job.event(Reason("job.event.trained", version=version, answers=len(model.positives)), 1.0)
        await self._update(job, listener)

    async def _next_version(self, tenant: str) -> str:
        folder = self.models_dir(tenant)

        def scan() -> str:
            folder.mkdir(parents=True, exist_ok=True)
            numbers = [int(p.name[1:]) for p in folder.iterdir()
                       if p.name.startswith("v") and p.name[1:].isdigit()]
            return f"v{max(numbers, default=0) + 1}"

        return await asyncio.to_thread(scan)

    # -- answering --------------------------------------------------------------------------

    async def reply(self, text: str, *, tenant: str = "") -> str | None:
        """The model's answer, or None when it has none good enough (the caller says so)."""
        model = (await self.state(tenant)).model
        if model is None or not text.strip():
            return None
        match = await asyncio.to_thread(model.answer, text, self.threshold)
        return match.answer if match else None

    async def predict(self, inputs: list[str], *, tenant: str = "") -> list[Prediction]:
        model = (await self.state(tenant)).model

        def run() -> list[Prediction]:
            out = []
            for text in inputs:
                match = model.answer(text, self.threshold) if model else None
                out.append(Prediction(text, match.answer if match else None, match.similarity if match else 0.0))
            return out

        return await asyncio.to_thread(run)

    async def evaluate(self, cases: list[tuple[str, str | None]], *, tenant: str = "") -> dict[str, Any]:
        """Predictions for each case; accuracy and mismatches over the cases that have an expected output."""
        predictions = await self.predict([text for text, _ in cases], tenant=tenant)
        for prediction, (_, expected) in zip(predictions, cases):
            prediction.expected = expected
        scored = [p for p in predictions if p.expected is not None]
        mismatches = [p for p in scored if not p.correct]
        return {
            "predictions": predictions,
            "scored": len(scored),
            "correct": len(scored) - len(mismatches),
            "accuracy": (len(scored) - len(mismatches)) / len(scored) if scored else None,
            "mismatches": mismatches,
        }

    async def status(self, *, tenant: str = "") -> dict[str, Any]:
        jobs = await self.storage.jobs(limit=1, tenant=tenant)
        last = Job.from_dict(jobs[0]) if jobs else None
        state = await self.state(tenant)
        model = state.model
        return {"backend": self.backend_name, "model_id": state.model_id,
                "answers": len(model.positives) if model else 0,
                "negatives": len(model.negatives) if model else 0,
                "last_job": last.template_data() if last else None}


def _reason(error: BaseException) -> str:
    """Why a job failed: a Reason when the failure is one we name (worded in the reply's language),
    else the exception's own text as it is."""
    if isinstance(error, asyncio.TimeoutError):
        return Reason("job.timed_out")
    if isinstance(error, UserInputError):  # the job's data was refused (a dataset error)
        return error.message
    if error.args and isinstance(error.args[0], Reason):
        return error.args[0]
    return str(error) or type(error).__name__
