"""`list` arguments (`!poll Lunch? pizza, sushi, soup`) and JSON arguments that take the rest of the
line, through discord.py's real command machinery (prefix and slash), and what validate says about
their rules."""

import pytest

from hypotez.cli import main

SPEC = '''
bot:
  name: pollbot
  language: en
  languages: [en, ru]
commands:
  poll:
    description: Start a poll
    arguments:
      question: {type: text}
      options: {type: list, minItems: 2, maxItems: 4, items: {maxLength: 10}}
    text: "{{ question }} {% for o in options %}[{{ loop.index }}] {{ o }} {% endfor %}({{ options | length }})"
  dice:
    description: Roll some dice
    arguments:
      sides: {type: list, items: {type: integer, minimum: 2, maximum: 100}, default: [6, 6]}
    text: "{{ sides | sum }}"
  vote:
    description: Vote from a JSON list
    arguments:
      choices: {type: json, schema: {type: array, items: {type: string}}}
    text: "{{ choices | join('/') }}"
'''


@pytest.fixture
def spec_dir(tmp_path):
    (tmp_path / "commands.yaml").write_text(SPEC, encoding="utf-8")
    return tmp_path


@pytest.fixture
async def bot(spec_dir, hypotez_bot):
    async with hypotez_bot(spec=spec_dir / "commands.yaml", model=False, voice=False) as harness:
        yield harness


async def test_items_separated_by_commas(bot):
    reply = await bot.send("!poll Lunch? pizza, sushi, hot soup")
    assert reply.content == "Lunch? [1] pizza [2] sushi [3] hot soup (3)"


async def test_items_separated_by_spaces_when_there_is_no_comma(bot):
    reply = await bot.send('!poll "Where to?" park beach "old town"')
    assert reply.content == "Where to? [1] park [2] beach [3] old town (3)"


async def test_items_given_by_name(bot):
    reply = await bot.send("!poll question=Lunch? options=pizza, sushi")
    assert reply.content == "Lunch? [1] pizza [2] sushi (2)"


async def test_too_few_and_too_many_items_are_refused(bot):
    assert "options" in (await bot.send("!poll Lunch? pizza")).content
    assert "at least 2 items" in (await bot.send("!poll Lunch? pizza")).content
    assert "at most 4 items" in (await bot.send("!poll Lunch? a, b, c, d, e")).content


async def test_a_rule_per_item_names_the_item(bot):
    reply = await bot.send("!poll Lunch? pizza, a very long soup")
    assert "item 2: must be at most 10 characters long" in reply.content


async def test_items_converted_to_their_type(bot):
    assert (await bot.send("!dice 20, 12")).content == "32"
    assert (await bot.send("!dice")).content == "12"  # the default, [6, 6]
    assert "item 2: 'x' is not a whole number" in (await bot.send("!dice 6 x")).content
    assert "item 1: must be at most 100" in (await bot.send("!dice 1000")).content


async def test_list_as_a_slash_option(bot):
    reply = await bot.slash("poll", question="Lunch?", options="pizza, sushi")
    assert reply.content == "Lunch? [1] pizza [2] sushi (2)"


async def test_a_russian_reply_names_the_item_in_russian(tmp_path, hypotez_bot):
    (tmp_path / "commands.yaml").write_text(SPEC.replace("language: en", "language: ru"), encoding="utf-8")
    async with hypotez_bot(spec=tmp_path / "commands.yaml", model=False, voice=False) as harness:
        reply = await harness.send("!poll Обед? пицца, очень длинный суп")
    assert "элемент 2:" in reply.content and "item" not in reply.content


async def test_json_takes_the_rest_of_the_line(bot):
    assert (await bot.send('!vote ["пицца", "суши"]')).content == "пицца/суши"
    assert (await bot.send('!vote choices=["пицца", "суши роллы"]')).content == "пицца/суши роллы"


def test_list_rules_are_checked_by_validate(tmp_path, capsys):
    spec = tmp_path / "commands.yaml"
    spec.write_text("commands:\n  poll:\n    description: Poll\n    text: ok\n    arguments:\n"
                    "      options: {type: list, items: {minimum: 1}, maxLength: 3}\n"
                    "      counts: {type: text, minItems: 2, items: {maxLength: 2}}\n", encoding="utf-8")
    assert main(["validate", str(spec)]) == 1
    out = capsys.readouterr().out
    assert out == (
        f"{spec}:6:37: 'minimum' under 'items' only applies to items that are numbers\n"
        "    hint: add 'type: integer' under 'items:', or for the length of an item write 'minLength:'\n"
        f"{spec}:6:50: 'maxLength' only applies to text arguments (this one is list)\n"
        "    hint: for each item, write it under 'items:' (items: {maxLength: ...})\n"
        f"{spec}:7:28: 'minItems' only applies to list and json arguments (this one is text)\n"
        "    hint: remove 'minItems:', or set 'type: list'\n"
        f"{spec}:7:41: 'items' only applies to list arguments (this one is text)\n"
        "    hint: remove 'items:', or set 'type: list'\n")
