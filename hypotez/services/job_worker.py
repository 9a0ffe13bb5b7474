"""The worker's side of the training queue (:mod:`job_queue`): ``hypotez worker`` takes jobs from the
queue and trains them with the bot's own Model service, which writes the job's progress to its row and
publishes the model it trains (:mod:`model_sharing`) — the bot processes report and switch to it.

A worker killed mid-job (kill -9, a machine lost) leaves its job in procrastinate's ``doing`` state with
a heartbeat that stops; every worker looks for such stalled jobs and retries each, up to
:data:`MAX_ATTEMPTS` runs, then marks it failed with the reason in the job's row. A job is never lost:
it stays in the queue until some worker runs it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import procrastinate
from procrastinate.jobs import Status

from hypotez.reasons import Reason
from hypotez.services.durable import atomic_write
from hypotez.services.job_cleaning import CLEAN_CRON, KEEP_FINISHED_HOURS, MAINTENANCE_QUEUE, register_cleaning
from hypotez.services.job_queue import QUEUE, TASK, ensure_queue_schema, open_queue
from hypotez.services.model.jobs import FAILED, QUEUED, Job

log = logging.getLogger("hypotez.worker")

MAX_ATTEMPTS = 3  # runs of one job before a worker that keeps dying is taken as the job's fault
HEARTBEAT_EVERY = 2.0  # seconds between a worker's heartbeats
STALLED_AFTER = 10.0  # seconds without a heartbeat after which a worker's jobs are taken up again
LOOK_EVERY = 5.0  # seconds between two looks for stalled jobs
STOP_WAIT = 30.0  # seconds a stopping worker lets the job in hand finish before handing it back


async def train_queued(service: Any, job_id: str, tenant: str, lines: list[str], attempt: int) -> str:
    """Train one queued job; its final status. A job already finished (run again after its worker was
    lost between the end and the acknowledgement) is left as it is."""
    data = await service.storage.get_job(job_id, tenant=tenant)
    if data is None:
        log.warning("training job %s is not in the storage: nothing to train", job_id)
        return "missing"
    job = Job.from_dict(data)
    if job.done:
        return job.status
    path = service.jobs_dir / f"{job_id}.jsonl"

    def write() -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_write(path) as out:
            out.write("".join(line + "\n" for line in lines))

    await asyncio.to_thread(write)
    if attempt > 1:
        job.status = QUEUED
        job.event(Reason("job_queue.retried", attempt=attempt))
    await service._run(job, None)
    return job.status


async def fail_lost_job(storage: Any, job_id: str, tenant: str, attempts: int) -> None:
    """Mark a job whose workers kept dying as failed, saying so (the bot reports it)."""
    data = await storage.get_job(job_id, tenant=tenant)
    if data is None:
        return
    job = Job.from_dict(data)
    if job.done:
        return
    job.status, job.finished = FAILED, time.time()
    job.error, job.hint = Reason("job_queue.worker_lost", attempts=attempts), Reason("job.hint_retry")
    job.event(Reason("job.event.failed", error=job.error))
    await storage.save_job(job.id, job.status, job.to_dict(), tenant=job.tenant)


class TrainingWorker:
    """One ``hypotez worker``: the training task on a procrastinate app, and the look for stalled jobs."""

    def __init__(self, service: Any, url: str, *, concurrency: int = 1, stalled_after: float = STALLED_AFTER,
                 look_every: float = LOOK_EVERY, max_attempts: int = MAX_ATTEMPTS,
                 keep_finished: int = KEEP_FINISHED_HOURS, clean_cron: str = CLEAN_CRON,
                 stop_wait: float = STOP_WAIT):
        self.service = service
        self.url = url
        self.concurrency = concurrency
        self.stalled_after = stalled_after
        self.look_every = min(look_every, stalled_after / 2)
        self.max_attempts = max_attempts
        self.queue = open_queue(url)
        self.stop_wait = stop_wait
        # A job cut short because its worker was told to stop (see run) goes back to the queue for
        # another run; a job that fails is failed in its row by the Model service and ends normally.
        retry = procrastinate.RetryStrategy(max_attempts=max_attempts, retry_exceptions={asyncio.CancelledError})
        self.queue.task(name=TASK, queue=QUEUE, pass_context=True, retry=retry)(self._train)
        register_cleaning(self.queue, keep_finished, clean_cron)

    async def _train(self, context: procrastinate.JobContext, job_id: str, tenant: str, lines: list[str]) -> None:
        attempt = (context.job.attempts if context.job is not None else 0) + 1
        log.info("training job %s (attempt %d)", job_id, attempt)
        status = await train_queued(self.service, job_id, tenant, lines, attempt)
        log.info("training job %s %s", job_id, status)

    async def take_up_stalled(self) -> int:
        """Retry (or, after :attr:`max_attempts` runs, fail) the jobs of workers that stopped beating."""
        manager = self.queue.job_manager
        stalled = await manager.get_stalled_jobs(queue=QUEUE, task_name=TASK,
                                                 seconds_since_heartbeat=self.stalled_after)
        for queued in stalled:
            runs = queued.attempts + 1
            args = queued.task_kwargs
            if runs < self.max_attempts:
                log.warning("training job %s was left by a stopped worker: running it again", args.get("job_id"))
                await manager.retry_job(queued)
            else:
                log.error("training job %s: its worker stopped %d times; marking it failed", args.get("job_id"), runs)
                await fail_lost_job(self.service.storage, args.get("job_id", ""), args.get("tenant", ""), runs)
                await manager.finish_job(queued, Status.FAILED, delete_job=False)
        return len(stalled)

    async def _look_for_stalled(self) -> None:
        while True:
            try:
                await self.take_up_stalled()
            except Exception:  # the database away for a moment: look again later
                log.exception("could not look for stalled training jobs")
            await asyncio.sleep(self.look_every)

    async def run(self) -> None:
        """Work until cancelled. SIGINT/SIGTERM stop it after the job in hand — or, when that takes longer
        than :attr:`stop_wait` seconds, cut the job short and hand it back to the queue, where another
        worker (or this one, restarted) trains it again: a stop never waits for a long training."""
        await asyncio.to_thread(ensure_queue_schema, self.url)
        async with self.queue.open_async():
            looking = asyncio.create_task(self._look_for_stalled())
            try:
                log.info("worker ready: training jobs from the queue %r", QUEUE)
                await self.queue.run_worker_async(queues=[QUEUE, MAINTENANCE_QUEUE], concurrency=self.concurrency,
                                                  update_heartbeat_interval=HEARTBEAT_EVERY,
                                                  stalled_worker_timeout=self.stalled_after,
                                                  shutdown_graceful_timeout=self.stop_wait,
                                                  install_signal_handlers=True)
            finally:
                looking.cancel()
                await asyncio.gather(looking, return_exceptions=True)
