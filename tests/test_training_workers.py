"""Training jobs run by ``hypotez worker`` processes (bot.storage.jobs: queue) against a real PostgreSQL:
the bot queues the job, a worker process trains it, the bot posts its progress and result in the channel
and answers with the model the worker trained; a worker killed with kill -9 mid-job loses no job, nor
does one told to stop, which hands the job back instead of making its stop wait for the training."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import urllib.request

import psycopg
import pytest
from support import FAQ, ROOT, SHIPPED_SPEC, TRAINER, attachment

from hypotez.app import build_services
from hypotez.errors import ConfigError
from hypotez.observability.metrics import Metrics
from hypotez.registry import load_spec
from hypotez.services.job_queue import QUEUE, queue_depth
from hypotez.testing.postgres import free_port
from test_metrics_network import samples

QUESTION = "Как тебя зовут?"
TRAINED = "Меня зовут hypotez."


def start_worker(url: str, data_dir, *extra: str) -> subprocess.Popen:
    env = {**os.environ, "HYPOTEZ_DATABASE_URL": url, "HYPOTEZ_JOBS": "queue"}
    return subprocess.Popen([sys.executable, "-m", "hypotez", "worker", "--spec", str(SHIPPED_SPEC),
                             "--data", str(data_dir), *extra], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def stop(process: subprocess.Popen) -> str:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
    return process.stdout.read()


def queued_jobs(url: str) -> list[tuple[str, int]]:
    with psycopg.connect(url, autocommit=True) as connection:
        return connection.execute("SELECT status::text, attempts FROM procrastinate_jobs WHERE queue_name = %s",
                                  (QUEUE,)).fetchall()


async def wait_for(check, seconds: float):
    deadline = time.monotonic() + seconds
    while not (value := check()):
        if time.monotonic() > deadline:
            return value
        await asyncio.sleep(0.02)
    return value


@pytest.fixture
def queued_bot(hypotez_bot, postgres_url, monkeypatch, tmp_path):
    monkeypatch.setenv("HYPOTEZ_DATABASE_URL", postgres_url)
    monkeypatch.setenv("HYPOTEZ_JOBS", "queue")
    return hypotez_bot(spec=SHIPPED_SPEC, voice=False, data_dir=tmp_path / "bot")


def test_the_queue_is_refused_on_sqlite_saying_what_to_set(tmp_path, monkeypatch):
    monkeypatch.delenv("HYPOTEZ_DATABASE_URL", raising=False)
    monkeypatch.setenv("HYPOTEZ_JOBS", "queue")
    with pytest.raises(ConfigError) as refused:
        build_services(load_spec(SHIPPED_SPEC), tmp_path)
    assert "HYPOTEZ_JOBS: queue needs the storage in PostgreSQL" in refused.value.format_message()
    assert "postgresql://USER:PASSWORD@HOST:PORT/DATABASE" in refused.value.format_message()
    monkeypatch.setenv("HYPOTEZ_JOBS", "celery")
    with pytest.raises(ConfigError, match="'celery' is not a way to run training jobs"):
        build_services(load_spec(SHIPPED_SPEC), tmp_path)


def test_a_worker_on_sqlite_is_refused(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("HYPOTEZ_DATABASE_URL", "HYPOTEZ_JOBS")}
    done = subprocess.run([sys.executable, "-m", "hypotez", "worker", "--spec", str(SHIPPED_SPEC),
                           "--data", str(tmp_path)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert "hypotez worker takes its jobs from the PostgreSQL database" in done.stderr
    assert "Traceback" not in done.stderr


async def test_a_job_trained_by_a_worker_is_announced_and_its_model_answers(queued_bot, postgres_url, tmp_path):
    async with queued_bot as bot:
        started = (await bot.send("!train", attachments=attachment("faq.jsonl", FAQ.read_bytes()),
                                  **TRAINER)).messages[0].content
        job_id = started.split("`")[1]
        assert queue_depth(postgres_url) == {"todo": 1}  # queued, not trained here: no worker yet
        assert [status for status, _ in queued_jobs(postgres_url)] == ["todo"]
        metrics = Metrics()
        bot.app.observe(metrics)  # the queue depth any of the bot's processes would show
        assert metrics.samples()['hypotez_training_queue_jobs{state="todo"}'] == 1
        port = free_port()
        worker = start_worker(postgres_url, tmp_path / "worker", "--metrics-port", str(port))
        try:
            await bot.settle(timeout=120)
            worker_metrics = samples(urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read().decode())
            health = urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10).status
        finally:
            log = stop(worker)
        assert worker_metrics['hypotez_training_job_seconds_count{backend="local",status="succeeded"}'] == 1
        assert worker_metrics['hypotez_training_queue_jobs{state="todo"}'] == 0 and health == 200
        result = bot.sent[-1].content
        assert result.startswith(f"✅ Обучение `{job_id}` завершено") and "`v1`" in result, log
        progress = [m for m in bot.sent if m.content.startswith(f"⏳ `{job_id}`")]
        assert len(progress) == 1 and "100%" in progress[0].text  # one message, edited as the worker went
        assert queued_jobs(postgres_url) == [("succeeded", 1)] and queue_depth(postgres_url) == {}
        assert (await bot.send(QUESTION)).content == TRAINED  # the worker's model, through the storage
        assert metrics.samples()['hypotez_training_queue_jobs{state="todo"}'] == 0
        assert metrics.samples()['hypotez_training_queue_jobs{state="doing"}'] == 0


async def test_a_job_outlives_a_worker_killed_mid_job(queued_bot, postgres_url, tmp_path):
    async with queued_bot as bot:
        started = (await bot.send("!train", attachments=attachment("faq.jsonl", FAQ.read_bytes()),
                                  **TRAINER)).messages[0].content
        job_id = started.split("`")[1]
        first = start_worker(postgres_url, tmp_path / "first", "--stalled-after", "2")
        taken = await wait_for(lambda: [s for s, _ in queued_jobs(postgres_url)] == ["doing"], 120)
        first.send_signal(signal.SIGKILL)  # mid-job: no chance to finish or say anything
        first.wait(timeout=10)
        assert taken, stop(first)
        row = await bot.app.services.storage.get_job(job_id, tenant=str(bot.server().id))
        assert row["status"] != "succeeded"  # it really was killed before the end
        second = start_worker(postgres_url, tmp_path / "second", "--stalled-after", "2")
        try:
            await bot.settle(timeout=120)
        finally:
            log = stop(second)
        result = bot.sent[-1].content
        assert result.startswith(f"✅ Обучение `{job_id}` завершено"), log
        assert queued_jobs(postgres_url) == [("succeeded", 2)]  # two runs: the killed one, then the whole one
        row = await bot.app.services.storage.get_job(job_id, tenant=str(bot.server().id))
        assert any("attempt 2" in event["message"] for event in row["events"])  # the retry is told
        assert (await bot.send(QUESTION)).content == TRAINED


async def test_a_worker_told_to_stop_mid_job_hands_it_back_without_waiting(queued_bot, postgres_url, tmp_path):
    async with queued_bot as bot:
        started = (await bot.send("!train", attachments=attachment("faq.jsonl", FAQ.read_bytes()),
                                  **TRAINER)).messages[0].content
        job_id = started.split("`")[1]
        first = start_worker(postgres_url, tmp_path / "first", "--stop-wait", "0")
        taken = await wait_for(lambda: [s for s, _ in queued_jobs(postgres_url)] == ["doing"], 120)
        asked = time.monotonic()
        first.send_signal(signal.SIGTERM)
        first.wait(timeout=30)
        stopped_in = time.monotonic() - asked
        assert taken, stop(first)
        assert stopped_in < 15, stopped_in  # not the whole training
        row = await bot.app.services.storage.get_job(job_id, tenant=str(bot.server().id))
        assert row["status"] != "succeeded"  # it really was cut short
        assert [status for status, _ in queued_jobs(postgres_url)] == ["todo"]  # back in the queue
        second = start_worker(postgres_url, tmp_path / "second")
        try:
            await bot.settle(timeout=120)
        finally:
            log = stop(second)
        assert bot.sent[-1].content.startswith(f"✅ Обучение `{job_id}` завершено"), log
        assert queued_jobs(postgres_url) == [("succeeded", 2)]
