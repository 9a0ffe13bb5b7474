"""The broken-spec corpus of templates: each folder in tests/specs/templates/ is a bot with one mistake in
what its templates read (a name, an attribute, a date format) or where they are (another language's
folder), and exactly what `hypotez validate` prints: FILE:LINE:COL: message, and the hint."""

from pathlib import Path

import pytest

from hypotez.cli import main

CASES = Path(__file__).parent / "specs" / "templates"
NAMES = "user, user_id, caller, channel, channel_id, server, server_id, now, date, time, command, prefix, bot, language"
SERVER_HAS = "name, id, member_count, owner, icon, created, description, boosts, boost_level"
DATE_FORMATS = "the formats: short, medium, long, full, or a CLDR pattern such as dd.MM.yyyy"

# case → (exit code, what validate prints; {file} is the spec's path)
EXPECTED = {
    "caller_attribute_typo": (1, (
        "templates/ru/hi.j2:1:19: 'caller' has no 'nmae' (template 'hi' of command 'hi')\n"
        "    hint: did you mean 'name'? ('caller' has: name, display_name, id, mention, roles)\n")),
    "handler_name_typo": (1, (
        "templates/en/hi.j2:2:21: unknown name 'nmae' in template 'hi' of command 'hi'\n"
        f"    hint: did you mean 'name'? (names you can use: {NAMES}; and what the handler gives: name)\n")),
    "loop_attribute_typo": (1, (
        "templates/en/books.j2:3:11: 'book' has no 'titel' (template 'books' of command 'books')\n"
        "    hint: did you mean 'title'? ('book' has: title, author)\n")),
    "inline_handler_text_typo": (1, (
        "{file}:7:11: unknown name 'totl' in the text of command 'books'\n"
        f"    hint: did you mean 'total'? (names you can use: {NAMES}; and what the handler gives: total, books)\n")),
    "server_attribute_unknown": (1, (
        "{file}:10:18: 'server' has no 'members' (the value of field 1 of the embed of command 'serverinfo')\n"
        f"    hint: did you mean 'member_count'? ('server' has: {SERVER_HAS})\n")),
    "text_has_no_attributes": (1, (
        "{file}:6:11: 'user' has no 'id' (the text of command 'whoami', line 2 of the text)\n"
        "    hint: did you mean 'caller.id'? ('user' is a text: it has no attributes to read)\n")),
    "date_format_misspelt": (1, (
        "templates/ru/since.j2:1:54: 'longg' is not a date format (template 'since' of command 'since')\n"
        f"    hint: did you mean 'long'? ('n', 'o' are not date fields; {DATE_FORMATS})\n")),
    "date_format_strftime": (1, (
        "{file}:6:11: '%d.%m.%Y' is not a date format (the text of command 'today')\n"
        f"    hint: strftime's %-codes are not CLDR patterns: write dd.MM.yyyy for 01.12.2026; {DATE_FORMATS}\n")),
    "template_in_other_language_folder": (1, (
        "{file}:6:12: template 'rules' does not exist (templates/ru/rules.j2)\n"
        "    hint: it exists in templates/de/rules.j2, but the bot's language is 'ru' (language: under bot:): "
        "copy or translate it into templates/ru/rules.j2\n")),
    "template_only_in_english": (0, (
        "{file}:7:12: warning: template 'rules' exists only in 'en' (templates/en/rules.j2), not in the bot's "
        "language 'ru': the 'ru' replies use the 'en' text\n"
        "    hint: translate it into templates/ru/rules.j2 (or set language: en under bot:)\n"
        "{file}: OK — 1 command (1 also as slash command), language ru, prefix '!', 1 warning\n")),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_validate_locates_the_template_mistake(name, capsys):
    path = CASES / name / "commands.yaml"
    code, expected = EXPECTED[name]
    assert main(["validate", str(path)]) == code
    out, err = capsys.readouterr()
    assert out == expected.replace("{file}", str(path))
    assert "Traceback" not in out + err


def test_every_case_has_its_expectation():
    assert {p.name for p in CASES.iterdir() if p.is_dir()} == set(EXPECTED)
