"""Training in the bot's own process with several bot processes on one PostgreSQL database: a job is run
by exactly one of them. A job left by a process that died is taken up once its lease has expired — by
one process only, which reports it in the job's channel — and a process killed with kill -9 mid-job
loses its job to another only after its lease has run out. Against a real PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from support import FAQ, ROOT, SHIPPED_SPEC

from hypotez.errors import ConfigError
from hypotez.services.job_lease import lease_seconds
from hypotez.services.model.jobs import RUNNING, Job
from hypotez.services.storage import Storage
from hypotez.services.storage_leases import JobLeases
from hypotez.testing import GUILD_ID
from hypotez.testing.payloads import CHANNEL_ID

LEASE = 2.0  # seconds: short, so the tests see leases expire
DEAD = "a-process-that-died"
TENANT = str(GUILD_ID)


def leave_job(url: str, examples: str, *, holder: str = DEAD, seconds: float = -1.0) -> str:
    """A training job as a bot process leaves it when it dies mid-run: its row says running, its lease
    (with its examples) is ``holder``'s, expired unless ``seconds`` says otherwise."""
    storage = Storage(url)
    try:
        job = Job.new("local", status=RUNNING, tenant=TENANT, examples=examples.count("\n"))
        job.extra["notify"] = {"command": "train", "channel_id": str(CHANNEL_ID), "channel_name": "general",
                               "guild_id": TENANT, "language": "ru", "user_id": "7", "user_name": "trainer"}
        JobLeases(storage.backend).claim(job.id, holder, seconds, examples)
        storage.save_job_sync(job.id, job.status, job.to_dict(), tenant=TENANT)
        return job.id
    finally:
        storage.close()


async def finished(storage: Storage, job_id: str, seconds: float = 120) -> dict:
    deadline = time.monotonic() + seconds
    while True:
        row = await storage.get_job(job_id, tenant=TENANT)
        if Job.from_dict(row).done or time.monotonic() > deadline:
            return row
        await asyncio.sleep(0.1)


def announced(bot, job_id: str) -> list[str]:
    return [m.content for m in bot.sent if m.content.startswith(f"✅ Обучение `{job_id}` завершено")]


@pytest.fixture
def shared_bot(hypotez_bot, postgres_url, monkeypatch, tmp_path):
    monkeypatch.setenv("HYPOTEZ_DATABASE_URL", postgres_url)
    monkeypatch.delenv("HYPOTEZ_JOBS", raising=False)  # trained in the bots' own processes
    monkeypatch.setenv("HYPOTEZ_JOB_LEASE", str(LEASE))

    def make(name: str):
        return hypotez_bot(spec=SHIPPED_SPEC, voice=False, data_dir=tmp_path / name)
    return make


def test_one_claimer_of_many_gets_an_expired_lease(postgres_url):
    storage = Storage(postgres_url)
    try:
        leases = JobLeases(storage.backend)
        assert leases.claim("job-1", "first", 30, "examples") == "examples"
        assert leases.claim("job-1", "second", 30) is None  # held and not expired
        assert leases.renew("job-1", "first", 30) and not leases.renew("job-1", "second", 30)
        leases.claim("job-2", DEAD, -1, "lines")
        won: list[str] = []
        barrier = threading.Barrier(8)

        def claim(name: str) -> None:
            barrier.wait()
            if leases.claim("job-2", name, 30) is not None:
                won.append(name)

        threads = [threading.Thread(target=claim, args=(f"process-{n}",)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(won) == 1 and leases.holder("job-2")[0] == won[0]
        leases.release("job-2", "someone-else")  # only the holder releases
        assert leases.holder("job-2")[0] == won[0]
        leases.release("job-2", won[0])
        assert leases.holder("job-2") is None
    finally:
        storage.close()


async def test_a_job_left_by_a_dead_process_is_run_once_by_one_of_two_processes(shared_bot, postgres_url, tmp_path):
    job_id = leave_job(postgres_url, FAQ.read_text(encoding="utf-8"))
    async with shared_bot("first") as first, shared_bot("second") as second:
        row = await finished(first.app.services.storage, job_id)
        await first.settle(timeout=60)
        await second.settle(timeout=60)
        assert row["status"] == "succeeded", row
        # One process trained it (one model version, in one data folder) and announced it once.
        assert await first.app.services.storage.models.versions("local", tenant=TENANT) == ["v1"]
        trained = [bot for bot in (first, second)
                   if (bot.app.services.model.models_dir(TENANT) / "v1").is_dir()]
        assert len(trained) == 1
        assert len(announced(first, job_id)) + len(announced(second, job_id)) == 1
        assert len(announced(trained[0], job_id)) == 1
        assert JobLeases(first.app.services.storage.backend).holder(job_id) is None  # handed back at the end
        for bot in (first, second):  # both answer with the model, whichever trained it
            assert (await bot.send("Как тебя зовут?")).content == "Меня зовут hypotez."


async def test_a_job_held_by_a_live_process_is_left_to_it(shared_bot, postgres_url):
    job_id = leave_job(postgres_url, FAQ.read_text(encoding="utf-8"), holder="a-live-process", seconds=3600)
    async with shared_bot("first") as first:
        await asyncio.sleep(3 * LEASE)  # several looks for jobs to take up
        row = await first.app.services.storage.get_job(job_id, tenant=TENANT)
        assert row["status"] == RUNNING and not announced(first, job_id)
        assert JobLeases(first.app.services.storage.backend).holder(job_id)[0] == "a-live-process"


def console(url: str, data_dir) -> subprocess.Popen:
    """A bot process of its own (the console adapter): it takes up the jobs left to it at start-up."""
    env = {**os.environ, "HYPOTEZ_DATABASE_URL": url, "HYPOTEZ_JOB_LEASE": str(LEASE)}
    env.pop("HYPOTEZ_JOBS", None)
    return subprocess.Popen([sys.executable, "-m", "hypotez", "console", "--spec", str(SHIPPED_SPEC),
                             "--data", str(data_dir)], cwd=ROOT, env=env, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


async def test_a_process_killed_mid_job_loses_it_only_when_its_lease_expires(shared_bot, postgres_url, tmp_path):
    # Many examples, so the job is still training when its process is killed.
    lines = FAQ.read_text(encoding="utf-8").splitlines()
    examples = "".join(line.replace('"}', f' ({n})"}}') + "\n" for n in range(300) for line in lines)
    job_id = leave_job(postgres_url, examples)
    owner = console(postgres_url, tmp_path / "console")
    storage = Storage(postgres_url)
    leases = JobLeases(storage.backend)
    try:
        deadline = time.monotonic() + 120
        while (leases.holder(job_id) or (DEAD,))[0] == DEAD and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        holder = leases.holder(job_id)
        assert holder is not None and holder[0] != DEAD, owner.stdout.read() if owner.poll() is not None else ""
        async with shared_bot("survivor") as survivor:
            await asyncio.sleep(LEASE)  # the survivor looks meanwhile: the lease is renewed, the job left
            assert leases.holder(job_id)[0] == holder[0]
            assert (await storage.get_job(job_id, tenant=TENANT))["status"] == RUNNING
            owner.send_signal(signal.SIGKILL)
            owner.wait(timeout=10)
            killed = time.monotonic()
            deadline = killed + 30
            while (leases.holder(job_id) or (holder[0],))[0] == holder[0] and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            taken_after = time.monotonic() - killed
            row = await finished(storage, job_id)
            await survivor.settle(timeout=60)
        assert row["status"] == "succeeded", row
        assert LEASE * 0.3 < taken_after < LEASE * 3, taken_after  # after the lease ran out, not at once
        assert len(announced(survivor, job_id)) == 1
        assert sum(1 for event in row["events"] if "job.event.resumed" in str(event.get("reason"))) >= 1
    finally:
        if owner.poll() is None:
            owner.kill()
        storage.close()


@pytest.mark.parametrize("value", ["soon", "0", "-5", "99999"])
def test_a_bad_lease_length_is_refused_saying_what_to_give(value):
    with pytest.raises(ConfigError) as refused:
        lease_seconds({"HYPOTEZ_JOB_LEASE": value})
    assert f"HYPOTEZ_JOB_LEASE: {value!r} is not a lease length" in refused.value.format_message()
    assert "from 1 to 3600" in refused.value.format_message()
    assert lease_seconds({}) == 15.0 and lease_seconds({"HYPOTEZ_JOB_LEASE": "2.5"}) == 2.5


async def test_a_stopping_process_hands_its_job_back_at_once(shared_bot, postgres_url):
    lines = FAQ.read_text(encoding="utf-8").splitlines()
    examples = "".join(line.replace('"}', f' ({n})"}}') + "\n" for n in range(300) for line in lines)
    job_id = leave_job(postgres_url, examples)
    storage = Storage(postgres_url)
    try:
        async with shared_bot("first") as first:
            held = JobLeases(storage.backend).holder(job_id)
            assert held is not None and held[0] == first.app.services.model.runner.owner
            stopping = time.monotonic()
        assert time.monotonic() - stopping < 10  # the stop waits for no training
        assert JobLeases(storage.backend).holder(job_id) is None  # another process may take it now
        assert (await storage.get_job(job_id, tenant=TENANT))["status"] != "succeeded"
    finally:
        storage.close()


async def test_a_process_takes_up_only_the_jobs_of_servers_it_serves(postgres_url, monkeypatch, tmp_path):
    from hypotez.app import build_services
    from hypotez.registry import load_spec

    monkeypatch.setenv("HYPOTEZ_DATABASE_URL", postgres_url)
    monkeypatch.delenv("HYPOTEZ_JOBS", raising=False)
    job_id = leave_job(postgres_url, FAQ.read_text(encoding="utf-8"))
    services = build_services(load_spec(SHIPPED_SPEC), tmp_path)
    model = services.model
    try:
        asked: list[str | None] = []

        def serves(guild_id: str | None) -> bool:
            asked.append(guild_id)
            return guild_id != TENANT

        assert await model.runner.take_up(model, lambda job: None, serves) == []
        assert asked == [TENANT]  # the job's server, from where it reports
        assert JobLeases(services.storage.backend).holder(job_id)[0] == DEAD  # left for its own process
        assert await model.runner.take_up(model, lambda job: None, lambda guild_id: True) == [job_id]
        row = await finished(services.storage, job_id)
        assert row["status"] == "succeeded"
    finally:
        await services.aclose()
