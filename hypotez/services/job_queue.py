"""Training jobs run by ``hypotez worker`` processes instead of the bot's own (``bot.storage.jobs:
queue``, PostgreSQL only): each job is deferred to a procrastinate queue in the bot's own PostgreSQL
database, and the bot process that started it follows the job's row in the storage (which the worker
updates as it trains) and reports it through the job's listener — the same progress message and result
as when it trains in-process. The trained model reaches every process through the storage
(:mod:`model_sharing`), as it does in-process.

The job's examples travel with the queued job (its arguments, in PostgreSQL), so a worker on another
machine, with another data folder, has them. :mod:`hypotez.services.job_worker` is the worker's side.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Awaitable, Callable

import procrastinate
import psycopg
from procrastinate.schema import SchemaManager

from hypotez.errors import ConfigError
from hypotez.services.model.jobs import Job

log = logging.getLogger("hypotez.jobs")

QUEUE = "hypotez-training"
TASK = "hypotez.train"
IN_PROCESS, QUEUED_RUNNER = "in_process", "queue"
RUNNERS = (IN_PROCESS, QUEUED_RUNNER)
JOBS_ENV = "HYPOTEZ_JOBS"  # overrides bot.storage.jobs
# A followed job's row is read when the worker announces a change of it (LISTEN/NOTIFY, through the
# storage); this slow look is only for announcements missed (the database away for a moment).
FALLBACK_EVERY = 10.0
SCHEMA_LOCK = 0x68797A71  # advisory lock key: one process at a time installs the queue's tables

Listener = Callable[[Job], Awaitable[None]]


def queue_runner(storage_settings: Any, database_url: str | None,
                 env: Mapping[str, str] | None = None) -> "QueueRunner":
    """The runner ``bot.storage.jobs: queue`` (or ``HYPOTEZ_JOBS=queue``) asks for, on the storage's
    PostgreSQL database; anything else, or the queue on SQLite, is refused saying what to change."""
    env = os.environ if env is None else env
    runner, setting = (env[JOBS_ENV], f"the environment variable {JOBS_ENV}") if env.get(JOBS_ENV) \
        else (str(storage_settings.get("jobs", IN_PROCESS)), "bot.storage.jobs")
    if runner not in RUNNERS:
        raise ConfigError(f"{setting}: {runner!r} is not a way to run training jobs",
                          "use in_process (the bot trains, the default) or queue (hypotez worker processes train)")
    if database_url is None:
        raise ConfigError(f"{setting}: queue needs the storage in PostgreSQL, and it is a SQLite file",
                          "set bot.storage.database (or HYPOTEZ_DATABASE_URL) to postgresql://USER:PASSWORD@"
                          "HOST:PORT/DATABASE, or train in the bot's own process (in_process)")
    return QueueRunner(database_url)


def open_queue(url: str) -> procrastinate.App:
    """A procrastinate app on the database ``url`` (opened by the caller with ``open_async``)."""
    return procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=url))


def ensure_queue_schema(url: str) -> None:
    """Install procrastinate's tables once per database (under an advisory lock: processes start at once)."""
    with psycopg.connect(url, autocommit=True) as connection, connection.transaction():
        connection.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
        if connection.execute("SELECT to_regclass('procrastinate_jobs')").fetchone()[0] is None:
            connection.execute(SchemaManager.get_schema())
            log.info("installed the training queue's tables")


def queue_depth(url: str) -> dict[str, int]:
    """Training jobs waiting (todo) and training (doing) in the queue: the metrics' queue depth."""
    with psycopg.connect(url, autocommit=True, connect_timeout=5) as connection:
        if connection.execute("SELECT to_regclass('procrastinate_jobs')").fetchone()[0] is None:
            return {}  # nothing queued yet: the tables come with the first job or worker
        rows = connection.execute("SELECT status::text, count(*) FROM procrastinate_jobs WHERE queue_name = %s "
                                  "AND status IN ('todo', 'doing') GROUP BY status", (QUEUE,)).fetchall()
    return {status: int(count) for status, count in rows}


def job_lines(path: Path) -> list[str]:
    """The job's examples as the JSON lines the bot wrote for it."""
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


class QueueRunner:
    """The bot's side: defer a job, then follow it until it is done."""

    def __init__(self, url: str, *, fallback_every: float = FALLBACK_EVERY):
        self.url = url
        self.fallback_every = fallback_every
        self._queue: procrastinate.App | None = None
        self._opening = asyncio.Lock()
        self._changed: dict[str, asyncio.Event] = {}  # followed job id → set when a change is announced
        self._hearing = False

    async def _hear(self, storage: Any, job_id: str) -> None:
        """Be woken for ``job_id``'s announced changes (listening from the first job followed on)."""
        self._changed.setdefault(job_id, asyncio.Event())
        if self._hearing:
            return
        self._hearing = True
        loop = asyncio.get_running_loop()

        def heard(changed: str | None) -> None:  # in the storage's listening thread
            loop.call_soon_threadsafe(self._wake, changed)

        await asyncio.to_thread(storage.watch_jobs, heard)  # waits until LISTEN is in place

    def _wake(self, job_id: str | None) -> None:
        events = self._changed.values() if job_id is None else [self._changed.get(job_id)]
        for event in events:
            if event is not None:
                event.set()

    async def _opened(self) -> procrastinate.App:
        async with self._opening:
            if self._queue is None:
                await asyncio.to_thread(ensure_queue_schema, self.url)
                queue = open_queue(self.url)
                await queue.open_async()
                self._queue = queue
        return self._queue

    async def submit(self, service: Any, job: Job, listener: Listener | None) -> None:
        """Queue ``job`` (saved, with its data written, by the caller) and follow it."""
        lines = await asyncio.to_thread(job_lines, service.jobs_dir / f"{job.id}.jsonl")
        await self._hear(service.storage, job.id)  # before the worker can take it: no change goes unheard
        queue = await self._opened()
        await queue.configure_task(TASK, queue=QUEUE).defer_async(job_id=job.id, tenant=job.tenant, lines=lines)
        log.info("training job %s queued for a worker (%d examples)", job.id, len(lines))
        service._spawn(self.follow(service, job, listener))

    async def resume(self, service: Any, job: Job, listener: Listener | None) -> None:
        """After a restart: a worker runs the job (it is in the queue); report it if this process can."""
        if listener is not None:
            await self._hear(service.storage, job.id)
            service._spawn(self.follow(service, job, listener))

    async def follow(self, service: Any, job: Job, listener: Listener | None) -> None:
        """Hand every change of the job's row to ``listener`` until the job is done. Never writes the
        row: the worker owns it."""
        await self._hear(service.storage, job.id)
        changed = self._changed[job.id]
        try:
            await self._follow(service, job, listener, changed)
        finally:
            self._changed.pop(job.id, None)

    async def _follow(self, service: Any, job: Job, listener: Listener | None, changed: asyncio.Event) -> None:
        seen = json.dumps(job.to_dict(), sort_keys=True, default=str)
        while not job.done:
            try:
                await asyncio.wait_for(changed.wait(), self.fallback_every)
            except asyncio.TimeoutError:
                pass  # no announcement heard: look anyway
            changed.clear()  # before reading: a change announced meanwhile wakes the next wait
            try:
                data = await service.storage.get_job(job.id, tenant=job.tenant)
            except Exception as error:  # the database is away for a moment: look again later
                log.warning("cannot read training job %s (%s); trying again", job.id, error)
                continue
            if data is None:
                log.warning("training job %s is gone from the storage", job.id)
                return
            current = json.dumps(data, sort_keys=True, default=str)
            if current == seen:
                continue
            seen, job = current, Job.from_dict(data)
            if listener is not None:
                try:
                    await listener(job)
                except Exception:  # a failed progress message must not stop following
                    log.exception("progress listener failed for %s", job.id)

    def depth(self) -> dict[str, int]:
        return queue_depth(self.url)

    async def aclose(self) -> None:
        if self._queue is not None:
            await self._queue.close_async()
            self._queue = None
