"""The Model service's interface, and what every backend shares: jobs and their lifecycle.

Training runs as a background job: ``train`` returns at once with a :class:`Job`; listeners hear about
every change (a handler edits a progress message with them). Jobs and their data are persisted, so
unfinished jobs resume after a restart. All heavy work runs off the event loop.

A backend (:mod:`hypotez.services.model.backends`) says how a job trains and how a message is answered;
:mod:`hypotez.services.model.factory` picks one by name. This module imports no backend.
"""

from __future__ import annotations

import abc
import asyncio
import json
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Awaitable, Callable, Mapping

from hypotez.errors import UserInputError
from hypotez.observability.observer import Observer
from hypotez.reasons import Reason
from hypotez.services.datafolder import DataFolder
from hypotez.services.durable import atomic_write
from hypotez.services.model.datasets import Example
from hypotez.services.model.jobs import FAILED, QUEUED, UNFINISHED, Job
from hypotez.services.model.retrieval import RetrievalModel, normalise
from hypotez.services.model_sharing import follow_current_models
from hypotez.services.storage import Storage
from hypotez.services.tenant import tenant_state

log = logging.getLogger("hypotez.model")

Listener = Callable[[Job], Awaitable[None]]
CURRENT_SETTING = "model.current"


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


class ModelService(abc.ABC):
    """Train, reply, predict, evaluate, status. A backend implements :meth:`_load`, :meth:`_train_job`,
    :meth:`reply` and :meth:`predict`.

    Each tenant (:mod:`hypotez.tenancy`) has its own model, versions and jobs; every method takes the
    tenant it works for (``""``: the shared tenant)."""

    backend_name: str = ""

    def __init__(self, data: DataFolder, storage: Storage, *, threshold: float, train_timeout: float = 1800.0):
        self.data = data
        self.storage = storage
        self.threshold = threshold
        self.train_timeout = train_timeout
        self._states: dict[str, TenantModelState] = {}
        self._tasks: set[asyncio.Task] = set()
        self._lock = asyncio.Lock()  # one training at a time: jobs queue up
        self.observer = Observer()  # told when jobs queue, run and end (metrics); the app may give another
        # Where jobs run: here (the default), or a queue that worker processes take them from
        # (hypotez.services.job_queue.QueueRunner, chosen by the app).
        self.runner: Any = InProcessRunner()

    @classmethod
    @abc.abstractmethod
    def from_settings(cls, settings: Mapping[str, Any], data: DataFolder, storage: Storage) -> "ModelService":
        """The backend built from ``bot.model`` (its own settings read once, wrong ones refused)."""

    # -- folders ----------------------------------------------------------------------------

    def models_dir(self, tenant: str = "") -> Path:
        return tenant_state(self.data, tenant) / "models" / self.backend_name

    @property
    def jobs_dir(self) -> Path:
        return self.data.internal / "jobs"

    # -- lifecycle --------------------------------------------------------------------------

    async def start(self, resume_listener: Callable[[Job], Listener | None] | None = None,
                    serves: Callable[[str | None], bool] | None = None) -> None:
        """Resume unfinished jobs (of every tenant). ``resume_listener`` gives each resumed job the
        listener that reports its progress where it was started (None: nobody is told). A runner shared
        with other processes (:mod:`hypotez.services.job_lease`) takes up only the jobs whose process
        died, of the servers this one ``serves``, and goes on looking for such jobs."""
        follow_current_models(self.storage, self._states)  # another process's new model, without a restart

        def resumed(job: Job) -> Listener | None:
            log.info("resuming training job %s (%s)", job.id, job.status)
            job.event(Reason("job.event.resumed"))
            if resume_listener is None:
                return None
            try:
                return resume_listener(job)
            except Exception:  # a job that cannot be reported on is still finished
                log.exception("cannot report on resumed job %s", job.id)
                return None

        shared = getattr(self.runner, "start", None)
        if shared is not None:
            await shared(self, resumed, serves)
            return
        for data in await self.storage.jobs(UNFINISHED, limit=10_000):
            job = Job.from_dict(data)
            await self.runner.resume(self, job, resumed(job))

    async def state(self, tenant: str = "") -> TenantModelState:
        """``tenant``'s current model, loaded from its folder on first use."""
        state = self._states.setdefault(tenant, TenantModelState())
        if not state.loaded:
            async with state.lock:
                if not state.loaded:
                    await self._load(state, tenant)
                    state.loaded = True
        return state

    @abc.abstractmethod
    async def _load(self, state: TenantModelState, tenant: str) -> None:
        """Fill ``state`` with ``tenant``'s current model from storage."""

    async def wait_idle(self) -> None:
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def aclose(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*list(self._tasks), return_exceptions=True)
        await self.runner.aclose()

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
        take = getattr(self.runner, "take", None)
        if take is not None:  # leased to this process before any other can see the job (job_lease)
            await take(self, job)
        await self._save(job)
        await self.runner.submit(self, job, listener)
        return job

    async def _summarise(self, job: Job, examples: list[Example]) -> None:
        """Add what the user should know before the job runs (tokens, cost) to ``job.extra``."""

    def _write_job_data(self, job: Job, examples: list[Example]) -> None:
        # The job is saved (and acknowledged) next: its data must be on disk, whole, before that.
        self.jobs_dir.mkdir(parents=True, exist_ok=True)
        with atomic_write(self.jobs_dir / f"{job.id}.jsonl") as out:
            for example in examples:
                out.write(json.dumps({"prompt": example.prompt, "completion": example.completion,
                                      "positive": example.positive}, ensure_ascii=False) + "\n")

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
        timer = self.observer.job_timer(self.backend_name)
        try:
            async with self._lock:
                timer.started()
                await self._run_now(job, listener)
        finally:
            timer.finished(job.status)
        log.info("training job %s %s", job.id, job.status)

    async def _run_now(self, job: Job, listener: Listener | None) -> None:
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

    @abc.abstractmethod
    async def _train_job(self, job: Job, listener: Listener | None) -> None:
        """Train ``job`` (its data is in ``jobs_dir``), reporting progress through :meth:`_update`."""

    # -- answering --------------------------------------------------------------------------

    @abc.abstractmethod
    async def reply(self, text: str, *, tenant: str = "") -> str | None:
        """The model's answer, or None when it has none good enough (the caller says so)."""

    @abc.abstractmethod
    async def predict(self, inputs: list[str], *, tenant: str = "") -> list[Prediction]:
        """The model's answer (and how close the nearest example was) for each input."""

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


class InProcessRunner:
    """Jobs trained in this process, one at a time, in the background."""

    async def submit(self, service: ModelService, job: Job, listener: Listener | None) -> None:
        service._spawn(service._run(job, listener))

    resume = submit

    async def aclose(self) -> None:
        pass


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
