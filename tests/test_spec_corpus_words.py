"""The broken-spec corpus of issue 13 (tests/specs/broken/words/): YAML mistakes in plain words at the
line of the mistake, warnings for the silent traps, hints that say what to write. Each case asserts
exactly what `hypotez validate` prints: FILE:LINE:COL, the message and the hint."""

import re
from pathlib import Path

import pytest

from hypotez.cli import main
from hypotez.rendering import Renderer

WORDS = Path(__file__).parent / "specs" / "broken" / "words"
# A misspelt filter's hint lists every filter a template has (Jinja's and hypotez's own).
FILTERS = ", ".join(sorted(Renderer(WORDS / "templates").environment("en").filters))

EXPECTED = {
    'apostrophe_in_single_quotes': (
        "{file}:3:22: the apostrophe in 'Don't…' ends the text quoted with '…'\n"
        '    hint: write the apostrophe twice: description: \'Don\'\'t spam\', or use double quotes: description: "Don\'t spam"\n'
    ),
    'backslash_in_double_quotes': (
        '{file}:4:14: \'\\U\' inside "…" starts an escape sequence: a backslash is special in double quotes\n'
        "    hint: use single quotes, where a backslash is just a backslash: text: 'C:\\Users\\bot\\logs' (or write each backslash twice)\n"
    ),
    'colon_in_list_item': (
        "{file}:5:9: item 1 of 'text' of command 'tip' was read as a key and its value, not as a text: ': ' starts a key\n"
        '    hint: put it in quotes: - "Tip: be kind"\n'
    ),
    'colon_in_text': (
        "{file}:3:18: this text contains ': ', which YAML reads as the start of a new key\n"
        '    hint: put the whole text in quotes: description: "Rules: be kind"\n'
    ),
    'curly_quotes': (
        "{file}:3:18: “…” are typographic quotes, which YAML does not read as quotes, so the ': ' inside starts a new key\n"
        '    hint: put the whole text in straight quotes: description: "“Rules: be kind”"\n'
    ),
    'embed_field_split': (
        "{file}:7:11: the embed field 'Members' is split into two list items: '- name:' and '- value:' are one field each\n"
        "    hint: write 'value:' in the same item as 'name:': remove the '-' before 'value:' and indent it like 'name:'\n"
    ),
    'filter_misspelt': (
        "{file}:4:11: the text of command 'shout' does not compile: No filter named 'uper'.\n"
        "    hint: did you mean 'upper'? the filters are: {filters}\n"
    ),
    'filter_misspelt_in_file': (
        "{file}:4:12: template 'shout' does not compile: No filter named 'uper'. (templates/en/shout.j2, line 1)\n"
        "    hint: did you mean 'upper'? the filters are: {filters}\n"
    ),
    'handler_module_misspelt': (
        "{file}:4:14: handler module 'handlers.moderaton' cannot be found (handlers.moderaton is missing)\n"
        '    hint: did you mean handler: handlers.moderation:ban?\n'
    ),
    'hash_color_empty': (
        "{file}:6:13: 'color' in command 'rules' must be a text or a whole number, not nothing (an empty value)\n"
        '    hint: \'#\' starts a comment, so the value is empty: put it in quotes: color: "#2ECC71"\n'
    ),
    'hash_cuts_text': (
        "{file}:4:11: warning: the text stops before ' #1 be kind': YAML reads ' #' as the start of a comment, so the text is only 'Rule'\n"
        '    hint: put the whole text in quotes: text: "Rule #1 be kind"\n'
        "{file}: OK — 1 command (1 also as slash command), language en, prefix '!', 1 warning\n"
    ),
    'hash_default_empty': (
        "{file}:6:60: '#' starts a comment, so the rest of the line ('#general}') is not read and the '{' is not closed\n"
        '    hint: put it in quotes: "#general"\n'
    ),
    'hash_value_empty': (
        "{file}:6:14: 'footer' of the embed of command 'rules' must be a text or a mapping language: text (got nothing (an empty value))\n"
        '    hint: \'#\' starts a comment, so the value is empty: put it in quotes: footer: "#rules"\n'
    ),
    'help_alias_replaces_builtin': (
        "{file}:4:15: warning: the alias 'help' of command 'guide' replaces the built-in help (the list of every command)\n"
        "    hint: if you want the built-in list, remove 'help' from the aliases\n"
        "{file}: OK — 1 command (1 also as slash command), language en, prefix '!', 1 warning\n"
    ),
    'help_replaces_builtin': (
        "{file}:2:3: warning: command 'help' replaces the built-in help (the list of every command)\n"
        "    hint: if you want the built-in list, rename this command (e.g. 'guide')\n"
        "{file}: OK — 1 command (1 also as slash command), language en, prefix '!', 1 warning\n"
    ),
    'missing_colon': (
        "{file}:3:5: 'description Правила сервера' has no colon after 'description'\n"
        "    hint: write it as 'description: Правила сервера'\n"
    ),
    'quoted_number_and_boolean': (
        "{file}:5:12: 'slash' in command 'rules' must be true or false, not 'false'\n"
        '    hint: remove the quotes: slash: false\n'
        "{file}:6:22: 'rate' in 'cooldown' of command 'rules' must be a whole number, not '2'\n"
        '    hint: remove the quotes: rate: 2\n'
    ),
    'quoted_text_joined': (
        '{file}:4:11: warning: this text in quotes is written over 2 lines, and YAML joins them into one line\n'
        "    hint: to keep the line breaks, write 'text: |' and the lines below it, indented, without quotes\n"
        "{file}: OK — 1 command (1 also as slash command), language en, prefix '!', 1 warning\n"
    ),
    'scope_server': (
        "{file}:5:41: 'scope' in 'cooldown' of command 'ban_word' is 'server'; allowed: user, channel, guild, global\n"
        "    hint: did you mean 'guild'? (Discord's API calls a server a guild)\n"
    ),
    'stray_bracket': (
        "{file}:4:23: an extra ']' here closes a list that was never opened\n"
        '    hint: remove it: [правила]\n'
    ),
    'text_starts_with_bang': (
        "{file}:4:11: a text starting with '!' must be in quotes (YAML reads '!rules' as a tag)\n"
        '    hint: write it in quotes: "!rules is this command"\n'
    ),
    'type_string': (
        "{file}:6:21: 'type' in argument 'words' of command 'shout' is 'string'; allowed: text, integer, number, boolean, choice, json, list, path, attachment, member, channel\n"
        "    hint: did you mean 'text'?\n"
    ),
    'unclosed_bracket': (
        "{file}:4:14: the list opened with '[' here is not closed\n"
        "    hint: add ']' at its end, on the same line: [правила, r]\n"
    ),
    'unclosed_quote_swallows_lines': (
        '{file}:3:18: the quote (") opened here is not closed\n'
        '    hint: add the closing " at the end of the text, on the same line (for a text over several lines, write \'|\' and the lines below it, indented)\n'
    ),
    'unclosed_quote_then_backslash': (
        '{file}:3:18: the quote (") opened here is not closed\n'
        '    hint: add the closing " at the end of the text, on the same line (for a text over several lines, write \'|\' and the lines below it, indented)\n'
    ),
    'unclosed_quote_then_bang': (
        '{file}:3:18: the quote (") opened here is not closed\n'
        '    hint: add the closing " at the end of the text, on the same line (for a text over several lines, write \'|\' and the lines below it, indented)\n'
    ),
    'unclosed_single_quote_swallows': (
        "{file}:3:18: the quote (') opened here is not closed\n"
        "    hint: add the closing ' at the end of the text, on the same line (for a text over several lines, write '|' and the lines below it, indented)\n"
    ),
    'where_server': (
        "{file}:5:12: 'where' in command 'rules' is 'server'; allowed: any, guild, dm\n"
        "    hint: did you mean 'guild'? (Discord's API calls a server a guild)\n"
    ),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_validate_says_what_the_mistake_is(name, capsys):
    path = WORDS / f"{name}.yaml"
    code = main(["validate", str(path)])
    out, err = capsys.readouterr()
    assert out == EXPECTED[name].replace("{file}", str(path)).replace("{filters}", FILTERS)
    assert "Traceback" not in out + err
    located = re.compile(re.escape(str(path)) + r":\d+:\d+: (?!warning: )")
    errors = [line for line in out.splitlines() if located.match(line)]
    assert code == (1 if errors else 0)


def test_every_case_has_a_file_and_an_expectation():
    assert {p.stem for p in WORDS.glob("*.yaml")} == set(EXPECTED)


def test_validating_a_template_says_to_validate_the_spec(tmp_path, capsys, monkeypatch):
    (tmp_path / "commands.yaml").write_text("commands:\n  hi:\n    description: Say hi\n    reply: hi\n")
    (tmp_path / "templates" / "ru").mkdir(parents=True)
    (tmp_path / "templates" / "ru" / "hi.j2").write_text("{{ user }}, привет!\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["validate", "templates/ru/hi.j2"]) == 1
    out, err = capsys.readouterr()
    assert out == ("templates/ru/hi.j2:1:1: this is a template, not the spec (commands.yaml)\n"
                   "    hint: validate the spec, which checks its templates too: hypotez validate commands.yaml\n")
    assert "Traceback" not in out + err
