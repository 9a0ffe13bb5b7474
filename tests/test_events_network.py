"""Events over real sockets: ``hypotez run`` as a subprocess, unmodified discord.py inside it, against
the local Discord test server — a trigger that reacts and gives a role, a welcome message on
GUILD_MEMBER_ADD, a goodbye on GUILD_MEMBER_REMOVE, a role given on GUILD_MEMBER_UPDATE, and a reaction role given and taken on
MESSAGE_REACTION_ADD/REMOVE; a button that counts, reacts and gives a role, and one whose role is above the
bot's (the presser and the admin channel are told why)."""

from __future__ import annotations

import pytest
import pytest_asyncio
from fakes.bot_process import BotProcess
from fakes.discord_server import FakeDiscord

pytestmark = pytest.mark.asyncio(loop_scope="module")

SPEC = '''
bot:
  name: netevents
  language: en
  admin_channel: mods
commands:
  hi:
    description: Say hi
    text: hi
  count:
    description: Count presses
    text: Press it
    components:
      - {id: count, label: Count me, action: {actions: [{increment: presses}, {react: "🔢"}, {add_role: Counted}],
         permissions: [add_reactions, manage_roles], reply: "{{ user }} pressed {{ state.member.presses }} time(s)",
         ephemeral: false}}
      - {id: boss, label: Boss, action: {actions: [{add_role: Admins}], permissions: [manage_roles]}}
state:
  thanks: {scope: member, type: counter}
  presses: {scope: member, type: counter}
triggers:
  thanks:
    contains: thank
    actions: [{increment: thanks}, {react: "👍"}, {add_role: Member}]
    permissions: [add_reactions, manage_roles]
    text: "{{ user }} said thanks {{ state.member.thanks }} time(s)"
events:
  member_join:
    channel: welcome
    text: "Welcome, {{ member }}! We are {{ server.member_count }}."
  member_leave:
    channel: welcome
    text: "Goodbye, {{ member }}."
  role_added:
    - role: Member
      channel: welcome
      text: "{{ member }} is a member now."
reactions:
  verify:
    emoji: "✅"
    channel: rules
    role: Verified
    permissions: [manage_roles]
    added: {dm: true, text: "You are verified, {{ member }}."}
'''
MANAGE_ROLES, ADD_REACTIONS = 1 << 28, 1 << 6


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def discord():
    async with FakeDiscord(channels=("general", "welcome", "rules", "mods")) as server:
        for name in ("Member", "Verified", "Counted", "Admins", "hypotez-bot"):
            server.roles[name] = server.next_id()
        server.role_positions["Admins"] = 10
        server.role_positions["hypotez-bot"] = 5
        server.role_permissions["hypotez-bot"] = MANAGE_ROLES | ADD_REACTIONS
        server.bot_roles.append("hypotez-bot")
        yield server


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def bot(discord, tmp_path_factory):
    folder = tmp_path_factory.mktemp("events-network")
    spec = folder / "commands.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    process = await BotProcess.start(discord.env(), data_dir=folder / "data", spec=spec)
    await process.alongside(discord.wait_until(lambda: discord.ready.is_set() and discord.command_syncs, 60,
                                               "the bot to join the gateway"))
    yield process
    code = await process.stop()
    assert code == 0, process.log
    assert "Traceback" not in process.log, process.log


async def test_a_trigger_answers_reacts_and_gives_a_role(discord, bot):
    [reply] = await bot.alongside(discord.ask("thank you!", user="mia"))
    assert reply.text == "mia said thanks 1 time(s)"
    user_id = discord.user("mia")["id"]
    await bot.alongside(discord.wait_until(lambda: discord.bot_reactions and discord.role_changes, 15, "the actions"))
    assert discord.bot_reactions[0][1] == "👍"
    assert ("add", user_id, discord.roles["Member"]) in discord.role_changes


async def test_member_join_and_leave_are_answered_in_their_channel(discord, bot):
    before = len(discord.bot_messages("welcome"))
    await discord.member_join("newbie")
    await bot.alongside(discord.wait_until(lambda: len(discord.bot_messages("welcome")) > before, 15, "a welcome",
                                           "welcome"))
    assert discord.bot_messages("welcome")[-1].text == "Welcome, newbie! We are 3."
    await discord.member_leave("newbie")
    await bot.alongside(discord.wait_until(lambda: len(discord.bot_messages("welcome")) > before + 1, 15,
                                           "a goodbye", "welcome"))
    assert discord.bot_messages("welcome")[-1].text == "Goodbye, newbie."


async def test_a_role_given_is_answered(discord, bot):
    await discord.member_join("pat")
    await bot.alongside(discord.wait_until(lambda: discord.bot_messages("welcome")[-1:] and
                                           discord.bot_messages("welcome")[-1].text.startswith("Welcome, pat"), 15,
                                           "a welcome", "welcome"))
    await discord.member_update("pat", ["Member"])
    await bot.alongside(discord.wait_until(lambda: discord.bot_messages("welcome")[-1].text == "pat is a member now.",
                                           15, "the role event", "welcome"))


async def test_a_reaction_role_is_given_and_taken(discord, bot):
    user_id = discord.user("rae")["id"]
    verified = discord.roles["Verified"]
    await discord.react("✅", "1234567890", user="rae", channel="rules")
    await bot.alongside(discord.wait_until(lambda: ("add", user_id, verified) in discord.role_changes, 15,
                                           "the Verified role"))
    await bot.alongside(discord.wait_until(lambda: discord.dm_messages("rae"), 15, "the DM"))
    assert discord.dm_messages("rae")[0].text == "You are verified, rae."
    await discord.react("✅", "1234567890", user="rae", channel="rules", remove=True)
    await bot.alongside(discord.wait_until(lambda: ("remove", user_id, verified) in discord.role_changes, 15,
                                           "the Verified role taken"))
    await discord.react("✅", "1234567890", user="rae", channel="general")  # not the rules channel: nothing
    await discord.ask("!hi")
    assert [c for c in discord.role_changes if c[1] == user_id] == [("add", user_id, verified),
                                                                     ("remove", user_id, verified)]


async def test_a_button_counts_reacts_and_gives_a_role(discord, bot):
    [panel] = await bot.alongside(discord.ask("!count", user="kim"))
    user_id = discord.user("kim")["id"]
    for times in (1, 2):
        press = await discord.press(panel, "Count me", user="kim")
        await bot.alongside(discord.wait_until(lambda: press.messages, 15, "the count"))
        assert press.messages[0].text == f"kim pressed {times} time(s)"
    assert (panel.id, "🔢") in discord.bot_reactions
    assert ("add", user_id, discord.roles["Counted"]) in discord.role_changes
    boss = await discord.press(panel, "Boss", user="kim")
    await bot.alongside(discord.wait_until(lambda: boss.messages, 15, "the refusal"))
    [refusal] = boss.messages
    assert refusal.ephemeral and refusal.text.startswith(
        "⚠️ Not done: the role 'Admins' is not below the bot's highest role ('hypotez-bot')")
    await bot.alongside(discord.wait_until(lambda: discord.bot_messages("mods"), 15, "the admins told", "mods"))
    assert discord.bot_messages("mods")[-1].text.startswith(
        "⚠️ component boss of !count: add_role Admins was not done: the role 'Admins' is not below")
    assert ("add", user_id, discord.roles["Admins"]) not in discord.role_changes
