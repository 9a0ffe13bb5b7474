"""Metrics, health and JSON logs in one process: each app counts in its own registry, /healthz names what
is wrong, the JSON log format keeps the token out, and bad options are clear messages."""

from __future__ import annotations

import json
import logging
import socket

import aiohttp
import pytest
from support import SHIPPED_SPEC

from hypotez.adapters.discord_observe import observability_server
from hypotez.app import build_app, build_services
from hypotez.cli import main
from hypotez.observability.jsonlog import LOG_CONTEXT, JsonFormatter
from hypotez.observability.metrics import Metrics
from hypotez.redaction import redact_logs
from hypotez.registry import load_registry
from hypotez.testing import BotHarness


def harness(tmp_path, name: str, metrics: Metrics) -> BotHarness:
    registry = load_registry(SHIPPED_SPEC)
    services = build_services(registry.spec, tmp_path / name, voice_factory=lambda *a: None)
    return BotHarness(build_app(registry, services, observer=metrics))


async def test_two_bots_in_one_process_count_apart(tmp_path):
    first, second = Metrics(), Metrics()
    async with harness(tmp_path, "a", first) as a, harness(tmp_path, "b", second) as b:
        for _ in range(2):
            assert (await a.send("!hi", author="Маша")).content.startswith("Привет, Маша!")
        await b.send("!hi")
        await b.send("!нетакой")
    assert first.registry is not second.registry
    assert first.samples()['hypotez_commands_total{command="hi",outcome="ok"}'] == 2
    assert second.samples()['hypotez_commands_total{command="hi",outcome="ok"}'] == 1
    assert second.samples()['hypotez_errors_total{command="",kind="unknown_command"}'] == 1
    assert 'hypotez_errors_total{command="",kind="unknown_command"}' not in first.samples()


async def test_a_failing_handler_is_counted_as_failed_with_an_internal_error(hypotez_bot):
    spec = """
bot: {prefix: "!", language: en}
commands:
  boom:
    description: Fails
    handler: boomer:boom
    text: never shown
"""
    files = {"boomer.py": "async def boom(invocation):\n    raise RuntimeError('broken')\n"}
    metrics = Metrics()
    async with hypotez_bot(spec=spec, files=files, model=False, voice=False) as bot:
        bot.app.observer = bot.app.dispatcher.observer = metrics
        reply = await bot.send("!boom")
    assert reply.content
    assert metrics.samples()['hypotez_commands_total{command="boom",outcome="failed"}'] == 1
    assert metrics.samples()['hypotez_errors_total{command="boom",kind="internal_error"}'] == 1


async def test_health_names_the_gateway_and_the_storage_when_they_fail(tmp_path):
    metrics = Metrics()
    async with harness(tmp_path, "a", metrics) as bot:
        server = observability_server(bot.bot, metrics, "127.0.0.1", 0)
        async with server, aiohttp.ClientSession() as session:
            url = f"http://127.0.0.1:{server.port}"
            async with session.get(url + "/healthz") as response:  # the harness never joins a gateway
                assert response.status == 503
                body = await response.json()
            assert set(body["problems"]) == {"gateway"} and "READY" in body["reason"]
            bot.app.services.storage.close()  # the database is gone
            async with session.get(url + "/healthz") as response:
                assert response.status == 503
                body = await response.json()
            assert set(body["problems"]) == {"gateway", "storage"}
            assert "closed database" in body["problems"]["storage"]
            async with session.get(url + "/metrics") as response:
                assert response.status == 200
                assert "hypotez_commands_total" in await response.text()


def test_json_log_lines_carry_the_command_context_and_no_token(capsys):
    token = "MTIzNDU2Nzg5.secret-token-value"
    logger = logging.getLogger("test.jsonlog")
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    unredact = redact_logs([token])
    try:
        context = LOG_CONTEXT.set(("42", "train"))
        try:
            raise ValueError(f"bad {token}")
        except ValueError:
            logger.error("failed with %s", token, exc_info=True)
        finally:
            LOG_CONTEXT.reset(context)
        logger.warning("outside a command")
    finally:
        unredact()
        root.removeHandler(handler)
    lines = [line for line in capsys.readouterr().err.splitlines() if '"test.jsonlog"' in line]
    failed, outside = (json.loads(line) for line in lines)
    assert failed["level"] == "ERROR" and failed["server"] == "42" and failed["command"] == "train"
    assert failed["message"] == "failed with [redacted]"
    assert "ValueError: bad [redacted]" in failed["exception"] and token not in lines[0]
    assert "server" not in outside and "command" not in outside and outside["message"] == "outside a command"


@pytest.mark.parametrize("arguments, expected", [
    (["--log-format", "xml"], "invalid choice: 'xml' (choose from 'text', 'json')"),
    (["--metrics-port", "http"], "'http' is not a TCP port: give a number from 1 to 65535"),
    (["--metrics-port", "70000"], "'70000' is not a TCP port"),
])
def test_bad_options_are_clear_messages(arguments, expected, capsys):
    assert main(["run", *arguments]) == 2
    assert expected in capsys.readouterr().err


def test_a_metrics_port_in_use_is_a_clear_message(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("DISCORD_TOKEN", "not-a-real-token.for-this-test")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code = main(["run", "--spec", str(SHIPPED_SPEC), "--data", str(tmp_path / "data"),
                     "--metrics-port", str(port)])
    assert code == 1
    assert f"cannot serve metrics on 127.0.0.1:{port}" in caplog.text
    assert "choose another --metrics-port" in caplog.text


MINIMAL_SPEC = """
bot:
  prefix: "!"
  language: en
  metrics: {port: PORT}
commands:
  ping:
    description: Answers pong
    text: pong
"""


def test_bot_metrics_in_the_spec_is_where_hypotez_run_serves(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("DISCORD_TOKEN", "not-a-real-token.for-this-test")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        spec = tmp_path / "commands.yaml"
        spec.write_text(MINIMAL_SPEC.replace("PORT", str(port)), encoding="utf-8")
        code = main(["run", "--spec", str(spec), "--data", str(tmp_path / "data")])
    assert code == 1
    assert f"cannot serve metrics on 127.0.0.1:{port}" in caplog.text


def test_a_bad_bot_metrics_setting_is_a_located_problem(tmp_path, capsys):
    spec = tmp_path / "commands.yaml"
    spec.write_text(MINIMAL_SPEC.replace("PORT", '"http", hots: x'), encoding="utf-8")
    assert main(["validate", str(spec)]) == 1
    out = capsys.readouterr().out
    assert f"{spec}:5:" in out and "port" in out and "hots" in out, out
