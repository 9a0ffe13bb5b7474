"""Buttons and select menus declared in the spec, through discord.py's real machinery: the harness
hands Discord's interaction payloads to discord.py's gateway parser, and the bot's dynamic items
dispatch them. Each action (reply, edit, run a command with arguments, toggle a role, open a form),
who may press, expiry, and presses after a restart."""

import asyncio

import pytest

SPEC = '''
bot: {name: comp, language: en, languages: [en, ru]}
modals:
  ask:
    title: Ask a question
    inputs:
      question: {type: text, label: Question, maxLength: 20}
      times: {type: integer, label: How many times, minimum: 1, maximum: 3, required: false}
    action: {reply: "{{ user }} asks {{ question }} ({{ times or 1 }}x) about {{ topic }}", ephemeral: false}
commands:
  poll:
    description: A poll
    arguments:
      topic: {type: text, required: false, default: "nothing"}
    text: "Vote on {{ topic }}!"
    components:
      - {id: "yes", label: "Yes", style: success, emoji: "✅", action: {reply: "{{ user }} says yes to {{ topic }}", ephemeral: false}}
      - {id: edit, label: "Close", style: danger, action: {edit: "Closed by {{ user }} ({{ topic }})"}}
      - {id: echo, label: "Echo", action: {run: echo, arguments: {words: "{{ topic }} again"}}}
      - {id: ask, label: "Ask", action: {modal: ask}}
      - {id: mods, label: "Mods only", action: {reply: "hello mod"}, permissions: {roles: [Mod]}}
      - {id: flavour, type: select, placeholder: "Pick flavours", max_values: 2,
         options: [{label: Vanilla, value: vanilla}, {label: Chocolate, value: choc}, {label: Mint, value: mint}],
         action: {reply: "{{ user }} likes {{ values | join(' and ') }}"}}
      - {id: who, type: user_select, placeholder: "Pick someone", action: {reply: "picked <@{{ value }}>"}}
      - {id: docs, label: Docs, url: "https://example.com/docs"}
  echo:
    description: Say it back
    arguments:
      words: {type: text, maxLength: 30}
    text: "echo: {{ words }}"
  brief:
    description: A button that does not last
    text: "Quick!"
    components:
      - {id: now, label: "Now", expires: 1, action: {reply: "in time"}}
  gamer:
    description: Get the Gamer role
    text: "Press to get or lose the Gamer role"
    components:
      - {id: toggle, label: "Gamer", action: {toggle_role: Gamer}}
      - {id: broken, label: "Broken", action: {reply: "{{ nothing.here }}"}}
      - {id: roles, type: role_select, placeholder: "Pick roles", max_values: 3, action: {reply: "{{ values | length }} roles"}}
      - {id: place, type: channel_select, placeholder: "Pick a channel", action: {reply: "<#{{ value }}>"}}
'''


@pytest.fixture
async def bot(hypotez_bot):
    async with hypotez_bot(spec=SPEC, model=False, voice=False) as harness:
        yield harness


def _row_types(message):
    return [[c["type"] for c in row["components"]] for row in message.components]


async def test_the_reply_carries_its_components_in_rows(bot):
    reply = await bot.send("!poll cats")
    [message] = reply.messages
    assert message.content == "Vote on cats!"
    # 5 buttons in a row, the link button after them, each select menu on a row of its own
    assert _row_types(message) == [[2, 2, 2, 2, 2], [3], [5], [2]]
    link = message.components[3]["components"][0]
    assert (link["style"], link["url"], "custom_id" in link) == (5, "https://example.com/docs", False)
    assert all(len(c["custom_id"]) <= 100 for row in message.components for c in row["components"] if "custom_id" in c)


async def test_a_button_replies_with_its_template_and_the_replys_arguments(bot):
    reply = await bot.send("!poll cats")
    press = await bot.press(reply, "Yes", author="Bob", user_id=4_000_000_000_000_002)
    assert [(m.kind, m.text, m.ephemeral) for m in press.messages] == [("response", "Bob says yes to cats", False)]


async def test_a_button_edits_the_message_it_is_on(bot):
    reply = await bot.send("!poll dogs")
    press = await bot.press(reply, "Close", author="Bob")
    assert press.messages == []  # nothing new: the message itself changed
    assert reply.messages[0].text == "Closed by Bob (dogs)"
    assert reply.messages[0].components  # its buttons stay


async def test_a_button_runs_a_command_with_arguments(bot):
    reply = await bot.send("!poll owls")
    press = await bot.press(reply, "Echo")
    assert [(m.text, m.ephemeral) for m in press.messages] == [("echo: owls again", True)]


async def test_a_command_run_by_a_button_checks_its_arguments(bot):
    reply = await bot.send("!poll " + "x" * 30)
    press = await bot.press(reply, "Echo")
    [message] = press.messages
    assert message.ephemeral and "at most 30 characters" in message.text


async def test_a_select_menu_gives_the_values_picked(bot):
    reply = await bot.send("!poll ice cream")
    picked = await bot.pick(reply, "Pick flavours", "vanilla", "mint")
    assert picked.content == "ann likes vanilla and mint"
    person = await bot.pick(reply, "Pick someone", "4000000000000077")
    assert person.content == "picked <@4000000000000077>"


async def test_who_may_press_is_checked_and_explained(bot):
    reply = await bot.send("!poll x")
    refused = await bot.press(reply, "Mods only")
    assert refused.messages[0].ephemeral
    assert refused.content == "⚠️ Only members with one of the roles Mod may use this"
    allowed = await bot.press(reply, "Mods only", roles=["Mod"])
    assert allowed.content == "hello mod"


async def test_a_button_expires(bot):
    reply = await bot.send("!brief")
    assert (await bot.press(reply, "Now")).content == "in time"
    await asyncio.sleep(2.2)
    late = await bot.press(reply, "Now")
    assert late.messages[0].ephemeral
    assert late.content == "⚠️ This button has expired: run the command again for a new one"


async def test_components_keep_working_after_a_restart(hypotez_bot, tmp_path):
    long_topic = "a topic long enough that the custom id cannot carry it " * 2
    async with hypotez_bot(spec=SPEC, model=False, voice=False) as first:
        short = await first.send("!poll cats")
        long = await first.send(f"!poll {long_topic}")
    # what the long reply was made with did not fit in the custom id: it was stored aside
    assert all(len(c["custom_id"]) <= 100 for row in long.messages[0].components for c in row["components"]
               if "custom_id" in c)
    async with hypotez_bot(spec=SPEC, model=False, voice=False) as second:  # the same data folder
        assert (await second.press(short, "Yes")).content == "ann says yes to cats"
        assert (await second.press(long, "Yes")).content == f"ann says yes to {long_topic.strip()}"


async def test_a_forged_custom_id_is_answered_not_obeyed(bot):
    reply = await bot.send("!poll cats")
    message = reply.messages[0]
    message.components[0]["components"][0]["custom_id"] = 'hz1["c","poll","nope",0,{}]'
    message.components[0]["components"][1]["custom_id"] = "hz1[broken"
    for label in ("Yes", "Close"):
        press = await bot.press(message, label)
        assert press.messages[0].ephemeral
        assert "no longer does anything" in press.content


async def test_a_form_opens_checks_its_inputs_and_answers(bot):
    reply = await bot.send("!poll bees")
    press = await bot.press(reply, "Ask")
    form = press.modal
    assert form["title"] == "Ask a question"
    inputs = [c for row in form["components"] for c in row["components"]]
    assert [(i["custom_id"], i["label"], i["required"], i.get("max_length")) for i in inputs] == [
        ("question", "Question", True, 20), ("times", "How many times", False, None)]
    bad = await bot.fill(press, question="why", times="7")
    assert bad.messages[0].ephemeral
    assert bad.content.startswith("⚠️ `times`: ") and "at most 3" in bad.content
    missing = await bot.fill(press, times="2")
    assert missing.messages[0].ephemeral and "`question`" in missing.content
    good = await bot.fill(press, question="why", times="2")
    assert [(m.text, m.ephemeral) for m in good.messages] == [("ann asks why (2x) about bees", False)]


async def test_toggling_a_role_explains_what_stops_it(bot):
    reply = await bot.send("!gamer")
    no_role = await bot.press(reply, "Gamer")
    # the same reasons as the events' role actions (hypotez.adapters.discord_roles)
    assert no_role.content == "⚠️ Not done: there is no role called 'Gamer' on this server; create it or fix its name in the spec"
    assert no_role.messages[0].ephemeral
    bot.role("Gamer", position=3)
    cannot = await bot.press(reply, "Gamer")
    assert "the bot lacks the 'manage_roles' permission on this server" in cannot.content
    bot.give_bot_role("Helper", position=2)
    below = await bot.press(reply, "Gamer")
    assert "the role 'Gamer' is not below the bot's highest role ('Helper')" in below.content
    bot.give_bot_role("Boss", position=5)
    given = await bot.press(reply, "Gamer")
    assert given.content == "✅ You have the role **Gamer** now."
    [change] = bot.http.role_changes
    assert change[0] == "PUT" and change[3] == str(bot.role("Gamer"))
    taken = await bot.press(reply, "Gamer", roles=["Gamer"])
    assert taken.content == "✅ The role **Gamer** was taken away."
    assert bot.http.role_changes[-1][0] == "DELETE"


async def test_refusals_are_in_the_replys_language(hypotez_bot):
    async with hypotez_bot(spec=SPEC.replace("language: en,", "language: ru,"), model=False, voice=False) as bot:
        reply = await bot.send("!brief")
        await asyncio.sleep(2.2)
        late = await bot.press(reply, "Now")
        assert late.content == "⚠️ Срок действия кнопки истёк: выполните команду ещё раз, чтобы получить новую"
        gamer = await bot.press(await bot.send("!gamer"), "Gamer")
        assert gamer.content.startswith("⚠️ Не сделано: на этом сервере нет роли «Gamer»")


async def test_a_template_that_fails_when_used_gets_a_short_apology(bot, caplog):
    press = await bot.press(await bot.send("!gamer"), "Broken")
    [message] = press.messages
    assert message.ephemeral and "Traceback" not in message.text and "nothing" not in message.text
    assert message.text.startswith("⚠️ This answer cannot be sent to Discord: its template has a mistake")
    assert "'nothing' is undefined" in caplog.text  # the log says what to fix


async def test_role_and_channel_menus(bot):
    reply = await bot.send("!gamer")
    kinds = [c["type"] for row in reply.messages[0].components for c in row["components"]]
    assert kinds == [2, 2, 6, 8]  # buttons, a role menu, a channel menu
    assert (await bot.pick(reply, "Pick roles", "11", "12")).content == "2 roles"
    assert (await bot.pick(reply, "Pick a channel", "1000000000000002")).content == "<#1000000000000002>"


async def test_nothing_is_kept_per_message_sent_with_components(bot):
    # Every component is a dynamic item: discord.py keeps one pattern, not a view per message.
    for number in range(20):
        await bot.send(f"!poll {number}")
    store = bot.bot._connection._view_store
    assert store._views == {} and store._synced_message_views == {}
    assert len(store._dynamic_items) == 1
