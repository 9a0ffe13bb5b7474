"""Finished jobs leave the training queue: a worker runs procrastinate's own clean-up periodically and
removes the jobs finished more than ``--keep-finished`` hours ago; newer ones and unfinished ones stay.
Against a real PostgreSQL, with a real worker (in this process, its clean-up every second)."""

from __future__ import annotations

import asyncio
import time

import psycopg
import pytest
from support import SHIPPED_SPEC

from hypotez.app import build_services
from hypotez.cli import main
from hypotez.registry import load_spec
from hypotez.services.job_cleaning import CLEAN_TASK
from hypotez.services.job_queue import QUEUE, TASK, ensure_queue_schema, open_queue
from hypotez.services.job_worker import TrainingWorker


def queue_rows(url: str) -> dict[str, str]:
    """The training queue's jobs: the job id each trains → its status."""
    with psycopg.connect(url, autocommit=True) as connection:
        rows = connection.execute("SELECT args->>'job_id', status::text FROM procrastinate_jobs "
                                  "WHERE queue_name = %s", (QUEUE,)).fetchall()
    return dict(rows)


def age(url: str, job_ids: list[str], hours: int) -> None:
    """Make the jobs' events (when they were queued, started, finished) ``hours`` older."""
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("UPDATE procrastinate_events SET at = at - make_interval(hours => %s) WHERE job_id IN "
                           "(SELECT id FROM procrastinate_jobs WHERE args->>'job_id' = ANY(%s))", (hours, job_ids))


def cleaning_runs(url: str) -> int:
    with psycopg.connect(url, autocommit=True) as connection:
        return connection.execute("SELECT count(*) FROM procrastinate_jobs WHERE task_name = %s",
                                  (CLEAN_TASK,)).fetchone()[0]


async def until(check, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.1)
    return True


async def test_jobs_finished_longer_ago_than_kept_are_removed(postgres_url, monkeypatch, tmp_path):
    monkeypatch.setenv("HYPOTEZ_DATABASE_URL", postgres_url)
    monkeypatch.setenv("HYPOTEZ_JOBS", "queue")
    services = build_services(load_spec(SHIPPED_SPEC), tmp_path)
    ensure_queue_schema(postgres_url)
    queue = open_queue(postgres_url)
    async with queue.open_async():
        task = queue.configure_task(TASK, queue=QUEUE)
        for job_id in ("job-old", "job-new"):  # not in the storage: the worker finds nothing to train
            await task.defer_async(job_id=job_id, tenant="", lines=[])
        await queue.configure_task(TASK, queue=QUEUE, schedule_in={"days": 1}).defer_async(
            job_id="job-waiting", tenant="", lines=[])
    worker = TrainingWorker(services.model, postgres_url, keep_finished=24, clean_cron="* * * * * *")
    running = asyncio.ensure_future(worker.run())
    try:
        assert await until(lambda: queue_rows(postgres_url).get("job-new") == "succeeded"
                           and queue_rows(postgres_url).get("job-old") == "succeeded", 60), queue_rows(postgres_url)
        age(postgres_url, ["job-old", "job-waiting"], 25)  # finished 25 hours ago; waiting as long
        assert await until(lambda: "job-old" not in queue_rows(postgres_url), 30), queue_rows(postgres_url)
        # Finished within the 24 hours, or not finished at all: kept.
        assert queue_rows(postgres_url) == {"job-new": "succeeded", "job-waiting": "todo"}
        assert cleaning_runs(postgres_url) >= 1  # procrastinate's periodic task did it, on its own queue
    finally:
        running.cancel()
        await asyncio.wait_for(asyncio.gather(running, return_exceptions=True), 30)
        await services.aclose()


@pytest.mark.parametrize("hours", ["-1", "a week", "1.5"])
def test_a_bad_keep_finished_is_a_clear_message(hours, capsys):
    assert main(["worker", "--keep-finished", hours]) == 2
    err = capsys.readouterr().err
    assert f"{hours!r} is not a number of hours: give a whole number from 0" in err and "Traceback" not in err
