"""``hypotez run --metrics-port 0 --log-format json`` against the local Discord test server: the
Prometheus endpoint counts what the bot did, /healthz follows the gateway, and every log line is JSON.

One bot process for the module; its gateway IDENTIFY is held at first, so the health endpoint is seen
answering 503 before the bot is connected and 200 after."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import aiohttp
import pytest
import pytest_asyncio
from fakes.bot_process import BotProcess
from fakes.discord_server import FakeDiscord
from prometheus_client.parser import text_string_to_metric_families
from support import FAQ

pytestmark = pytest.mark.asyncio(loop_scope="module")

CHANNELS = ("general", "files", "training")
ENDPOINT = re.compile(r"metrics on http://([\d.]+):(\d+)/metrics")


def samples(text: str) -> dict[str, float]:
    """``name{label="value",...}`` → value, labels sorted, from Prometheus' text format."""
    found: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            labels = ",".join(f'{k}="{v}"' for k, v in sorted(sample.labels.items()))
            found[f"{sample.name}{{{labels}}}" if labels else sample.name] = sample.value
    return found


class Bot:
    def __init__(self, process: BotProcess):
        self.process = process
        self.base = ""

    async def endpoint(self) -> str:
        def found() -> str | None:
            match = ENDPOINT.search(self.process.log)
            return f"http://{match[1]}:{match[2]}" if match else None

        for _ in range(600):
            if found():
                self.base = found() or ""
                return self.base
            await self.process.alongside(asyncio.sleep(0.05))
        raise AssertionError(f"the bot never said where its metrics are:\n{self.process.log}")

    async def get(self, path: str) -> tuple[int, str]:
        async with aiohttp.ClientSession() as session:
            async with session.get(self.base + path) as response:
                return response.status, await response.text()

    async def metrics(self) -> dict[str, float]:
        status, text = await self.get("/metrics")
        assert status == 200, text
        return samples(text)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def discord():
    async with FakeDiscord(channels=CHANNELS, heartbeat_interval=0.5) as server:
        server.identify_gate = asyncio.Event()  # held until test_health_is_503_until_the_gateway_is_ready
        yield server


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def bot(discord, tmp_path_factory):
    data_dir: Path = tmp_path_factory.mktemp("metrics") / "data"
    process = await BotProcess.start(discord.env(), data_dir=data_dir,
                                     extra_args=("--metrics-port", "0", "--log-format", "json"))
    running = Bot(process)
    await running.endpoint()
    yield running
    code = await process.stop()
    assert code == 0, process.log
    assert "Traceback" not in process.log, process.log


async def test_health_is_503_until_the_gateway_is_ready_then_200(discord, bot):
    status, body = await bot.get("/healthz")
    assert status == 503, body
    answer = json.loads(body)
    assert answer["status"] == "unhealthy" and "gateway" in answer["problems"]
    assert "gateway" in answer["reason"] and "storage" not in answer["problems"], answer
    discord.identify_gate.set()
    await bot.process.alongside(discord.wait_until(lambda: discord.ready.is_set(), 60, "the bot on the gateway"))
    for _ in range(100):  # READY reaches the bot a moment after the server sent it
        status, body = await bot.get("/healthz")
        if status == 200:
            break
        await asyncio.sleep(0.05)
    assert status == 200, body
    assert json.loads(body) == {"status": "ok", "checks": ["gateway", "storage"]}


async def test_commands_errors_and_latencies_are_counted(discord, bot):
    discord.identify_gate.set()
    await bot.process.alongside(discord.wait_until(lambda: discord.ready.is_set(), 60, "the bot on the gateway"))
    before = await bot.metrics()
    for name in ("Маша", "Петя"):
        [reply] = await discord.ask("!hi", user=name)
        assert reply.text.startswith(f"Привет, {name}!")
    [unknown] = await discord.ask("!нетакойкоманды")
    [refused] = await discord.ask("!getfile ../secret.txt", channel="files")
    assert unknown.text and refused.text
    after = await bot.metrics()

    def grew(name: str) -> float:
        return after.get(name, 0.0) - before.get(name, 0.0)

    assert grew('hypotez_commands_total{command="hi",outcome="ok"}') == 2
    assert grew('hypotez_command_seconds_count{command="hi"}') == 2
    assert grew('hypotez_command_seconds_sum{command="hi"}') > 0
    assert grew('hypotez_commands_total{command="getfile",outcome="refused"}') == 1
    assert grew('hypotez_errors_total{command="getfile",kind="path_refused"}') == 1
    assert grew('hypotez_errors_total{command="",kind="unknown_command"}') == 1
    # Four replies went out, each timed from the first byte sent to Discord's answer.
    assert grew('hypotez_reply_send_seconds_count{delivered="yes"}') == 4
    assert after['hypotez_reply_send_seconds_bucket{delivered="yes",le="+Inf"}'] >= 4


async def test_gateway_latency_is_the_heartbeats_round_trip(discord, bot):
    discord.identify_gate.set()
    beats = len(discord.heartbeats)
    await bot.process.alongside(discord.wait_until(lambda: len(discord.heartbeats) >= beats + 2, 20, "heartbeats"))
    latency = (await bot.metrics())['hypotez_gateway_latency_seconds{shard=""}']
    assert 0 < latency < 5


async def test_a_training_job_is_queued_run_and_timed(discord, bot):
    discord.identify_gate.set()
    started, progress, finished = await discord.ask(
        "!train", expect=3, timeout=60, channel="training",
        attachments=[("faq.jsonl", FAQ.read_bytes(), "application/jsonl")])
    assert "завершено" in finished.text
    after = await bot.metrics()
    assert after['hypotez_training_job_seconds_count{backend="local",status="succeeded"}'] == 1
    assert after['hypotez_training_job_wait_seconds_count{backend="local"}'] == 1
    assert after['hypotez_training_jobs{state="queued"}'] == 0
    assert after['hypotez_training_jobs{state="running"}'] == 0
    assert after['hypotez_commands_total{command="train",outcome="ok"}'] == 1


async def test_every_log_line_is_json_naming_the_server_and_command_when_known(discord, bot):
    lines = [line for line in bot.process.lines if line.strip()]
    assert lines
    entries = [json.loads(line) for line in lines]  # each one parses
    for entry in entries:
        assert {"time", "level", "logger", "message"} <= entry.keys(), entry
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", entry["time"]), entry
    assert any(e["logger"] == "hypotez.observability" and "metrics on" in e["message"] for e in entries)
    [job] = [e for e in entries if e["message"].startswith("training job ") and e["message"].endswith("succeeded")]
    assert job["server"] == discord.guild_id and job["command"] == "train", job
    assert job["level"] == "INFO" and job["logger"] == "hypotez.model"
