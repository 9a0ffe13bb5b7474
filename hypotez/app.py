"""The app factory: registry (built from the spec) + services → dispatcher. Adapters take an :class:`App`.

Nothing here is global: tests build as many apps as they like, each with its own data folder.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from hypotez.cooldowns_shared import cooldowns_for
from hypotez.invocation import Outbox
from hypotez.observability.observer import Observer
from hypotez.pipeline import Dispatcher
from hypotez.progress import NOTIFY, JobProgress
from hypotez.services import Services
from hypotez.services.datafolder import DataFolder
from hypotez.services.legacy import adopt_legacy_data
from hypotez.services.storage import Storage, open_storage
from hypotez.services.state_open import open_state_store
from hypotez.declaration.model import Spec
from hypotez.registry import Registry, load_registry

log = logging.getLogger("hypotez.app")

DEFAULT_SPEC = "commands.yaml"
# channel id → where to post in it (None: the adapter cannot reach that channel).
OutboxFactory = Callable[[str], Outbox | None]
DEFAULT_DATA = "data"


def data_dir_from_env(explicit: str | Path | None = None) -> Path:
    return Path(explicit or os.environ.get("HYPOTEZ_DATA") or DEFAULT_DATA)


@dataclass(slots=True)
class App:
    services: Services
    # Swapped whole by a hot reload (a new registry, a new dispatcher): one assignment, seen at once.
    dispatcher: Dispatcher
    # Told how commands, replies and jobs went (hypotez.observability); the plain one does nothing.
    observer: Observer = field(default_factory=Observer)

    @property
    def registry(self) -> Registry:
        return self.dispatcher.registry

    @property
    def spec(self) -> Spec:
        return self.dispatcher.spec

    def observe(self, observer: Observer) -> None:
        """Report to ``observer`` from now on: the app, its dispatcher and the model service's jobs."""
        self.observer = self.dispatcher.observer = observer
        model = self.services.model
        if model is not None and hasattr(model, "observer"):
            model.observer = observer
        depth = getattr(getattr(model, "runner", None), "depth", None)  # the shared queue's, when jobs go there
        if depth is not None and hasattr(observer, "watch_queue"):
            observer.watch_queue(depth)

    async def start(self, outboxes: OutboxFactory | None = None,
                    serves: Callable[[str | None], bool] | None = None) -> None:
        """Start what runs in the background: training jobs left unfinished are resumed, and, when the
        adapter can post in a channel by its id (``outboxes``), report there as they would have — only
        for the servers this process hears (``serves``: a sharded bot's other processes report the rest)."""
        await adopt_legacy_data(self.spec, self.services)
        model = self.services.model
        if model is not None and getattr(model, "start", None) is not None:
            await model.start(self._resume_listener(outboxes, serves) if outboxes is not None else None, serves)
        start = getattr(self.services.voice, "start", None)
        if start is not None:
            await start()

    def _resume_listener(self, outboxes: OutboxFactory,
                         serves: Callable[[str | None], bool] | None = None) -> Callable[[Any], Any]:
        def listener(job: Any) -> Any:
            target = job.extra.get(NOTIFY)
            if not isinstance(target, dict) or not target.get("channel_id"):
                return None
            if serves is not None and not serves(target.get("guild_id")):
                return None
            outbox = outboxes(str(target["channel_id"]))
            invocation = self.dispatcher.invocation_for_job(target, outbox) if outbox is not None else None
            if invocation is None:
                return None
            message = outbox.message(str(target["message_id"])) if target.get("message_id") else None
            return JobProgress(invocation, message, ready=True).update

        return listener

    async def aclose(self) -> None:
        await self.services.aclose()


ServiceFactory = Callable[[Spec, DataFolder, Storage], Any]


def build_services(spec: Spec, data_dir: Path, *, model_factory: ServiceFactory | None = None,
                   voice_factory: ServiceFactory | None = None) -> Services:
    """Build the services the spec's settings ask for. Service factories can be swapped (tests)."""
    data = DataFolder(data_dir).ensure()
    storage = open_storage(spec.settings.storage, data.internal)
    model = (model_factory or default_model_factory)(spec, data, storage)
    jobs = os.environ.get("HYPOTEZ_JOBS") or spec.settings.storage.get("jobs")  # where training runs
    try:
        if model is not None and jobs not in (None, "in_process"):
            from hypotez.services.job_queue import queue_runner  # procrastinate only when it is asked for

            model.runner = queue_runner(spec.settings.storage, getattr(storage.backend, "url", None))
        elif model is not None and getattr(storage.backend, "url", None) is not None:
            from hypotez.services.job_lease import LeasedRunner, lease_seconds  # shared by several processes

            model.runner = LeasedRunner(storage, lease_seconds())
    except BaseException:
        storage.close()
        raise
    voice = (voice_factory or default_voice_factory)(spec, data, storage)
    return Services(data=data, storage=storage, model=model, voice=voice,
                    state=open_state_store(storage, data.internal))


def default_model_factory(spec: Spec, data: DataFolder, storage: Storage) -> Any:
    from hypotez.services.model import create_model_service

    return create_model_service(dict(spec.settings.model), data, storage)


def default_voice_factory(spec: Spec, data: DataFolder, storage: Storage) -> Any:
    from hypotez.services.voice import VoiceService

    settings = dict(spec.settings.voice)
    settings.setdefault("language", {"ru": "ru-RU", "en": "en-US"}.get(spec.settings.language,
                                                                      spec.settings.language))
    return VoiceService.from_settings(settings, data)


def build_app(source: Registry | Spec, services: Services, observer: Observer | None = None) -> App:
    """The app on a registry (or on a spec already validated, whose registry is built here). ``observer``
    is told how it works (metrics); the model service reports its jobs to it too."""
    registry = source if isinstance(source, Registry) else Registry.from_spec(source)
    app = App(services=services, dispatcher=Dispatcher(registry, services, cooldowns=cooldowns_for(services.storage)))
    if observer is not None:
        app.observe(observer)
    return app


def load_app(spec_path: str | Path = DEFAULT_SPEC, data_dir: str | Path | None = None, *,
             observer: Observer | None = None, **factories: Any) -> App:
    """Load the spec and build its registry (raises SpecError / SpecFileError), then the app on the
    embedded defaults."""
    registry = load_registry(Path(spec_path))
    for warning in registry.spec.warnings:
        log.warning("%s", warning.format())
    services = build_services(registry.spec, data_dir_from_env(data_dir), **factories)
    return build_app(registry, services, observer)
