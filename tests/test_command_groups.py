"""Command groups (``subcommands:``): /tag add, /config role set, !tag add, help, inherited checks, and
what validate says of their misuse — through discord.py's real machinery (the harness) and the console."""

from __future__ import annotations

import subprocess
import sys

import pytest

from hypotez.errors import SpecError
from hypotez.registry import load_spec_text

SPEC = """\
bot:
  name: t
  prefix: "!"
  language: en
commands:
  tag:
    description: Tags
    permissions: {roles: [Mod]}
    default_permissions: [manage_messages]
    subcommands:
      add:
        description: Add a tag
        aliases: [new]
        arguments:
          label: {type: text, maxLength: 20}
        text: "added {{ label }}"
      remove:
        description: Remove a tag
        permissions: {roles: [Admin]}
        text: "removed"
  config:
    description: Settings
    subcommands:
      role:
        description: Roles
        subcommands:
          set:
            description: Set the role
            arguments:
              role: {type: text}
              times: {type: integer, minimum: 1, maximum: 5, required: false}
            text: "role set to {{ role }}{% if times %} x{{ times }}{% endif %}"
"""


async def test_slash_tree_has_groups_and_subgroups(hypotez_bot):
    async with hypotez_bot(SPEC, model=False, voice=False) as bot:
        tree = {c.name: c.to_dict(bot.bot.tree) for c in bot.bot.tree.get_commands()}
    assert set(tree) == {"tag", "config", "help"}
    tag = tree["tag"]
    assert [o["name"] for o in tag["options"]] == ["add", "remove"]
    assert all(o["type"] == 1 for o in tag["options"])  # subcommands
    assert int(tag["default_member_permissions"]) == 8192  # manage_messages, set on the group
    role = tree["config"]["options"][0]
    assert role["type"] == 2 and role["name"] == "role"  # a subcommand group
    [set_] = role["options"]
    times = next(o for o in set_["options"] if o["name"] == "times")
    assert (times["min_value"], times["max_value"]) == (1, 5)
    name = tree["tag"]["options"][0]["options"][0]
    assert name["max_length"] == 20


async def test_slash_subcommands_run_with_inherited_permissions(hypotez_bot):
    async with hypotez_bot(SPEC, model=False, voice=False) as bot:
        assert (await bot.slash("tag add", roles=["Mod"], label="x")).content == "added x"
        refused = await bot.slash("tag add", label="x")
        assert "Mod" in refused.content and refused.messages[0].ephemeral
        refused = await bot.slash("tag remove", roles=["Mod"])  # overridden: Admin
        assert "Admin" in refused.content
        assert (await bot.slash("tag remove", roles=["Admin"])).content == "removed"
        assert (await bot.slash("config role set", role="Mod", times=2)).content == "role set to Mod x2"


async def test_prefix_groups_resolve_and_suggest(hypotez_bot):
    async with hypotez_bot(SPEC, model=False, voice=False) as bot:
        assert (await bot.send("!tag add foo", roles=["Mod"])).content == "added foo"
        assert (await bot.send("!tag new bar", roles=["Mod"])).content == "added bar"
        assert (await bot.send("!TAG Add baz", roles=["Mod"])).content == "added baz"
        assert (await bot.send("!config role set Mod")).content == "role set to Mod"
        near = (await bot.send("!tag ad x")).content
        assert "`!tag add`" in near and "`!tag ad`" in near
        alone = (await bot.send("!config role")).content
        assert "— Roles" in alone and "`!config role set <role> [times]`" in alone, "a group alone: its help"
        listing = (await bot.send("!help")).content
        assert "`!tag add <label>`" in listing and "`!config role set <role> [times]`" in listing
        assert "Usage: `!tag add <label>`" in (await bot.send("!help tag add")).content
        group = (await bot.send("!help config")).content
        assert "— Settings" in group and "`!config role set <role> [times]`" in group and "!tag" not in group


def _problems(text: str) -> str:
    with pytest.raises(SpecError) as caught:
        load_spec_text(text, path=__import__("pathlib").Path("/tmp/commands.yaml"), check_handlers=False,
                       display_name="commands.yaml")
    return str(caught.value)


def _spec(commands: str) -> str:
    return "bot: {language: en}\ncommands:\n" + commands


def test_a_group_cannot_answer_itself():
    text = _problems(_spec("  tag:\n    description: Tags\n    text: hi\n    subcommands:\n"
                           "      add: {description: Add, text: ok}\n"))
    assert "commands.yaml:5:5: group 'tag' has subcommands, so it cannot have 'text' of its own" in text
    assert "move 'text' into one of its subcommands (add)" in text


def test_a_third_level_is_refused_where_it_is():
    text = _problems(_spec("  a:\n    description: A\n    subcommands:\n      b:\n        description: B\n"
                           "        subcommands:\n          c:\n            description: C\n"
                           "            subcommands:\n              d: {description: D, text: x}\n"))
    assert "commands.yaml:11:13: 'a b c' would be a third level of subcommands; Discord allows two" in text


def test_discord_limits_of_groups():
    subs = "".join(f"      s{i}: {{description: S, text: x}}\n" for i in range(26))
    text = _problems(_spec("  big:\n    description: Big\n    subcommands:\n" + subs))
    assert "group 'big' has 26 subcommands; Discord allows 25" in text
    text = _problems(_spec("  Tag:\n    description: Tags\n    subcommands:\n      Add: {description: A, text: x}\n"))
    assert "'Tag' cannot be the name of a slash command group" in text
    assert "'Add' cannot be a slash command name" in text
    text = _problems(_spec("  tag:\n    description: Tags\n    subcommands:\n"
                           "      add: {description: A, text: x, nsfw: true}\n"))
    assert "commands.yaml:6:38: 'nsfw' of 'tag add': Discord reads it only on the top-level command" in text
    text = _problems(_spec("  tag:\n    description: " + "x" * 101 + "\n    subcommands:\n"
                           "      add: {description: A, text: x}\n"))
    assert "the description of group 'tag' is 101 characters; Discord allows 100" in text


def test_a_misspelt_key_in_a_subcommand_is_located():
    text = _problems(_spec("  tag:\n    description: Tags\n    subcommands:\n"
                           "      add: {descripton: A, text: x}\n"))
    assert "commands.yaml:6:13: unknown key 'descripton' in command 'tag add'" in text


def test_groups_in_the_console(tmp_path):
    (tmp_path / "commands.yaml").write_text(SPEC, encoding="utf-8")
    typed = ":roles\n!tag add x\n:roles Mod\n!tag add x\n!tag\n"
    done = subprocess.run([sys.executable, "-m", "hypotez", "console", "--spec", str(tmp_path / "commands.yaml"),
                           "--data", str(tmp_path / "data")], input=typed, capture_output=True, text=True,
                          timeout=60, check=True)
    lines = done.stdout.splitlines()
    assert any("It needs one of the roles: Mod" in line for line in lines)
    assert "added x" in lines
    assert any("`!tag remove` — Remove a tag" in line for line in lines)


async def test_a_cooldown_is_handed_down_unless_overridden(hypotez_bot):
    spec = ("bot: {language: en}\ncommands:\n  tag:\n    description: Tags\n    cooldown: {rate: 1, per: 60}\n"
            "    subcommands:\n      add: {description: Add, text: added}\n"
            "      list: {description: List, text: listed, cooldown: {rate: 5, per: 60}}\n")
    async with hypotez_bot(spec, model=False, voice=False) as bot:
        assert (await bot.send("!tag add")).content == "added"
        assert "you can use `!tag add` again in" in (await bot.send("!tag add")).content
        assert [(await bot.send("!tag list")).content for _ in range(3)] == ["listed"] * 3


async def test_a_subcommands_template_is_in_its_groups_folder(hypotez_bot):
    spec = "bot: {language: en}\ncommands:\n  tag:\n    description: Tags\n    subcommands:\n      add: {description: Add}\n"
    async with hypotez_bot(spec, files={"templates/en/tag/add.j2": "added by {{ user }}"}, model=False,
                           voice=False) as bot:
        assert (await bot.send("!tag add")).content == "added by ann"
    with pytest.raises(SpecError) as caught:
        load_spec_text(spec, path=__import__("pathlib").Path("/tmp/nowhere/commands.yaml"), check_handlers=False,
                       display_name="commands.yaml")
    assert "template 'tag/add' does not exist (templates/en/tag/add.j2)" in str(caught.value)
