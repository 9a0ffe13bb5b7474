"""Actions, member events and reaction roles through discord.py (the harness): roles given and taken
with the bot's permissions and role hierarchy checked, messages deleted, reactions, DMs; join and leave
answered in a named channel or by DM; refusals logged and reported in the admin channel."""

import pytest

SPEC = '''
bot:
  name: actbot
  language: en
  admin_channel: mods
commands:
  hi:
    description: Say hi
    text: hi
triggers:
  badword:
    contains: darn
    actions: [{delete_message: true}]
    permissions: [manage_messages]
    text: "{{ user }}, mind your language"
  member_please:
    exact: "make me a member"
    actions: [{add_role: Member}, {react: "✅"}, {dm: "Welcome aboard, {{ user }}"}]
    permissions: [manage_roles, add_reactions]
  admin_please:
    exact: "make me an admin"
    actions: [{add_role: Admins}]
    permissions: [manage_roles]
events:
  member_join:
    channel: welcome
    text: "Welcome {{ member }} ({{ member.mention }})! We are {{ server.member_count }} now."
    actions: [{add_role: Newcomer}]
    permissions: [manage_roles]
  member_leave:
    channel: welcome
    text: "{{ member }} has left."
reactions:
  verify:
    emoji: "✅"
    channel: general
    role: Verified
    permissions: [manage_roles]
    added: {dm: true, text: "You are verified on {{ server }}, {{ member }}."}
'''
ANN = 4_000_000_000_000_001


@pytest.fixture
async def bot(hypotez_bot):
    async with hypotez_bot(spec=SPEC, model=False, voice=False) as harness:
        for name in ("welcome", "mods"):
            harness.text_channel(name)
        for name in ("Member", "Newcomer", "Verified"):
            harness.role(name, position=1)
        harness.role("Admins", position=10)
        yield harness


def in_channel(bot, name, since=0):
    channel = bot.text_channel(name)
    return [m.text for m in bot.sent[since:] if m.channel_id == str(channel)]


async def test_role_react_and_dm_with_the_permissions_they_need(bot):
    bot.bot_role(("manage_roles", "add_reactions"), position=5)
    await bot.send("make me a member")
    member_role = bot.role("Member")
    assert bot.http.events.roles_added == [(str(ANN), str(member_role))]
    assert [emoji for _, emoji in bot.http.events.reactions] == ["✅"]
    assert [m.text for m in bot.sent if m.channel_id in bot.http.events.dm_channels] == ["Welcome aboard, ann"]


async def test_without_the_permission_nothing_is_asked_and_the_admins_are_told(bot, caplog):
    await bot.send("make me a member")  # the bot has no role: no manage_roles, yet add_reactions from @everyone
    assert bot.http.events.roles_added == []
    [notice] = in_channel(bot, "mods")
    assert notice == ("⚠️ trigger member_please: add_role Member was not done: the bot lacks the 'manage_roles' "
                      "permission on this server; give its role that permission")
    assert "add_role Member not done" in caplog.text


async def test_a_role_above_the_bots_is_refused_with_the_way_out(bot):
    bot.bot_role(("manage_roles",), position=5)
    await bot.send("make me an admin")
    assert bot.http.events.roles_added == []
    [notice] = in_channel(bot, "mods")
    assert "the role 'Admins' is not below the bot's highest role" in notice


async def test_discord_refusing_is_reported(bot):
    bot.bot_role(("manage_roles", "add_reactions"), position=5)
    bot.http.events.refuse["role"] = 403
    await bot.send("make me a member")
    [notice] = in_channel(bot, "mods")
    assert "Discord refused it (HTTP 403)" in notice


async def test_delete_the_triggering_message(bot):
    bot.bot_role(("manage_messages",), position=5)
    reply = await bot.send("oh darn it")
    assert reply.content == "ann, mind your language"
    assert len(bot.http.events.deleted) == 1


async def test_member_join_and_leave(bot):
    bot.bot_role(("manage_roles",), position=5)
    joined = await bot.join("zoe", user_id=4_000_000_000_000_777)
    assert joined.content == "Welcome zoe (<@4000000000000777>)! We are 3 now."
    assert joined.messages[0].channel_id == str(bot.text_channel("welcome"))
    assert joined.messages[0].allowed_mentions == {"parse": []}, "the mention does not ping"
    assert bot.http.events.roles_added == [("4000000000000777", str(bot.role("Newcomer")))]
    left = await bot.leave("zoe", user_id=4_000_000_000_000_777)
    assert left.content == "zoe has left."


async def test_reaction_role_given_and_taken(bot):
    bot.bot_role(("manage_roles",), position=5)
    message = 5_000_000_000_000_001
    added = await bot.react("✅", message)
    verified = str(bot.role("Verified"))
    assert bot.http.events.roles_added == [(str(ANN), verified)]
    assert added.content == "You are verified on Test Server, ann."
    assert added.messages[0].channel_id in bot.http.events.dm_channels
    await bot.react("✅", message, remove=True)
    assert bot.http.events.roles_removed == [(str(ANN), verified)]
    await bot.react("❌", message)
    other = bot.text_channel("welcome")
    await bot.react("✅", message, channel=other)
    assert len(bot.http.events.roles_added) == 1, "another emoji, another channel: not this reaction"


async def test_the_admins_are_told_in_the_bots_language(hypotez_bot):
    spec = SPEC.replace("language: en", "language: ru")
    async with hypotez_bot(spec=spec, model=False, voice=False) as bot:
        bot.text_channel("mods")
        bot.role("Member")
        await bot.send("make me a member")
        [notice] = in_channel(bot, "mods")
        assert notice == ("⚠️ триггер member_please: действие add_role Member не выполнено: у бота нет права "
                          "«manage_roles» на этом сервере; дайте его роли бота")


ROLE_SPEC = '''
bot:
  name: rolebot
  language: en
commands: {}
events:
  role_added:
    - role: Booster
      channel: general
      text: "Thanks for boosting, {{ member }} ({{ role }})!"
  role_removed:
    - role: Booster
      dm: true
      text: "Sad to see the boost go, {{ member }}."
'''


async def test_a_role_given_or_taken_is_answered(hypotez_bot):
    async with hypotez_bot(spec=ROLE_SPEC, model=False, voice=False) as bot:
        assert bot.bot.intents.members, "role events need the members intent"
        await bot.join("kim", user_id=4_000_000_000_000_100)
        given = await bot.set_roles("kim", ["Booster"], user_id=4_000_000_000_000_100)
        assert given.content == "Thanks for boosting, kim (Booster)!"
        assert (await bot.set_roles("kim", ["Booster", "Other"], user_id=4_000_000_000_000_100)).content == ""
        taken = await bot.set_roles("kim", [], user_id=4_000_000_000_000_100)
        assert taken.content == "Sad to see the boost go, kim."
        assert taken.messages[0].channel_id in bot.http.events.dm_channels


MESSAGE_SPEC = '''
bot:
  name: msgbot
  language: en
commands: {}
state:
  votes: {scope: global, type: counter}
reactions:
  vote:
    emoji: "👍"
    message: "5000000000000042"
    added:
      channel: general
      actions: [{increment: votes}]
      text: "{{ member }} voted ({{ state.global.votes }} in all) with {{ emoji }} on {{ message_id }}"
    removed: {channel: general, text: "{{ member }} took the vote back"}
'''


async def test_a_reaction_on_one_message_added_and_removed(hypotez_bot):
    async with hypotez_bot(spec=MESSAGE_SPEC, model=False, voice=False) as bot:
        added = await bot.react("👍", 5_000_000_000_000_042)
        assert added.content == "ann voted (1 in all) with 👍 on 5000000000000042"
        assert (await bot.react("👍", 5_000_000_000_000_043)).content == "", "another message"
        assert (await bot.react("👍", 5_000_000_000_000_042, remove=True)).content == "ann took the vote back"


async def test_events_read_the_channel_as_commands_do(hypotez_bot):
    spec = '''
bot: {name: chanbot, language: en}
commands: {}
triggers:
  where:
    exact: where
    text: "{{ channel }}|{{ channel.name }}|{{ channel.mention }}|{{ channel.id == channel_id }}"
events:
  member_join:
    channel: welcome
    text: "Welcome to {{ channel.mention }} (#{{ channel }}), {{ member }}"
'''
    async with hypotez_bot(spec=spec, model=False, voice=False) as bot:
        welcome = bot.text_channel("welcome")
        assert (await bot.join("zoe")).content == f"Welcome to <#{welcome}> (#welcome), zoe"
        general = (await bot.send("where")).messages[0].channel_id
        assert (await bot.send("where")).content == f"general|general|<#{general}>|True"
