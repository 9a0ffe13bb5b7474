"""The embedded ``local`` backend: a retrieval model (:class:`RetrievalModel`) over the trained
examples, one saved version per training (``v1``, ``v2``, ...) in each tenant's folder.

The sentence encoder that lets it understand paraphrases is loaded once per service (so once per
process: every server's model shares it), the first time a model is trained or loaded, in a worker
thread; without the ``offline`` extra the models answer from their lexical index."""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass
from typing import Any, Mapping

from hypotez.reasons import Reason
from hypotez.services.datafolder import DataFolder
from hypotez.services.model.base import CURRENT_SETTING, Listener, ModelService, Prediction, TenantModelState
from hypotez.services.model.datasets import read_file
from hypotez.services.model.jobs import RUNNING, SUCCEEDED, Job
from hypotez.services.model.encoders import load_encoder
from hypotez.services.model.retrieval import RetrievalModel
from hypotez.services.model.semantic import Matcher
from hypotez.services.model_sharing import fetch, publish
from hypotez.services.storage import Storage

DEFAULT_THRESHOLD = 0.55


@dataclass(frozen=True)
class LocalSettings:
    """``bot.model`` for the local backend."""

    threshold: float = DEFAULT_THRESHOLD

    @classmethod
    def parse(cls, settings: Mapping[str, Any]) -> "LocalSettings":
        return cls(threshold=float(settings.get("threshold", DEFAULT_THRESHOLD)))


class LocalModelService(ModelService):
    """Answers with the nearest trained example, when it is near enough (``threshold``)."""

    backend_name = "local"

    def __init__(self, data: DataFolder, storage: Storage, *, threshold: float = DEFAULT_THRESHOLD,
                 train_timeout: float = 1800.0, encoder: str = "e5"):
        """``encoder``: ``e5`` (the semantic encoder, when its package is installed) or ``none`` (the
        lexical index only)."""
        super().__init__(data, storage, threshold=threshold, train_timeout=train_timeout)
        self.encoder_name = encoder
        self._matcher: Matcher | None = None
        self._matcher_loaded = False
        self._matcher_lock = asyncio.Lock()

    async def matcher(self) -> Matcher | None:
        """The sentence encoder (with its background), loaded on first use, off the event loop."""
        if not self._matcher_loaded:
            async with self._matcher_lock:
                if not self._matcher_loaded:
                    encoder = await asyncio.to_thread(load_encoder, self.encoder_name)
                    self._matcher = Matcher(encoder) if encoder is not None else None
                    self._matcher_loaded = True
        return self._matcher

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any], data: DataFolder, storage: Storage) -> "LocalModelService":
        parsed = LocalSettings.parse(settings)
        return cls(data, storage, threshold=parsed.threshold)

    async def _load(self, state: TenantModelState, tenant: str) -> None:
        current = await self.storage.get_setting(CURRENT_SETTING, tenant=tenant)
        folder = self.models_dir(tenant) / current if current else None
        if folder is not None and await fetch(self.storage, self.backend_name, current, folder, tenant=tenant):
            state.model = await asyncio.to_thread(RetrievalModel.load, folder, await self.matcher())
            state.model_id = current

    async def _train_job(self, job: Job, listener: Listener | None) -> None:
        job.status = RUNNING
        job.event(Reason("job.event.reading"), 0.1)
        await self._update(job, listener)
        examples = await asyncio.to_thread(read_file, self.jobs_dir / f"{job.id}.jsonl", job.id)
        job.event(Reason("job.event.building"), 0.4)
        await self._update(job, listener)
        previous = (await self.state(job.tenant)).model
        matcher, stop = await self.matcher(), threading.Event()
        try:
            model = await asyncio.to_thread(RetrievalModel.fit, examples, matcher, previous, stop)
        finally:  # cancelled (the bot stopping, the time-out): the thread, which cannot be, stops itself
            stop.set()
        if not model.positives:
            raise ValueError(Reason("job.only_negatives"))
        version = await self._next_version(job.tenant)
        job.event(Reason("job.event.saving"), 0.8)
        await self._update(job, listener)
        await asyncio.to_thread(model.save, self.models_dir(job.tenant) / version)
        await publish(self.storage, self.backend_name, version, self.models_dir(job.tenant) / version, tenant=job.tenant)
        await self.storage.set_setting(CURRENT_SETTING, version, tenant=job.tenant)
        state = await self.state(job.tenant)
        state.model, state.model_id = model, version
        job.status, job.model_id, job.finished = SUCCEEDED, version, time.time()
        job.event(Reason("job.event.trained", version=version, answers=len(model.positives)), 1.0)
        await self._update(job, listener)

    async def _next_version(self, tenant: str) -> str:
        folder = self.models_dir(tenant)
        shared = await self.storage.models.versions(self.backend_name, tenant=tenant)  # other processes' too

        def scan() -> str:
            folder.mkdir(parents=True, exist_ok=True)
            numbers = [int(name[1:]) for name in [p.name for p in folder.iterdir()] + shared
                       if name.startswith("v") and name[1:].isdigit()]
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
