"""commands.example.yaml's buttons, select menus, forms and context menus answer as its comments say."""

import pytest
from support import ROOT

EXAMPLE = ROOT / "commands.example.yaml"


@pytest.fixture
async def bot(hypotez_bot):
    async with hypotez_bot(spec=EXAMPLE, model=False, voice=False) as harness:
        yield harness


async def test_the_votes_buttons_and_menus(bot):
    vote = await bot.send('!vote ["tea","coffee"]')
    assert (await bot.press(vote, "Agree")).content == "ann agrees with tea / coffee"
    assert (await bot.press(vote, "Roll")).content == "ann rolls 2 d20."
    assert (await bot.press(vote, "Count me")).content == "ann is counted (1)"
    assert (await bot.press(vote, "Count me")).content == "ann is counted (2)"
    picked = await bot.pick(vote, "Your favourite", "tea", "coffee")
    assert (picked.content, picked.messages[0].ephemeral) == ("You picked tea and coffee", True)
    assert (await bot.pick(vote, "Nominate someone", "4000000000000042")).content == "<@4000000000000042> is nominated"
    assert "Mod" in (await bot.press(vote, "Close")).content
    await bot.press(vote, "Close", roles=["Mod"])
    assert vote.messages[0].text == "Vote closed by ann"
    form = await bot.press(vote, "Why?")
    assert "at least 3 characters" in (await bot.fill(form, why="no")).content
    assert (await bot.fill(form, why="it is warm", score="4")).content == "ann: it is warm (4/5)"


async def test_ephemeral_slash_answer_and_context_menus(bot):
    code = await bot.slash("code", tag="ABC-123", size=16)
    assert (code.content, code.messages[0].ephemeral) == ("ABC-123 / 16", True)
    quoted = await bot.context_menu("Quote this", text="hello there")
    assert quoted.content == "> hello there"
    form = await bot.context_menu("Why did you say that?", text="hello there")
    assert form.modal["title"] == "Why this vote?"
    refused = await bot.context_menu("Wave at", target_user=(4_000_000_000_000_050, "bob"))
    assert refused.messages[0].ephemeral and "Greeter" in refused.content
    waved = await bot.context_menu("Wave at", target_user=(4_000_000_000_000_050, "bob"), roles=["Greeter"])
    assert waved.content == "👋 bob"
    in_dm = await bot.context_menu("Wave at", target_user=(4_000_000_000_000_050, "bob"), guild=None)
    assert in_dm.messages[0].ephemeral and "server" in in_dm.content
