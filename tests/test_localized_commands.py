"""Localized slash commands: per-language names, descriptions, option names and descriptions and choice
names from the spec, as Discord's localizations through discord.py's Translator; replies in the user's
Discord locale with bot.locale_replies; and validate's checks of the per-language words."""

from __future__ import annotations

from pathlib import Path

import discord
import pytest

from hypotez.declaration.checks_groups import DISCORD_LOCALES
from hypotez.errors import SpecError
from hypotez.registry import load_spec_text

SPEC = """\
bot: {language: en, languages: [en, ru], locale_replies: true}
commands:
  color:
    description: {en: Pick a colour, ru: Выбрать цвет}
    names: {ru: цвет}
    arguments:
      shade:
        type: choice
        description: {en: the colour, ru: оттенок цвета}
        names: {ru: оттенок}
        choices: [{value: red, names: {ru: красный}}, green]
    text: {en: "colour {{ shade }}", ru: "цвет {{ shade }}"}
  tag:
    description: {en: Tags, ru: Теги}
    names: {ru: тег}
    subcommands:
      add:
        description: {en: Add a tag, ru: Добавить тег}
        names: {ru: добавить}
        text: {en: added, ru: добавлено}
"""


def test_discords_locales_are_discord_pys():
    assert sorted(DISCORD_LOCALES) == sorted(locale.value for locale in discord.Locale)


async def translated(bot):
    tree = bot.bot.tree
    return {c.name: await c.get_translated_payload(tree, tree.translator) for c in tree.get_commands()}


async def test_the_synced_payload_carries_the_localizations(hypotez_bot):
    async with hypotez_bot(SPEC, model=False, voice=False) as bot:
        payloads = await translated(bot)
    color = payloads["color"]
    assert color["name"] == "color" and color["name_localizations"] == {"ru": "цвет"}
    assert color["description"] == "Pick a colour"
    assert color["description_localizations"]["ru"] == "Выбрать цвет"
    assert color["description_localizations"]["en-GB"] == "Pick a colour"
    [shade] = color["options"]
    assert shade["name_localizations"] == {"ru": "оттенок"}
    assert shade["description_localizations"]["ru"] == "оттенок цвета"
    assert shade["choices"][0]["name_localizations"] == {"ru": "красный"}
    assert "name_localizations" not in shade["choices"][1]
    tag = payloads["tag"]
    assert tag["name_localizations"] == {"ru": "тег"}
    assert tag["options"][0]["name_localizations"] == {"ru": "добавить"}
    assert tag["options"][0]["description_localizations"]["ru"] == "Добавить тег"


async def test_replies_follow_the_users_locale(hypotez_bot):
    async with hypotez_bot(SPEC, model=False, voice=False) as bot:
        assert (await bot.slash("color", shade="red", locale="ru")).content == "цвет red"
        assert (await bot.slash("color", shade="red", locale="en-GB")).content == "colour red"
        assert (await bot.slash("color", shade="red", locale="de")).content == "colour red", "not a language: default"
        assert (await bot.slash("tag add", locale="ru")).content == "добавлено"
        assert (await bot.send("!color red")).content == "colour red", "messages: the server's language"
    off = SPEC.replace(", locale_replies: true", "")
    async with hypotez_bot(off, model=False, voice=False) as bot:
        assert (await bot.slash("color", shade="red", locale="ru")).content == "colour red"


def _problems(text: str) -> str:
    with pytest.raises(SpecError) as caught:
        load_spec_text(text, path=Path("/tmp/commands.yaml"), check_handlers=False, display_name="commands.yaml")
    return str(caught.value)


def test_per_language_words_are_checked():
    text = _problems("commands:\n  a:\n    description: {en: A, ru: " + "я" * 101 + "}\n    names: {ru: Не Так}\n"
                     "    text: x\n")
    assert "commands.yaml:4:17: 'Не Так' cannot be the ru slash name of command 'a'" in text
    assert "commands.yaml:3:30: the ru description of command 'a' is 101 characters; Discord allows 100" in text
    spec = load_spec_text("commands:\n  a:\n    description: {en: A, xx: B}\n    text: x\n",
                          path=Path("/tmp/commands.yaml"), check_handlers=False, display_name="commands.yaml")
    [warning] = spec.warnings
    assert "Discord has no language 'xx' for command 'a'" in str(warning)


async def test_sync_sends_the_localizations_and_plans_their_changes(tmp_path):
    import asyncio
    import os
    import sys

    from fakes.discord_server import FakeDiscord

    async def hypotez(server, *args):
        environment = {k: v for k, v in os.environ.items() if not k.startswith(("HYPOTEZ_", "DISCORD_"))}
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "hypotez", *args, "--spec", str(tmp_path / "commands.yaml"),
            env={**environment, **server.env()}, cwd=str(tmp_path), stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT)
        return (await asyncio.wait_for(process.communicate(), 60))[0].decode()

    (tmp_path / "commands.yaml").write_text(SPEC, encoding="utf-8")
    async with FakeDiscord() as server:
        assert "synced: global" in await hypotez(server, "sync")
        color = server.commands["color"]
        assert color["name_localizations"] == {"ru": "цвет"}
        assert color["options"][0]["choices"][0]["name_localizations"] == {"ru": "красный"}
        assert "global: nothing to change" in await hypotez(server, "sync", "--plan")
        (tmp_path / "commands.yaml").write_text(SPEC.replace("names: {ru: цвет}", "names: {ru: колер}"),
                                                encoding="utf-8")
        assert "  ~ /color: name_localizations" in await hypotez(server, "sync", "--plan")


async def test_help_shows_descriptions_in_the_reply_language(hypotez_bot):
    async with hypotez_bot(SPEC, model=False, voice=False) as bot:
        assert "`!color <shade>` — Pick a colour" in (await bot.send("!help")).content
        russian = (await bot.slash("help", locale="ru")).content
        assert "— Выбрать цвет" in russian and "— Добавить тег" in russian
        assert "Теги" in (await bot.slash("help", command="tag", locale="ru")).content
