"""commands.example.yaml shows every feature of a spec: it must stay valid (no warnings either) and
its commands must answer as its comments say, through discord.py."""


import pytest
from support import ROOT

from hypotez.cli import main
from hypotez.registry import load_spec

EXAMPLE = ROOT / "commands.example.yaml"


def test_the_example_is_valid_without_warnings(capsys):
    assert main(["validate", str(EXAMPLE)]) == 0
    assert capsys.readouterr().out == (f"{EXAMPLE}: OK — 18 commands (17 also as slash commands), language en, "
                                       "prefix '!'\n")
    spec = load_spec(EXAMPLE)
    assert spec.warnings == ()
    used = {key for c in spec.commands for key in ("inline" if c.inline else "reply",)}
    assert used == {"inline", "reply"}
    types = {a.type for c in spec.commands for a in c.arguments}
    assert types == {"text", "integer", "number", "boolean", "choice", "json", "path", "attachment", "member",
                     "channel"}


@pytest.fixture
async def bot(hypotez_bot):
    async with hypotez_bot(spec=EXAMPLE, model=False, voice=False) as harness:
        yield harness


async def test_answers_written_in_the_spec(bot):
    assert (await bot.send("!ping")).content.startswith("Pong, ann! It is ")
    bot.app.dispatcher.rng.seed(3)
    assert {(await bot.send("!flip")).content for _ in range(20)} == {"Heads!", "Tails!"}
    assert (await bot.send("!welcome")).content == "Welcome to Test Server, ann!"
    await bot.send("!language ru", permissions=["administrator"])
    assert (await bot.send("!welcome")).content == "Добро пожаловать на Test Server, ann!"


async def test_the_embed(bot):
    await bot.send("!hi", author="zoe", user_id=4_000_000_000_000_009)  # zoe is now a member
    reply = await bot.send("!profile <@4000000000000009>", roles=["Trainer"])
    assert reply.content == "Here is the card:"
    [embed] = reply.embeds
    assert embed["title"] == "zoe" and embed["color"] == 0x5865F2
    assert embed["fields"][1] == {"name": "Roles", "value": "Trainer", "inline": True}
    assert embed["footer"]["text"].startswith("examplebot · ")


async def test_arguments_and_their_rules(bot):
    assert (await bot.send("!roll 3 d20")).content == "ann rolls 3 d20."
    assert "at most 10" in (await bot.send("!roll 11")).content
    assert (await bot.send("!remind 5 buy bread loud=yes")).content == "In 5.0 min: buy bread buy bread"
    assert (await bot.send("!code ABC-123 16")).content == "ABC-123 / 16"
    assert "does not have the expected form" in (await bot.send("!code abc 16")).content
    assert (await bot.send('!vote ["tea","coffee"]')).content == "Vote: tea / coffee"
    assert "`options`: needs at least 2 items." in (await bot.send('!vote ["tea"]')).content
    assert (await bot.send("!where ann")).content == "ann is in general"


async def test_places_permissions_and_hidden_commands(bot):
    assert (await bot.send("!secret", dm=True)).content == "You found it."
    assert "only works in direct messages" in (await bot.send("!secret")).content
    assert "!secret" not in (await bot.send("!help")).content
    assert "You may not use `!getfile`" in (await bot.send("!getfile x.txt")).content
    assert (await bot.send("!hi")).content.startswith("Hi, ann! 👋 I'm examplebot.")


async def test_a_slash_option_discord_py_cannot_convert_still_gets_a_reply(bot):
    # Discord names a member who is not in the server (left since): discord.py fails before the
    # command runs; the user gets the same error reply a prefix command would, not "did not respond".
    reply = await bot.slash("where", who="123456789012345678")
    assert reply.content == "⚠️ `who`: no such member here.\nUsage: `!where <who> [place]`"
