"""The broken-spec corpus of issue 13 (tests/specs/broken/words/): YAML mistakes in plain words at the
line of the mistake, warnings for the silent traps, hints that say what to write. Each case asserts
exactly what `hypotez validate` prints: FILE:LINE:COL, the message and the hint."""

from pathlib import Path

import pytest

from hypotez.cli import main

WORDS = Path(__file__).parent / "specs" / "broken" / "words"

EXPECTED = {
    'apostrophe_in_single_quotes': (
        "{file}:3:22: the apostrophe in 'Don't…' ends the text quoted with '…'\n"
        '    hint: write the apostrophe twice: description: \'Don\'\'t spam\', or use double quotes: description: "Don\'t spam"\n'
    ),
    'backslash_in_double_quotes': (
        '{file}:4:14: \'\\U\' inside "…" starts an escape sequence: a backslash is special in double quotes\n'
        "    hint: use single quotes, where a backslash is just a backslash: text: 'C:\\Users\\bot\\logs' (or write each backslash twice)\n"
    ),
    'colon_in_text': (
        "{file}:3:18: this text contains ': ', which YAML reads as the start of a new key\n"
        '    hint: put the whole text in quotes: description: "Rules: be kind"\n'
    ),
    'curly_quotes': (
        "{file}:3:18: “…” are typographic quotes, which YAML does not read as quotes, so the ': ' inside starts a new key\n"
        '    hint: put the whole text in straight quotes: description: "“Rules: be kind”"\n'
    ),
    'missing_colon': (
        "{file}:3:5: 'description Правила сервера' has no colon after 'description'\n"
        "    hint: write it as 'description: Правила сервера'\n"
    ),
    'stray_bracket': (
        "{file}:4:23: an extra ']' here closes a list that was never opened\n"
        '    hint: remove it: [правила]\n'
    ),
    'text_starts_with_bang': (
        "{file}:4:11: a text starting with '!' must be in quotes (YAML reads '!rules' as a tag)\n"
        '    hint: write it in quotes: "!rules is this command"\n'
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
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_validate_says_what_the_mistake_is(name, capsys):
    path = WORDS / f"{name}.yaml"
    code = main(["validate", str(path)])
    out, err = capsys.readouterr()
    assert out == EXPECTED[name].replace("{file}", str(path))
    assert "Traceback" not in out + err
    errors = [line for line in out.splitlines() if line.startswith(str(path)) and ": warning: " not in line]
    assert code == (1 if errors else 0)


def test_every_case_has_a_file_and_an_expectation():
    assert {p.stem for p in WORDS.glob("*.yaml")} == set(EXPECTED)
