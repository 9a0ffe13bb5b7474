"""Training in the bot's own process when several bot processes share one PostgreSQL database (shards,
machines): each job is run by exactly one of them.

The process that starts a job leases it (:mod:`storage_leases`) before the job is saved, and renews the
lease every third of its length while the job waits and trains. Every process looks for unfinished jobs
at start-up and then every half lease, and takes up only those whose lease has expired — their owner
died (kill -9, a lost machine) — and only for the servers it serves (a sharded bot's other processes
take up the rest), reporting in the job's channel as a restarted bot does. A process that could not
renew in time and finds its lease taken stops its run: the new owner runs the job.

On SQLite there is one process, and :class:`~hypotez.services.model.base.InProcessRunner` resumes every
unfinished job at start-up, as before.
"""

from __future__ import annotations

import asyncio
import logging
import os
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Awaitable, Callable

from hypotez.errors import ConfigError
from hypotez.services.durable import atomic_write
from hypotez.services.model.jobs import UNFINISHED, Job
from hypotez.services.storage_leases import JobLeases

log = logging.getLogger("hypotez.jobs")

LEASE_ENV = "HYPOTEZ_JOB_LEASE"
LEASE_SECONDS = 15.0
RELEASE_WAIT = 5.0  # seconds a stopping process waits to hand its lease back (else it expires by itself)

Listener = Callable[[Job], Awaitable[None]]
Resumed = Callable[[Job], Listener | None]  # a job taken up → the listener that reports it (None: nobody)
Serves = Callable[[str | None], bool]


def lease_seconds(env: Mapping[str, str] | None = None) -> float:
    """The lease's length: ``HYPOTEZ_JOB_LEASE`` seconds (default 15); a bad value is refused."""
    env = os.environ if env is None else env
    text = env.get(LEASE_ENV, "").strip()
    if not text:
        return LEASE_SECONDS
    try:
        seconds = float(text)
    except ValueError:
        seconds = 0.0
    if not 1.0 <= seconds <= 3600.0:
        raise ConfigError(f"the environment variable {LEASE_ENV}: {text!r} is not a lease length",
                          "give the seconds a training job stays with a process that stops renewing it, "
                          f"from 1 to 3600 (default {LEASE_SECONDS:g})")
    return seconds


def job_server(job: Job) -> str | None:
    """The server a job reports in (None: a direct message, or nowhere), which decides who serves it."""
    target = job.extra.get("notify")
    guild = target.get("guild_id") if isinstance(target, dict) else None
    return str(guild) if guild else None


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8") if path.is_file() else ""


def _restore(path: Path, examples: str) -> None:
    """The job's examples, from its lease, where this process's training reads them."""
    if examples and not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_write(path) as out:
            out.write(examples)


class LeasedRunner:
    def __init__(self, storage: Any, seconds: float = LEASE_SECONDS):
        self.leases = JobLeases(storage.backend)
        self.seconds = seconds
        self.owner = uuid.uuid4().hex
        self.renew_every = seconds / 3
        self.look_every = seconds / 2
        self._held: set[str] = set()
        self._looking: asyncio.Task | None = None

    async def take(self, service: Any, job: Job) -> None:
        """Lease a new job (its data written, not saved yet: no other process can see it unleased)."""
        examples = await asyncio.to_thread(_read, service.jobs_dir / f"{job.id}.jsonl")
        await asyncio.to_thread(self.leases.claim, job.id, self.owner, self.seconds, examples)

    async def submit(self, service: Any, job: Job, listener: Listener | None) -> None:
        self._held.add(job.id)
        service._spawn(self._hold(service, job, listener))

    async def start(self, service: Any, resumed: Resumed, serves: Serves | None) -> None:
        """Take up the jobs left by dead processes now, then keep looking for more."""
        await self.take_up(service, resumed, serves)
        self._looking = asyncio.ensure_future(self._look(service, resumed, serves))

    async def take_up(self, service: Any, resumed: Resumed, serves: Serves | None) -> list[str]:
        """Run the unfinished jobs of the servers this process serves whose lease has expired; their ids."""
        taken = []
        for data in await service.storage.jobs(UNFINISHED, limit=10_000):
            job = Job.from_dict(data)
            if job.id in self._held or (serves is not None and not serves(job_server(job))):
                continue
            examples = await asyncio.to_thread(self.leases.claim, job.id, self.owner, self.seconds)
            if examples is None:
                continue  # its owner is alive
            # It may have finished between the look and the claim (its owner saves the end, then releases).
            current = await service.storage.get_job(job.id, tenant=job.tenant)
            if current is None or Job.from_dict(current).done:
                await asyncio.to_thread(self.leases.release, job.id, self.owner)
                continue
            job = Job.from_dict({**current, "tenant": job.tenant})
            await asyncio.to_thread(_restore, service.jobs_dir / f"{job.id}.jsonl", examples)
            await self.submit(service, job, resumed(job))
            taken.append(job.id)
        return taken

    async def _look(self, service: Any, resumed: Resumed, serves: Serves | None) -> None:
        while True:
            await asyncio.sleep(self.look_every)
            try:
                await self.take_up(service, resumed, serves)
            except Exception:  # the database away for a moment: look again later
                log.exception("could not look for training jobs left by stopped processes")

    async def _hold(self, service: Any, job: Job, listener: Listener | None) -> None:
        renewing = asyncio.ensure_future(self._renew(job, asyncio.current_task()))
        try:
            await service._run(job, listener)
        finally:
            renewing.cancel()
            await asyncio.gather(renewing, return_exceptions=True)
            self._held.discard(job.id)
            try:  # handed back at once, so a stopped process's job is taken up without waiting
                await asyncio.wait_for(asyncio.to_thread(self.leases.release, job.id, self.owner), RELEASE_WAIT)
            except Exception as error:
                log.warning("could not release the lease of training job %s (%s); it expires by itself",
                            job.id, error)

    async def _renew(self, job: Job, holder: asyncio.Task | None) -> None:
        while True:
            await asyncio.sleep(self.renew_every)
            try:
                held = await asyncio.to_thread(self.leases.renew, job.id, self.owner, self.seconds)
            except Exception as error:  # the database away: the lease holds until it expires
                log.warning("cannot renew the lease of training job %s (%s); trying again", job.id, error)
                continue
            if not held:
                log.error("training job %s was taken over by another process (its lease expired here): "
                          "stopping it in this one", job.id)
                if holder is not None:
                    holder.cancel()
                return

    async def aclose(self) -> None:
        if self._looking is not None:
            self._looking.cancel()
            await asyncio.gather(self._looking, return_exceptions=True)
            self._looking = None
