"""Discord's own settings of a slash command from the spec (default member permissions, contexts,
installation types, NSFW) and option ranges as app_commands.Range, as discord.py sends them; and what
validate says of their misuse."""

from __future__ import annotations

from pathlib import Path

import pytest

from hypotez.errors import SpecError
from hypotez.registry import load_spec_text

SPEC = """\
bot: {language: en}
commands:
  purge:
    description: Delete messages
    default_permissions: [manage_messages, moderate_members]
    contexts: [guild, private_channel]
    installs: [guild, user]
    nsfw: true
    arguments:
      count: {type: integer, exclusiveMinimum: 0, maximum: 100}
      ratio: {type: number, minimum: 0.5, required: false}
      note: {type: text, minLength: 2, required: false}
    text: "purged {{ count }}"
  plain:
    description: Nothing special
    arguments:
      word: {type: text, required: false}
    text: ok
"""


async def test_the_payload_carries_discords_settings_and_ranges(hypotez_bot):
    async with hypotez_bot(SPEC, model=False, voice=False) as bot:
        payloads = {c.name: c.to_dict(bot.bot.tree) for c in bot.bot.tree.get_commands()}
        purged = await bot.slash("purge", count=3)
        too_many = await bot.slash("purge", count=101)  # a client that ignores the range: the spec's rules hold
    purge, plain = payloads["purge"], payloads["plain"]
    assert int(purge["default_member_permissions"]) == (1 << 13) | (1 << 40)
    assert sorted(purge["contexts"]) == [0, 2] and sorted(purge["integration_types"]) == [0, 1]
    assert purge["nsfw"] is True
    options = {o["name"]: o for o in purge["options"]}
    assert (options["count"]["min_value"], options["count"]["max_value"]) == (1, 100)
    assert options["ratio"]["min_value"] == 0.5 and "max_value" not in options["ratio"]
    assert options["note"]["min_length"] == 2
    assert plain["default_member_permissions"] is None and plain["nsfw"] is False
    assert "min_length" not in plain["options"][0] and "max_length" not in plain["options"][0]
    assert purged.content == "purged 3"
    assert "100" in too_many.content and too_many.messages[0].ephemeral


def _problems(text: str) -> str:
    with pytest.raises(SpecError) as caught:
        load_spec_text(text, path=Path("/tmp/commands.yaml"), check_handlers=False, display_name="commands.yaml")
    return str(caught.value)


def test_misused_settings_are_located_with_a_hint():
    text = _problems("commands:\n  a:\n    description: A\n    contexts: [server]\n    text: x\n")
    assert "commands.yaml:4:16: value in 'contexts' of command 'a' is 'server'; allowed: guild, dm, private_channel" \
        in text
    text = _problems("commands:\n  a:\n    description: A\n    default_permissions: [manage_server]\n    text: x\n")
    assert "did you mean 'manage_guild'?" in text
    text = _problems("commands:\n  a:\n    description: A\n    installs: [guild, bot]\n    text: x\n")
    assert "commands.yaml:4:23:" in text and "allowed: guild, user" in text
