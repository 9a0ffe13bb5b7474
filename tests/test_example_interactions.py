"""The slash-command features of commands.example.yaml answer as its comments say, through discord.py:
groups, suggestions, languages, Discord's own settings."""

import pytest
from support import ROOT

EXAMPLE = ROOT / "commands.example.yaml"


@pytest.fixture
async def bot(hypotez_bot):
    async with hypotez_bot(spec=EXAMPLE, model=False, voice=False) as harness:
        yield harness


async def test_the_group_and_its_discord_settings(bot):
    tree = bot.bot.tree
    [tag] = [c for c in tree.get_commands() if c.name == "tag"]
    payload = await tag.get_translated_payload(tree, tree.translator)
    assert payload["name_localizations"] == {"ru": "метка"} and payload["contexts"] == [0]
    assert payload["integration_types"] == [0] and int(payload["default_member_permissions"]) == 1 << 11
    options = {o["name"]: o for o in payload["options"]}
    assert options["show"]["type"] == 2 and options["show"]["options"][0]["name"] == "file"
    weight = next(o for o in options["color"]["options"] if o["name"] == "weight")
    assert (weight["min_value"], weight["max_value"]) == (1, 10)


async def test_subcommands_suggestions_and_languages(bot):
    assert (await bot.slash("tag add", label="news", locale="en-US")).content == "Tag `news` added."
    assert [c["name"] for c in await bot.autocomplete("tag add", "label", "")] == ["news"]
    assert [c["name"] for c in await bot.autocomplete("tag color", "shade", "b")] == ["blue"]
    assert "did you mean 'blue'?" in (await bot.send("!tag color bleu")).content
    refused = await bot.slash("tag show file", path="x.txt", locale="ru")
    assert "Trainer" in refused.content and "You may not" not in refused.content, "in the user's Russian"
    assert await bot.autocomplete("tag show file", "path", "") == []
