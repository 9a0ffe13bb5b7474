"""Buttons and select menus that take the actions triggers and events take — give a role, react,
delete their message, send a DM, set or increment state — through discord.py's real machinery (the
harness): each gated by the permissions the spec declares and by the bot's own permissions and role
hierarchy; what is refused is logged, reported in the admin channel, and explained to the presser."""

import time

import pytest

SPEC = '''
bot: {name: acts, language: en, languages: [en, ru], admin_channel: mods}
state:
  presses: {scope: member, type: counter}
  mood: {scope: member}
commands:
  panel:
    description: Buttons that do things
    text: "Press something"
    components:
      - {id: count, label: "Count me", action: {actions: [{increment: presses}],
         reply: "{{ user }} pressed {{ state.member.presses }} times", ephemeral: false}}
      - {id: member, label: "Member", action: {actions: [{add_role: Member}], permissions: [manage_roles],
         reply: "Welcome, member"}}
      - {id: admin, label: "Admin", action: {actions: [{add_role: Admins}], permissions: [manage_roles]}}
      - {id: thumbs, label: "Thumbs", action: {actions: [{react: "👍"}], permissions: [add_reactions]}}
      - {id: bye, label: "Delete", action: {actions: [{delete_message: true}], reply: "Deleted"}}
      - {id: dm, label: "DM me", action: {actions: [{increment: presses}, {dm: "You pressed {{ state.member.presses }}"}]}}
      - {id: plain, label: "Plain", action: {reply: "plain", ephemeral: false}}
      - {id: mood, type: select, placeholder: "Mood", options: [{label: Happy, value: happy}, {label: Sad, value: sad}],
         action: {actions: [{set: {key: mood, value: "{{ value }}"}}], reply: "mood: {{ state.member.mood }}"}}
'''
BOB = 4_000_000_000_000_002


@pytest.fixture
async def bot(hypotez_bot):
    async with hypotez_bot(spec=SPEC, model=False, voice=False) as harness:
        harness.text_channel("mods")
        harness.role("Member", position=1)
        harness.role("Admins", position=10)
        yield harness


def in_channel(bot, name):
    channel = str(bot.text_channel(name))
    return [m.text for m in bot.sent if m.channel_id == channel]


def answer(press):
    """The interaction's answer (the admin channel's notice is another message)."""
    [message] = [m for m in press.messages if m.kind != "message"]
    return message


async def test_a_button_increments_a_counter_per_member_and_shows_it(bot):
    panel = await bot.send("!panel")
    assert (await bot.press(panel, "Count me")).content == "ann pressed 1 times"
    assert (await bot.press(panel, "Count me")).content == "ann pressed 2 times"
    assert (await bot.press(panel, "Count me", author="bob", user_id=BOB)).content == "bob pressed 1 times"


async def test_a_select_menu_sets_a_value_from_what_was_picked(bot):
    panel = await bot.send("!panel")
    assert (await bot.pick(panel, "Mood", "sad")).content == "mood: sad"
    assert (await bot.pick(panel, "Mood", "happy")).content == "mood: happy"


async def test_a_button_gives_a_role_with_the_bots_permission(bot):
    bot.bot_role(("manage_roles",), position=5)
    press = await bot.press(await bot.send("!panel"), "Member")
    assert press.content == "Welcome, member"
    assert bot.http.events.roles_added == [("4000000000000001", str(bot.role("Member")))]
    assert in_channel(bot, "mods") == []


async def test_without_the_bots_permission_the_presser_and_the_admins_are_told(bot, caplog):
    press = await bot.press(await bot.send("!panel"), "Member")
    message = answer(press)
    assert message.ephemeral
    assert message.text == ("⚠️ Not done: the bot lacks the 'manage_roles' permission on this server; give its "
                            "role that permission")
    assert bot.http.events.roles_added == []
    assert in_channel(bot, "mods") == [
        "⚠️ component member of !panel: add_role Member was not done: the bot lacks the 'manage_roles' permission "
        "on this server; give its role that permission"]
    assert "component member of !panel: action add_role Member not done" in caplog.text


async def test_a_role_in_a_direct_message_is_explained(bot):
    panel = await bot.send("!panel")
    press = await bot.press(panel, "Member", guild=None)
    assert answer(press).text == ("⚠️ Not done: roles exist only on a server, and this was in a direct message")
    assert bot.http.events.roles_added == []


async def test_a_role_above_the_bots_is_refused_with_the_way_out(bot):
    bot.bot_role(("manage_roles",), position=5)
    press = await bot.press(await bot.send("!panel"), "Admin")
    assert answer(press).text.startswith("⚠️ Not done: the role 'Admins' is not below the bot's highest role (")
    assert "move the bot's role above it in Server Settings → Roles" in answer(press).text
    assert bot.http.events.roles_added == []
    [notice] = in_channel(bot, "mods")
    assert "add_role Admins was not done: the role 'Admins' is not below the bot's highest role" in notice


async def test_discord_refusing_is_reported_to_both(bot):
    bot.bot_role(("manage_roles",), position=5)
    bot.http.events.refuse["role"] = 403
    press = await bot.press(await bot.send("!panel"), "Member")
    assert answer(press).text.startswith("⚠️ Not done: Discord refused it (HTTP 403)")
    [notice] = in_channel(bot, "mods")
    assert "add_role Member was not done: Discord refused it (HTTP 403)" in notice


async def test_a_button_reacts_to_its_message_and_says_it_is_done(bot):
    bot.bot_role(("add_reactions",), position=5)
    panel = await bot.send("!panel")
    press = await bot.press(panel, "Thumbs")
    assert [(m.text, m.ephemeral) for m in press.messages] == [("✅ Done.", True)]
    assert bot.http.events.reactions == [(panel.messages[0].id, "👍")]


async def test_a_button_deletes_its_own_message_without_manage_messages(bot):
    panel = await bot.send("!panel")  # the bot has no role at all: its own message it may delete
    press = await bot.press(panel, "Delete")
    assert press.content == "Deleted"
    assert bot.http.events.deleted == [panel.messages[0].id]


async def test_a_button_sends_a_dm_that_reads_the_state_it_just_wrote(bot):
    press = await bot.press(await bot.send("!panel"), "DM me")
    assert answer(press).text == "✅ Done."
    [dm] = [m.text for m in bot.sent if m.channel_id in bot.http.events.dm_channels]
    assert dm == "You pressed 1"
    assert list(bot.http.events.dm_channels.values()) == ["4000000000000001"]


async def test_the_presser_is_told_in_the_servers_language(hypotez_bot):
    async with hypotez_bot(spec=SPEC.replace("language: en,", "language: ru,"), model=False, voice=False) as bot:
        bot.text_channel("mods")
        bot.role("Member", position=1)
        press = await bot.press(await bot.send("!panel"), "Member")
        assert answer(press).text == "⚠️ Не сделано: у бота нет права «manage_roles» на этом сервере; дайте его роли бота"
        [notice] = in_channel(bot, "mods")
        assert notice.startswith("⚠️ компонент member команды !panel: действие add_role Member не выполнено")


async def test_a_press_that_increments_a_counter_is_quick(bot):
    panel = await bot.send("!panel")
    await bot.press(panel, "Count me")  # the first press opens the state store
    rounds = 30

    async def per_press(label):
        started = time.perf_counter()
        for _ in range(rounds):
            await bot.press(panel, label)
        return (time.perf_counter() - started) / rounds * 1000

    counting, plain = await per_press("Count me"), await per_press("Plain")
    assert (await bot.press(panel, "Count me")).content == f"ann pressed {rounds + 2} times"
    print(f"a press that increments a counter: {counting:.1f} ms; a press that only replies: {plain:.1f} ms")
    assert counting < 250
