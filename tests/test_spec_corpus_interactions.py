"""The corpus of misused groups, suggestions, per-language words and Discord's settings: each file in
tests/specs/broken_interactions/ and exactly what `hypotez validate` prints (FILE:LINE:COL: message, and a
hint where one helps)."""

from pathlib import Path

import pytest

from hypotez.cli import main

BROKEN = Path(__file__).parent / "specs" / "broken_interactions"

EXPECTED = {
    'autocomplete_files_on_text': (
        "{file}:5:26: 'autocomplete: files' suggests names in the data folder: it applies to path arguments (this one is text)\n"
        "    hint: set 'type: path', or give a list of values\n"
    ),
    'autocomplete_unknown_source': (
        "{file}:5:41: 'autocomplete' of argument 'color' of command 'pick' must be a list of values, 'files', 'stored' or {handler: module:function} (got 'store')\n"
        "    hint: did you mean 'stored'?\n"
    ),
    'autocomplete_with_choices': (
        "{file}:5:51: an argument cannot have both 'choices' and 'autocomplete' (Discord shows one or the other)\n"
        "    hint: keep 'choices' for a fixed set of at most 25, or 'autocomplete' for suggestions\n"
    ),
    'bot_permission_misspelt': (
        "{file}:4:23: 'attach_file' in 'bot_permissions' of command 'getfile' is not a Discord permission name\n"
        "    hint: did you mean 'attach_files'?\n"
    ),
    'context_unknown': (
        "{file}:4:16: value in 'contexts' of command 'hi' is 'server'; allowed: guild, dm, private_channel\n"
        "    hint: did you mean 'guild'? (Discord's API calls a server a guild)\n"
    ),
    'discord_setting_on_subcommand': (
        "{file}:7:9: 'default_permissions' of 'tag add': Discord reads it only on the top-level command\n"
        "    hint: put it on 'tag' (it then applies to all of /tag)\n"
    ),
    'group_alias_clash': (
        "{file}:6:3: 'tag' is the name of a group and also of another command or alias\n"
        '    hint: rename one of them\n'
    ),
    'group_name_not_lower_case': (
        "{file}:2:3: 'Tag' cannot be the name of a slash command group: Discord allows 1-32 lower-case letters, digits, - and _\n"
        "    hint: rename it, or set 'slash: false' for the group\n"
    ),
    'group_with_text': (
        "{file}:4:5: group 'tag' has subcommands, so it cannot have 'text' of its own: Discord runs only its subcommands\n"
        "    hint: move 'text' into one of its subcommands (add)\n"
    ),
    'localized_description_too_long': (
        "{file}:4:42: the ru description of command 'color' is 101 characters; Discord allows 100\n"
        '    hint: shorten it\n'
    ),
    'localized_name_not_allowed': (
        "{file}:5:17: 'Мой Цвет' cannot be the ru slash name of command 'color': Discord allows 1-32 lower-case letters, digits, - and _\n"
    ),
    'slash_servers_not_ids': (
        "{file}:2:19: 'my-server' in 'bot.slash_servers' is not a server id\n"
        "    hint: give the number Discord shows with 'Copy Server ID' (Developer Mode on)\n"
    ),
    'subcommand_key_misspelt': (
        "{file}:6:9: unknown key 'descripton' in command 'tag add'\n"
        "    hint: did you mean 'description'?\n"
    ),
    'third_level': (
        "{file}:10:13: 'config role set' would be a third level of subcommands; Discord allows two: /command group subcommand\n"
        "    hint: make 'set' a plain subcommand of 'config role', or move it up a level\n"
    ),
    'too_many_slash_commands_with_groups': (
        '{file}:1:1: 102 slash commands; Discord allows 100 per bot\n'
        "    hint: set 'slash: false' on some commands\n"
    ),
    'too_many_subcommands': (
        "{file}:4:5: group 'big' has 26 subcommands; Discord allows 25\n"
        '    hint: split it into two groups, or into subcommand groups one level deeper\n'
    ),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_validate_locates_the_problem(name, capsys):
    path = BROKEN / f"{name}.yaml"
    assert main(["validate", str(path)]) == 1
    out, err = capsys.readouterr()
    assert out == EXPECTED[name].replace("{file}", str(path))
    assert "Traceback" not in out + err and err.strip().endswith("found")


def test_every_file_of_the_corpus_has_its_expectation():
    assert {p.stem for p in BROKEN.glob("*.yaml")} == set(EXPECTED)
