"""The Discord token never shows: not in replies (a handler's error message that quotes it), not in
logs (tracebacks, discord.py's debug output), not in `hypotez run`'s error messages."""

from __future__ import annotations

import logging

import pytest

import hypotez.adapters.discord_run as discord_run
from hypotez.cli import main
from hypotez.redaction import MASK, Redactor, redact_logs

TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GhIjKl.abcdefghijklmnopqrstuvwxyz012345"

SPEC = """
bot: {language: en}
commands:
  crash:
    description: Fails with the token in its error
    handler: leaky:crash
  refuse:
    description: Refuses with the token in its message
    handler: leaky:refuse
  progress:
    description: Posts and edits a message quoting the token
    handler: leaky:progress
    reply: shown
""" + f"""
  pasted:
    description: The same text for everyone, with the token pasted in (answered by the short cut)
    text: "the token is {TOKEN}"
"""

HANDLERS = f"""
from hypotez import Response
from hypotez.errors import BadArgument

TOKEN = {TOKEN!r}

async def crash(inv):
    raise RuntimeError(f"could not reach the API with {{TOKEN}}")

async def refuse(inv):
    raise BadArgument(None, f"this looks like a token: {{TOKEN}}")

async def progress(inv):
    sent = await inv.outbox.send(f"starting with {{TOKEN}}")
    await sent.edit(f"still {{TOKEN}}")
    return Response(data={{"token": TOKEN}})
"""


@pytest.fixture
async def bot(hypotez_bot):
    files = {"templates/en/crash.j2": "never shown", "templates/en/refuse.j2": "never shown",
             "templates/en/shown.j2": "done: {{ token }}", "leaky.py": HANDLERS}
    async with hypotez_bot(spec=SPEC, files=files, model=False, voice=False) as harness:
        harness.bot.http.token = TOKEN  # what logging in sets
        yield harness


async def test_replies_never_contain_the_token(bot):
    for name in ("crash", "refuse", "progress", "pasted"):
        for exchange in (await bot.send(f"!{name}"), await bot.slash(name)):
            assert exchange.messages, name
            for message in exchange.messages:
                assert TOKEN not in message.content and all(TOKEN not in edit for edit in message.edits)
    refused = (await bot.send("!refuse")).content
    assert f"this looks like a token: {MASK}" in refused
    assert (await bot.send("!pasted")).content == f"the token is {MASK}"
    everything = [r.json for r in bot.http.requests]
    assert TOKEN not in repr(everything)


async def test_logs_never_contain_the_token_even_at_debug_level(bot, caplog):
    remove = redact_logs([TOKEN])
    try:
        with caplog.at_level(logging.DEBUG):
            await bot.send("!crash")  # logged with its traceback
            logging.getLogger("discord.http").debug("PATCH with Authorization: Bot %s", TOKEN)
            logging.getLogger("discord.gateway").debug(f"IDENTIFY {{'token': '{TOKEN}'}}")
            try:
                raise ValueError(TOKEN)
            except ValueError:
                logging.getLogger("hypotez").exception("failed")
    finally:
        remove()
    assert "could not reach the API with" in caplog.text and "Traceback" in caplog.text
    assert TOKEN not in caplog.text
    assert caplog.text.count(MASK) >= 4
    # Taken off again when the bot stops.
    with caplog.at_level(logging.INFO):
        logging.getLogger("hypotez").info("after: %s", TOKEN)
    assert caplog.records[-1].getMessage() == f"after: {TOKEN}"


def test_hypotez_run_failures_never_show_the_token(tmp_path, monkeypatch, capsys, caplog):
    async def failing_login(self, token):
        logging.getLogger("discord.http").debug("POST /users/@me with Bot %s", token)
        logging.getLogger("discord.client").error("login failed for %s", token)
        raise RuntimeError(f"gateway refused {token}")

    monkeypatch.setattr(discord_run.RunningBot, "login", failing_login)
    monkeypatch.setenv("DISCORD_TOKEN", TOKEN)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "commands.yaml").write_text("commands:\n  ping:\n    description: ping\n")
    (tmp_path / "templates" / "en").mkdir(parents=True)
    (tmp_path / "templates" / "en" / "ping.j2").write_text("pong")
    with caplog.at_level(logging.DEBUG):
        code = main(["run", "--spec", str(tmp_path / "commands.yaml"), "--data", str(tmp_path / "data")])
    err = capsys.readouterr().err
    assert code == 1
    assert f"gateway refused {MASK}" in err and TOKEN not in err
    assert "login failed for" in caplog.text and TOKEN not in caplog.text


def test_short_or_missing_secrets_are_not_redacted():
    assert Redactor([None, "", "abc"])("abc def") == "abc def"
    assert Redactor(["longsecret1", "longsecret1-and-more"])("x longsecret1-and-more y") == f"x {MASK} y"
