"""The events of commands.example.yaml answer as its comments say, through discord.py, and its
examples pass `hypotez test`."""

import datetime
import subprocess
import sys

import pytest
from support import ROOT

EXAMPLE = ROOT / "commands.example.yaml"


@pytest.fixture
async def bot(hypotez_bot):
    async with hypotez_bot(spec=EXAMPLE, model=False, voice=False) as harness:
        for name in ("welcome", "rules"):
            harness.text_channel(name)
        for name in ("Newcomer", "Verified"):
            harness.role(name)
        harness.bot_role(("manage_roles", "add_reactions", "manage_messages"), position=5)
        yield harness


async def test_triggers_state_and_actions(bot):
    assert (await bot.send("Thank you!")).content == "ann has 1 points."
    assert (await bot.send("thanks", author="bob", user_id=4_000_000_000_000_002)).content == "bob has 1 points."
    await bot.send("many thanks")
    assert [emoji for _, emoji in bot.http.events.reactions] == ["💖"] * 3
    assert (await bot.send("top")).content == "1. ann: 2\n2. bob: 1"
    assert (await bot.send("motto: be kind")).content == "", "Trainers only"
    assert (await bot.send("motto: Be kind", roles=["Trainer"])).content == \
        "The motto of Test Server is now “Be kind”."
    assert (await bot.send("I have 3 dice, thanks")).content == "Try !roll 3.", "priority 10, and stop"
    await bot.send("free nitro here")
    assert len(bot.http.events.deleted) == 1


async def test_members_reactions_and_schedules(bot):
    joined = await bot.join("zoe", user_id=4_000_000_000_000_009)
    assert joined.content == "Welcome, <@4000000000000009>! You are member number 3."
    added = await bot.react("✅", 5_000_000_000_000_001, author="zoe", user_id=4_000_000_000_000_009,
                            channel=bot.text_channel("rules"))
    assert added.content == "You are verified on Test Server, zoe (greeted 1 times)."
    assert [role for _, role in bot.http.events.roles_added] == [str(bot.role("Newcomer")), str(bot.role("Verified"))]
    bot.clock.now = datetime.datetime(2026, 12, 6, 12, 0, tzinfo=datetime.timezone.utc).timestamp()  # a Sunday
    await bot.advance(0)
    texts = [m.text for m in await bot.advance(86400)]
    assert "A new week on Test Server! Motto:" in texts
    assert any(t.startswith("**examplebot**") for t in texts), "the daily !help"


def test_the_examples_pass(tmp_path):
    result = subprocess.run([sys.executable, "-m", "hypotez", "test", str(EXAMPLE)], capture_output=True, text=True,
                            timeout=120, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.endswith("2 examples, 2 passed, 0 failed\n")
