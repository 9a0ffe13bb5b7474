"""Running at scale, end to end: two ``hypotez run`` processes with different shard ranges and
``hypotez worker`` processes serve one local Discord test server against one real PostgreSQL
(bot.storage.jobs: queue). A job trained by a worker is announced in its channel by the process serving
that server; a worker killed with kill -9 mid-job loses no job; after a reshard (the ranges swapped,
each process with its own data folder) a server's feedback and trained model are what the other process
now serves; metrics, the shared queue's depth included, are scraped."""

from __future__ import annotations

import asyncio
import os
import signal
import sys

import psycopg
from fakes.bot_process import BotProcess
from fakes.discord_server import FakeDiscord
from support import FAQ, ROOT, SHIPPED_SPEC
from test_metrics_network import samples
from test_shards_network import endpoint, get, healthy

from hypotez.services.job_queue import QUEUE

SHARDS = 4
TRAINED = "Меня зовут hypotez."
FEEDBACK = "бот отвечает быстро"


async def start_worker(url: str, data_dir) -> asyncio.subprocess.Process:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HYPOTEZ_", "DISCORD_"))}
    env.update(HYPOTEZ_DATABASE_URL=url, HYPOTEZ_JOBS="queue", PYTHONUNBUFFERED="1")
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "hypotez", "worker", "--spec", str(SHIPPED_SPEC), "--data", str(data_dir),
        "--stalled-after", "2", env=env, cwd=ROOT, stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL)


def queue_statuses(url: str) -> list[tuple[str, int]]:
    with psycopg.connect(url, autocommit=True) as connection:
        if connection.execute("SELECT to_regclass('procrastinate_jobs')").fetchone()[0] is None:
            return []
        return connection.execute("SELECT status::text, attempts FROM procrastinate_jobs WHERE queue_name = %s "
                                  "ORDER BY id", (QUEUE,)).fetchall()


async def until(check, seconds: float, what: str):
    for _ in range(int(seconds / 0.02)):
        if value := check():
            return value
        await asyncio.sleep(0.02)
    raise AssertionError(f"not within {seconds} s: {what}")


async def bots(discord: FakeDiscord, env: dict, tmp_path, ranges: tuple[str, str], round_: str):
    started = []
    for shards in ranges:
        started.append(await BotProcess.start(env, data_dir=tmp_path / f"{round_}-{shards}", extra_args=(
            "--shards", shards, "--shard-count", str(SHARDS), "--metrics-port", "0")))
    urls = [await endpoint(bot) for bot in started]
    for bot, url in zip(started, urls):
        await healthy(bot, url, timeout=90)
    return started, urls


async def stop_all(processes) -> None:
    for bot in processes:
        assert await bot.stop() == 0, bot.log
        assert "Traceback" not in bot.log, bot.log


async def test_two_shard_processes_and_workers_on_one_postgresql(postgres_url, tmp_path):
    async with FakeDiscord(channels=("home",), shards=SHARDS, max_concurrency=2) as discord:
        for shard in range(SHARDS):
            discord.add_guild(f"server {shard}", [f"s{shard}"], shard=(shard, SHARDS))
        env = {**discord.env(), "HYPOTEZ_DATABASE_URL": postgres_url, "HYPOTEZ_JOBS": "queue"}
        (low, high), (low_url, high_url) = await bots(discord, env, tmp_path, ("0-1", "2-3"), "first")
        first_worker = await start_worker(postgres_url, tmp_path / "worker-1")
        second_worker = None
        try:
            # A job on a server of the low process; its worker is killed with kill -9 as it trains.
            [started] = await discord.ask("!train", channel="s1", timeout=30,
                                          attachments=[("faq.jsonl", FAQ.read_bytes(), "application/jsonl")])
            job_id = started.text.split("`")[1]
            await until(lambda: [s for s, _ in queue_statuses(postgres_url)] == ["doing"], 120, "the job taken")
            first_worker.send_signal(signal.SIGKILL)
            await first_worker.wait()
            assert not any(m.text.startswith("✅") for m in discord.bot_messages("s1")), "killed before the end"
            second_worker = await start_worker(postgres_url, tmp_path / "worker-2")
            await discord.wait_until(lambda: any(m.text.startswith(f"✅ Обучение `{job_id}` завершено")
                                                 for m in discord.bot_messages("s1")), 120, "the job announced")
            assert queue_statuses(postgres_url) == [("succeeded", 2)]  # the killed run, then the whole one

            # A job on a server of the high process, trained by the worker that is left.
            [started] = await discord.ask("!train", channel="s2", timeout=30,
                                          attachments=[("faq.jsonl", FAQ.read_bytes(), "application/jsonl")])
            job_id = started.text.split("`")[1]
            await discord.wait_until(lambda: any(m.text.startswith(f"✅ Обучение `{job_id}` завершено")
                                                 for m in discord.bot_messages("s2")), 120, "the job announced")
            for channel in ("s1", "s2"):
                [answer] = await discord.ask("как тебя зовут?", channel=channel)
                assert answer.text == TRAINED, f"#{channel}: {answer.text}"
                assert sum(1 for m in discord.bot_messages(channel) if m.text.startswith("✅")) == 1  # one process spoke
            await discord.ask(f"!feedback {FEEDBACK}", channel="s2")
            await discord.ask(f"!feedback {FEEDBACK}", channel="s0")

            low_metrics = samples((await get(low_url + "/metrics"))[1])
            high_metrics = samples((await get(high_url + "/metrics"))[1])
            assert low_metrics['hypotez_commands_total{command="train",outcome="ok"}'] == 1
            assert high_metrics['hypotez_commands_total{command="train",outcome="ok"}'] == 1
            for metrics in (low_metrics, high_metrics):  # the shared queue, seen from either process
                assert metrics['hypotez_training_queue_jobs{state="todo"}'] == 0
                assert metrics['hypotez_training_queue_jobs{state="doing"}'] == 0

            # A job queued while no worker runs, left waiting across the reshard below.
            second_worker.send_signal(signal.SIGTERM)
            assert await second_worker.wait() == 0
            [started] = await discord.ask("!train", channel="s3", timeout=30,
                                          attachments=[("faq.jsonl", FAQ.read_bytes(), "application/jsonl")])
            waiting_job = started.text.split("`")[1]
            assert samples((await get(low_url + "/metrics"))[1])['hypotez_training_queue_jobs{state="todo"}'] == 1
        finally:
            for worker in (first_worker, second_worker):
                if worker is not None and worker.returncode is None:
                    worker.send_signal(signal.SIGTERM)
                    await worker.wait()
            await stop_all((low, high))

        # A reshard: the ranges swapped, each process with a new, empty data folder of its own.
        (low, high), _ = await bots(discord, env, tmp_path, ("2-3", "0-1"), "second")
        worker = await start_worker(postgres_url, tmp_path / "worker-3")
        try:
            # The waiting job is trained now, and announced once: by the process that serves its server.
            await discord.wait_until(lambda: any(m.text.startswith(f"✅ Обучение `{waiting_job}` завершено")
                                                 for m in discord.bot_messages("s3")), 120, "the job announced")
            await asyncio.sleep(1.5)  # another process's announcement would have come by now
            assert sum(1 for m in discord.bot_messages("s3") if m.text.startswith("✅")) == 1
            for channel in ("s0", "s2"):  # feedback given to the other process
                [latest] = await discord.ask("!feedback", channel=channel, user=f"reader-{channel}")
                assert FEEDBACK in latest.text, latest.text
            for channel in ("s1", "s2"):  # models trained by a worker, now served by the other process
                [answer] = await discord.ask("как тебя зовут?", channel=channel)
                assert answer.text == TRAINED, f"#{channel}: {answer.text}"
        finally:
            if worker.returncode is None:
                worker.send_signal(signal.SIGTERM)
                await worker.wait()
            await stop_all((low, high))
