"""Failures through the Discord adapter: a crashing handler, and `hypotez run` without a token."""

import logging

import pytest

from hypotez.cli import main

SPEC = """
bot: {language: en}
commands:
  boom:
    description: Always fails
    handler: crashy:boom
  ok:
    description: Works
    reply: ok
"""


@pytest.fixture
async def bot(hypotez_bot):
    files = {"templates/en/ok.j2": "fine, {{ user }}", "templates/en/boom.j2": "never shown",
             "crashy.py": "async def boom(inv):\n    raise ValueError('secret detail')\n"}
    async with hypotez_bot(spec=SPEC, files=files, model=False, voice=False) as harness:
        yield harness


async def test_handler_crash_is_logged_and_answered_briefly(bot, caplog):
    with caplog.at_level(logging.ERROR):
        reply = await bot.send("!boom")
    assert reply.content.startswith("💥 Something went wrong while running `!boom`")
    assert "secret detail" not in reply.content
    assert "secret detail" in caplog.text and "Traceback" in caplog.text


async def test_bot_keeps_answering_after_a_crash(bot):
    await bot.send("!boom")
    assert (await bot.send("!ok")).content == "fine, ann"
    assert (await bot.slash("boom")).content.startswith("💥")
    assert (await bot.slash("ok")).content == "fine, ann"


def test_run_without_a_token_says_how_to_get_one(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    monkeypatch.chdir(tmp_path)
    assert main(["run", "--spec", str(tmp_path / "missing.yaml")]) == 1
    err = capsys.readouterr().err
    assert "no Discord token" in err
    assert "discord.com/developers/applications" in err
    assert "hypotez console" in err
    assert "Traceback" not in err


def test_run_reads_the_token_from_dotenv(tmp_path, monkeypatch):
    from hypotez.cli import read_token

    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    (tmp_path / ".env").write_text("# comment\nexport DISCORD_TOKEN='abc.def'\n")
    assert read_token(tmp_path / ".env") == "abc.def"
