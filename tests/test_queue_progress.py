"""A queued job's progress reaches the bot that follows it when the worker saves it: the save is
announced (LISTEN/NOTIFY) in its transaction, and the bot reads the row then — not on a timer. A slow
look remains for announcements missed. Against a real PostgreSQL; the "worker" is a storage of its own,
as a worker process has."""

from __future__ import annotations

import asyncio
import json
import statistics
import time

import psycopg
import pytest
from support import SHIPPED_SPEC

from hypotez.app import build_services
from hypotez.registry import load_spec
from hypotez.services.model.jobs import QUEUED, RUNNING, SUCCEEDED, Job
from hypotez.services.storage import Storage

TENANT = "1"


@pytest.fixture
async def follower(postgres_url, monkeypatch, tmp_path):
    """The bot's model service, its jobs run by workers."""
    monkeypatch.setenv("HYPOTEZ_DATABASE_URL", postgres_url)
    monkeypatch.setenv("HYPOTEZ_JOBS", "queue")
    services = build_services(load_spec(SHIPPED_SPEC), tmp_path)
    yield services.model
    await services.aclose()


async def follow(model, heard: list) -> Job:
    job = Job.new("local", status=QUEUED, tenant=TENANT)
    await model.storage.save_job(job.id, job.status, job.to_dict(), tenant=TENANT)

    async def listener(changed: Job) -> None:
        heard.append((time.perf_counter(), changed))

    await model.runner.resume(model, Job.from_dict(job.to_dict()), listener)  # the bot's copy
    return job


async def until(check, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.002)
    return True


async def test_progress_is_reported_when_the_worker_saves_it(follower, postgres_url, capsys):
    follower.runner.fallback_every = 600  # only the announcements can bring it in time
    heard: list = []
    job = await follow(follower, heard)
    worker = Storage(postgres_url)
    latencies = []
    try:
        for step in range(1, 41):
            job.status, job.progress = RUNNING, step / 100
            await worker.save_job(job.id, job.status, job.to_dict(), tenant=TENANT)
            saved = time.perf_counter()
            assert await until(lambda: len(heard) == step, 5), f"update {step} not reported"
            latencies.append((heard[-1][0] - saved) * 1000)
            assert heard[-1][1].progress == job.progress
        job.status = SUCCEEDED
        await worker.save_job(job.id, job.status, job.to_dict(), tenant=TENANT)
        assert await until(lambda: heard[-1][1].status == SUCCEEDED, 5)
        assert await until(lambda: not follower._tasks, 5)  # done: the bot stops following it
    finally:
        worker.close()
    with capsys.disabled():
        print(f"\nprogress saved by the worker → reported by the bot: median {statistics.median(latencies):.1f} ms, "
              f"max {max(latencies):.1f} ms over {len(latencies)} updates")
    assert statistics.median(latencies) < 100  # the look every half second it replaces: up to 500 ms


async def test_a_change_that_was_not_announced_is_found_by_the_slow_look(follower, postgres_url):
    follower.runner.fallback_every = 0.5
    heard: list = []
    job = await follow(follower, heard)
    job.status, job.progress = RUNNING, 0.5
    with psycopg.connect(postgres_url, autocommit=True) as connection:  # a write no one announced
        connection.execute("UPDATE jobs SET status = %s, data = %s WHERE id = %s",
                           (job.status, json.dumps(job.to_dict()), job.id))
    assert await until(lambda: heard and heard[-1][1].progress == 0.5, 5)


async def test_stopping_does_not_wait_for_a_followed_job(follower):
    heard: list = []
    await follow(follower, heard)  # never finished by any worker
    started = time.monotonic()
    await asyncio.wait_for(follower.aclose(), 10)
    assert time.monotonic() - started < 5 and not follower._tasks
