"""Autocomplete for slash options (a list, the server's data-folder names, stored values, a handler),
through discord.py's real autocomplete interactions; and "did you mean" for a near miss in the prefix
form, in the harness and the console."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from hypotez.errors import SpecError
from hypotez.registry import load_spec_text

SPEC = """\
bot: {language: en, prefix: "!"}
commands:
  color:
    description: Pick a colour
    arguments:
      name: {type: text, autocomplete: [red, green, blue, light blue]}
    text: "colour {{ name }}"
  show:
    description: Show a file
    arguments:
      file: {type: path, kind: file, autocomplete: files, permissions: {roles: [Trainer]}}
    text: "file {{ file }}"
  tag:
    description: Tags
    subcommands:
      add:
        description: Add a tag
        arguments:
          label: {type: text, autocomplete: stored}
        text: "added {{ label }}"
  city:
    description: A city
    arguments:
      town: {type: text, autocomplete: {handler: "suggest:towns"}}
    text: "town {{ town }}"
"""

HANDLER = """\
async def towns(invocation, current):
    return [t for t in ("Paris", "Prague", "Porto", "Oslo") if t.lower().startswith(current.lower())]
"""


def names(choices):
    return [c["name"] for c in choices]


async def test_static_list_is_filtered_as_typed(hypotez_bot):
    async with hypotez_bot(SPEC, files={"suggest.py": HANDLER}, model=False, voice=False) as bot:
        assert names(await bot.autocomplete("color", "name", "")) == ["red", "green", "blue", "light blue"]
        assert names(await bot.autocomplete("color", "name", "bl")) == ["blue", "light blue"]
        assert (await bot.autocomplete("color", "name", "gr"))[0] == {"name": "green", "value": "green"}


async def test_files_come_from_the_servers_folder_and_follow_permissions(hypotez_bot):
    async with hypotez_bot(SPEC, files={"suggest.py": HANDLER}, model=False, voice=False) as bot:
        folder = bot.data_folder()
        (folder / "sets").mkdir(parents=True)
        (folder / "sets" / "faq.jsonl").write_text("{}", encoding="utf-8")
        (folder / "notes.txt").write_text("x", encoding="utf-8")
        other = bot.data_folder(guild_id=77)
        other.mkdir(parents=True, exist_ok=True)
        (other / "secret.txt").write_text("x", encoding="utf-8")
        assert names(await bot.autocomplete("show", "file", "", roles=["Trainer"])) == ["notes.txt", "sets/faq.jsonl"]
        assert names(await bot.autocomplete("show", "file", "faq", roles=["Trainer"])) == ["sets/faq.jsonl"]
        assert await bot.autocomplete("show", "file", "", roles=[]) == [], "not allowed: nothing suggested"
        near = await bot.send("!show notes.tx", roles=["Trainer"])
        assert "did you mean 'notes.txt'?" in near.content


async def test_stored_values_are_the_ones_given_before(hypotez_bot):
    async with hypotez_bot(SPEC, files={"suggest.py": HANDLER}, model=False, voice=False) as bot:
        assert await bot.autocomplete("tag add", "label", "") == []
        assert (await bot.slash("tag add", label="news")).content == "added news"
        assert (await bot.send("!tag add events")).content == "added events"
        assert names(await bot.autocomplete("tag add", "label", "")) == ["events", "news"]
        assert "did you mean 'news'?" in (await bot.send("!tag add nwes")).content
        assert (await bot.send("!tag add sports")).content == "added sports", "a new value is fine"


async def test_a_handler_suggests_and_near_misses_are_answered(hypotez_bot):
    async with hypotez_bot(SPEC, files={"suggest.py": HANDLER}, model=False, voice=False) as bot:
        assert names(await bot.autocomplete("city", "town", "p")) == ["Paris", "Prague", "Porto"]
        assert "did you mean 'blue'?" in (await bot.send("!color bleu")).content
        assert (await bot.send("!color purple")).content == "colour purple", "far from all: taken as it is"
        assert (await bot.send("!color blue")).content == "colour blue"


def test_near_miss_in_the_console(tmp_path):
    (tmp_path / "commands.yaml").write_text(SPEC, encoding="utf-8")
    (tmp_path / "suggest.py").write_text(HANDLER, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "hypotez", "console", "--spec", str(tmp_path / "commands.yaml"),
                           "--data", str(tmp_path / "data")], input="!color gren\n", capture_output=True,
                          text=True, timeout=60, check=True, cwd=tmp_path)
    assert "did you mean 'green'?" in done.stdout


def _problems(text: str) -> str:
    with pytest.raises(SpecError) as caught:
        load_spec_text(text, path=Path("/tmp/commands.yaml"), check_handlers=False, display_name="commands.yaml")
    return str(caught.value)


def test_misuse_is_located():
    text = _problems("commands:\n  a:\n    description: A\n    arguments:\n"
                     "      n: {type: integer, autocomplete: files}\n    text: x\n")
    assert "commands.yaml:5:26: 'autocomplete: files' suggests names in the data folder" in text
    text = _problems("commands:\n  a:\n    description: A\n    arguments:\n"
                     "      n: {type: choice, choices: [x, y], autocomplete: [x]}\n    text: x\n")
    assert "cannot have both 'choices' and 'autocomplete'" in text
    text = _problems("commands:\n  a:\n    description: A\n    arguments:\n"
                     "      n: {type: text, autocomplete: everything}\n    text: x\n")
    assert "commands.yaml:5:37: 'autocomplete' of argument 'n' of command 'a' must be a list of values, 'files'" in text
    text = _problems("commands:\n  a:\n    description: A\n    arguments:\n"
                     "      n: {type: path, autocomplete: file, permissions: {roles: [T]}}\n    text: x\n")
    assert "did you mean 'files'?" in text


def test_a_missing_handler_is_reported_where_it_is_named(tmp_path):
    spec = tmp_path / "commands.yaml"
    text = ("commands:\n  a:\n    description: A\n    arguments:\n"
            "      n: {type: text, autocomplete: {handler: 'nowhere:towns'}}\n    text: x\n")
    with pytest.raises(SpecError) as caught:
        load_spec_text(text, path=spec, display_name="commands.yaml")
    assert "commands.yaml:5:47: handler module 'nowhere' cannot be found" in str(caught.value)
