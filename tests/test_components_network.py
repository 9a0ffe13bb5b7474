"""The shipped bot's buttons, forms and context menus over real sockets: ``hypotez run`` as a
subprocess, unmodified discord.py inside it, and the local Discord test server sending the component,
form and context-menu interactions Discord sends. The buttons keep working after the process restarts."""

from __future__ import annotations

import sqlite3

import pytest
from fakes.bot_process import BotProcess
from fakes.discord_server import FakeDiscord

pytestmark = pytest.mark.asyncio


async def _started(discord: FakeDiscord, data_dir) -> BotProcess:
    discord.ready.clear()  # set again when this process has joined the gateway
    identified = len(discord.connections("identify"))
    process = await BotProcess.start(discord.env(), data_dir=data_dir)
    await process.alongside(discord.wait_until(
        lambda: discord.ready.is_set() and discord.command_syncs and len(discord.connections("identify")) > identified,
        60, "the bot to sync its commands and join the gateway"))
    return process


async def _answered(discord: FakeDiscord, process: BotProcess, interaction, what: str):
    await process.alongside(discord.wait_until(lambda: interaction.messages or interaction.modal, 20, what))
    return interaction


async def test_buttons_forms_and_context_menus_through_a_restart(tmp_path):
    data_dir = tmp_path / "data"
    async with FakeDiscord() as discord:
        process = await _started(discord, data_dir)
        try:
            [answer] = await process.alongside(discord.ask("как погода?", user="Маша"))
            assert [[c.get("emoji", {}).get("name") for c in row["components"]] for row in answer.components] == [
                ["👍", "👎"]]
            up = await _answered(discord, process, await discord.press(answer, "👍", user="Маша"), "the 👍")
            [thanks] = up.messages
            assert thanks.ephemeral and thanks.text.startswith("Спасибо за оценку 👍, Маша!")
            menus = {name: c["type"] for name, c in discord.commands.items() if c["type"] != 1}
            assert menus == {"Correct this answer": 3, "Train on this": 3}
            opened = await _answered(discord, process, await discord.context_menu("Correct this answer", answer),
                                     "the form")
            assert opened.modal["title"] == "Исправить ответ" and opened.callbacks[0]["type"] == 9
            submitted = await _answered(discord, process, await discord.submit(opened, correction="Солнечно."),
                                        "the correction")
            assert submitted.messages[0].ephemeral and "Исправление №1 записано" in submitted.messages[0].text
        finally:
            assert await process.stop() == 0, process.log
        # After a restart the old message's buttons still work: the custom id says everything.
        process = await _started(discord, data_dir)
        try:
            down = await _answered(discord, process, await discord.press(answer, "👎", user="Петя"), "the 👎")
            assert down.messages[0].text.startswith("Спасибо за оценку 👎, Петя!")
        finally:
            assert await process.stop() == 0, process.log
        assert "Traceback" not in process.log, process.log
    database = next(data_dir.glob(".hypotez/*.sqlite*"))
    with sqlite3.connect(database) as db:
        texts = [row[0] for row in db.execute("SELECT text FROM feedback ORDER BY id")]
        corrections = [row[0] for row in db.execute("SELECT correction FROM corrections")]
    assert [t.split(":")[0] for t in texts] == [f"👍 answer {answer.id}", f"👎 answer {answer.id}"]
    assert corrections == ["Солнечно."]
