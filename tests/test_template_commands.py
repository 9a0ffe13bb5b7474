"""Commands without Python: answers written in the spec (text, a random pick, embeds, per language)
and template files, with the arguments, caller, channel, server and time in scope — through
discord.py (prefix and slash) and through the console in a real subprocess."""

import datetime
import logging
import subprocess
import sys

import pytest

SPEC = '''
bot:
  name: cardbot
  language: en
  languages: [en, ru]
commands:
  hello:
    description: Say hello
    text: "Hello, {{ user }}! You are in #{{ channel }} on {{ server }}. {{ caller.mention }}"
  when:
    description: Date and time
    text: "{{ date }} {{ time }} {{ now.year }}"
  coin:
    description: Flip a coin
    text: ["Heads, {{ user }}!", "Tails, {{ user }}!"]
  greet:
    description: Greet someone
    arguments:
      who: {type: text}
      times: {type: integer, default: 1, minimum: 1, maximum: 3}
    text:
      en: "{% for _ in range(times) %}Hi {{ who }}! {% endfor %}"
      ru: "{% for _ in range(times) %}Привет, {{ who }}! {% endfor %}"
  card:
    description: A profile card
    arguments:
      topic: {type: choice, choices: [rules, faq]}
    text: "Here you go:"
    embed:
      title: "{{ topic | upper }} for {{ user }}"
      description: {en: "Asked in {{ channel }}", ru: "Спросили в {{ channel }}"}
      url: https://example.com/{{ topic }}
      color: "#5865F2"
      fields:
        - {name: Caller, value: "{{ caller.name }}", inline: true}
        - {name: Server, value: "{{ server }}"}
      footer: "{{ bot }}"
      image: https://example.com/card.png
      thumbnail: https://example.com/thumb.png
  shout:
    description: Repeats the text as an embed title (can be too long for Discord)
    arguments:
      words: {type: text}
    embed:
      title: "{{ words }}"
  rules:
    description: From a template file
    arguments:
      number: {type: integer, required: false}
    reply: rules
'''


@pytest.fixture
def spec_dir(tmp_path):
    folder = tmp_path / "bot"
    for language, text in (("en", "Rule {{ number or 1 }} for {{ user }}: be kind."),
                           ("ru", "Правило {{ number or 1 }} для {{ user }}: будьте добры.")):
        (folder / "templates" / language).mkdir(parents=True)
        (folder / "templates" / language / "rules.j2").write_text(text, encoding="utf-8")
    (folder / "commands.yaml").write_text(SPEC, encoding="utf-8")
    return folder


@pytest.fixture
async def bot(spec_dir, hypotez_bot):
    async with hypotez_bot(spec=spec_dir / "commands.yaml", model=False, voice=False) as harness:
        yield harness


async def test_plain_text_has_caller_channel_and_server(bot):
    reply = await bot.send("!hello", author="mia", user_id=4_000_000_000_000_777)
    assert reply.content == "Hello, mia! You are in #general on Test Server. <@4000000000000777>"
    assert reply.messages[0].allowed_mentions["parse"] == []  # the mention is shown, nobody is pinged


async def test_time_is_in_scope(bot):
    before = datetime.datetime.now(datetime.timezone.utc)
    date, time, year = (await bot.send("!when")).content.split()
    assert date in (before.date().isoformat(), datetime.datetime.now(datetime.timezone.utc).date().isoformat())
    assert len(time) == 5 and time[2] == ":" and year == str(before.year)


async def test_random_choice_among_texts_uses_every_text(bot):
    bot.app.dispatcher.rng.seed(7)
    answers = {(await bot.send("!coin", author="bo")).content for _ in range(30)}
    assert answers == {"Heads, bo!", "Tails, bo!"}


async def test_arguments_are_in_scope_with_their_rules(bot):
    assert (await bot.send("!greet Ann times=2")).content == "Hi Ann! Hi Ann!"
    refused = await bot.send("!greet Ann times=9")
    assert "times" in refused.content and "at most 3" in refused.content


async def test_embed_is_sent_as_a_real_discord_embed(bot):
    reply = await bot.send("!card rules", author="mia")
    assert reply.content == "Here you go:"
    [embed] = reply.embeds
    assert embed["title"] == "RULES for mia"
    assert embed["description"] == "Asked in general"
    assert embed["url"] == "https://example.com/rules"
    assert embed["color"] == 0x5865F2
    assert embed["fields"] == [{"name": "Caller", "value": "mia", "inline": True},
                               {"name": "Server", "value": "Test Server", "inline": False}]
    assert embed["footer"] == {"text": "cardbot"}
    assert embed["image"] == {"url": "https://example.com/card.png"}
    assert embed["thumbnail"] == {"url": "https://example.com/thumb.png"}
    assert embed["type"] == "rich"


async def test_slash_command_answers_with_the_same_embed(bot):
    prefix = (await bot.send("!card faq")).embeds
    slash = await bot.slash("card", topic="faq")
    assert slash.messages[0].kind == "response", "ready at once: the interaction's immediate response"
    assert slash.embeds == prefix and slash.content == "Here you go:"


async def test_embed_over_discords_limit_is_refused_at_send_time_with_its_location(bot, caplog):
    with caplog.at_level(logging.ERROR, logger="hypotez.pipeline"):
        reply = await bot.send("!shout " + "a" * 300)
    assert reply.embeds == []
    assert reply.content.startswith("⚠️ The answer of `!shout` cannot be sent to Discord: the title is 300 "
                                    "characters; Discord allows 256.")
    spec_file = bot.app.spec.path
    line = SPEC.splitlines().index("  shout:") + 1
    assert f"{spec_file}:{line}:3: the answer of command 'shout' cannot be sent" in caplog.text
    assert (await bot.send("!shout short")).embeds[0]["title"] == "short"


async def test_template_file_answer_with_an_optional_argument(bot):
    assert (await bot.send("!rules")).content == "Rule 1 for ann: be kind."
    assert (await bot.send("!rules 3")).content == "Rule 3 for ann: be kind."


async def test_per_language_texts_follow_the_servers_language(bot):
    await bot.app.services.storage.set_guild_language(str(bot.guild.id), "ru")
    assert (await bot.send("!greet Аня")).content == "Привет, Аня!"
    assert (await bot.send("!card faq")).embeds[0]["description"] == "Спросили в general"
    assert (await bot.send("!rules")).content == "Правило 1 для ann: будьте добры."
    assert (await bot.send("!hello")).content.startswith("Hello, ann!")  # one text for every language


def test_console_shows_text_and_embeds_readably(spec_dir, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "hypotez", "console", "--spec", str(spec_dir / "commands.yaml"),
         "--data", str(tmp_path / "data")],
        input="!hello\n!card faq\n!greet Bo times=3\n!shout " + "b" * 260 + "\n!rules 2\n",
        capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Hello, you! You are in #console on console. @you\n" in result.stdout
    assert ("Here you go:\n"
            "┌─ embed #5865F2\n"
            "│ **FAQ for you** <https://example.com/faq>\n"
            "│ Asked in console\n"
            "│ Caller: you\n"
            "│ Server: console\n"
            "│ [image: https://example.com/card.png]\n"
            "│ [thumbnail: https://example.com/thumb.png]\n"
            "│ — cardbot\n"
            "└─\n") in result.stdout
    assert "Hi Bo! Hi Bo! Hi Bo!\n" in result.stdout
    assert "cannot be sent to Discord: the title is 260 characters; Discord allows 256" in result.stdout
    assert "Rule 2 for you: be kind.\n" in result.stdout
    assert "Traceback" not in result.stderr
