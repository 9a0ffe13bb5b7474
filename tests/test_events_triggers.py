"""Message triggers through discord.py's machinery (the harness): contains / starts with / exact /
regex, case and accent folding, channel and role filters, priority and stop, cooldowns, a catastrophic
regular expression given up on in time, and the conversational reply only when no trigger stopped."""

import time

import pytest

SPEC = '''
bot:
  name: trigbot
  language: en
  messages:
    handler: trig_handlers:echo
commands:
  hi:
    description: Say hi
    text: "Hi {{ user }}"
triggers:
  hello:
    contains: hello
    text: "Hello there, {{ user }}!"
  cafe:
    exact: "cafe"
    text: "☕ coffee for {{ user }}"
  case_matters:
    starts_with: "LOUD"
    ignore_case: false
    text: "you shouted: {{ message }}"
  dice:
    regex: '(?P<count>\\d+)\\s*d(?P<sides>\\d+)'
    priority: 10
    text: "rolling {{ match.count }} dice of {{ match.sides }} sides"
  trainers_only:
    contains: secret
    roles: [Trainer]
    text: "the secret is 42"
  elsewhere:
    contains: ping
    channels: [other]
    text: pong
  slow:
    contains: wait
    cooldown: {rate: 1, per: 60}
    text: "waiting…"
  quiet_note:
    contains: note
    stop: false
    text: "noted"
  evil:
    regex: '(x+x+)+y'
    text: "matched the evil one"
'''
HANDLERS = '''
async def echo(invocation):
    return {"text": "model: " + invocation.content}
'''


@pytest.fixture
async def bot(hypotez_bot):
    files = {"trig_handlers.py": HANDLERS, "templates/en/echo.j2": "{{ text }}"}
    spec = SPEC.replace("    handler: trig_handlers:echo", "    handler: trig_handlers:echo\n    reply: echo")
    async with hypotez_bot(spec=spec, files=files, model=False, voice=False) as harness:
        yield harness


async def test_contains_is_case_and_accent_folded(bot):
    assert (await bot.send("Well HELLO everyone")).content == "Hello there, ann!"
    assert (await bot.send("Café", author="bob")).content == "☕ coffee for bob"
    assert (await bot.send("a cafe please")).content == "model: a cafe please", "exact means the whole message"


async def test_case_can_matter(bot):
    assert (await bot.send("LOUD noises")).content == "you shouted: LOUD noises"
    assert (await bot.send("loud noises")).content == "model: loud noises"


async def test_regex_groups_and_priority(bot):
    # "hello" matches too, but the dice trigger has the higher priority and stops the rest
    assert (await bot.send("hello, roll 3d20")).content == "rolling 3 dice of 20 sides"


async def test_role_and_channel_filters(bot):
    assert (await bot.send("tell me the secret")).content == "model: tell me the secret"
    assert (await bot.send("tell me the secret", roles=["Trainer"])).content == "the secret is 42"
    assert (await bot.send("ping")).content == "model: ping", "the trigger is for #other only"


async def test_cooldown_per_user(bot):
    assert (await bot.send("wait for it")).content == "waiting…"
    assert (await bot.send("wait for it")).content == "", "on cooldown: no answer, and no model reply either"
    assert (await bot.send("wait for it", author="bob", user_id=4_000_000_000_000_002)).content == "waiting…"


async def test_stop_false_lets_the_conversation_answer_too(bot):
    assert (await bot.send("a note to self")).content == "noted\nmodel: a note to self"


async def test_commands_are_not_triggers(bot):
    assert (await bot.send("!hi")).content == "Hi ann"
    assert "too many values" in (await bot.send("!hi hello")).content, "a command, not the hello trigger"


async def test_a_catastrophic_pattern_gives_up_in_time(bot, caplog):
    started = time.perf_counter()
    reply = await bot.send("x" * 3000)
    assert time.perf_counter() - started < 2.0
    assert reply.content == "model: " + "x" * 3000 or reply.content.startswith("model: ")
    assert "took over" in caplog.text and "evil" in caplog.text
