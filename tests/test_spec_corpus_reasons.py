"""`hypotez validate` checks a spec's own reason texts (templates/<lang>/reasons.yaml): each folder in
tests/specs/reasons/ is a spec with one catalog, and exactly what validate prints about it, located in
the catalog as FILE:LINE:COL (FILE named as the spec was given)."""

import json
from pathlib import Path

import pytest

from hypotez.cli import main
from hypotez.reasons import Reason, Reasons
from hypotez.registry import load_spec

CORPUS = Path(__file__).parent / "specs" / "reasons"
RU = "{dir}/templates/ru/reasons.yaml"
EN = "{dir}/templates/en/reasons.yaml"

# case → (exit code, what validate prints; the OK line of a spec with warnings only is left out)
EXPECTED = {
    "unknown_key": (0,
        f"{RU}:3:3: warning: unknown reason key 'path.parnet'; this text is never shown\n"
        "    hint: did you mean 'path.parent'?\n"),
    "unknown_group": (0,
        f"{RU}:1:1: warning: unknown group of reasons 'argumnet'; this text is never shown\n"
        "    hint: did you mean 'argument'?\n"),
    "group_as_text": (0,
        f"{RU}:1:1: warning: 'path' is a group of reasons, not one reason\n"
        "    hint: write its reasons' keys under it, e.g. 'path:' then '  empty: text'\n"),
    "unknown_placeholder": (1,
        f"{RU}:2:16: the text of reason 'argument.not_integer' uses the unknown placeholder {{valeu}}\n"
        "    hint: did you mean {value}?\n"),
    "missing_placeholders": (1,
        f"{RU}:2:12: the text of reason 'rule.maximum' leaves out the placeholders {{limit}}, {{value}}\n"
        "    hint: the English text is 'must be at most {limit} (got {value})'\n"),
    "english_override": (1,
        f"{EN}:2:11: the text of reason 'path.parent' uses the unknown placeholder {{dots}}\n"
        "    hint: this reason has no placeholders; the English text is \"'..' is not allowed; the path must "
        "stay inside the data folder\"\n"),
    "bad_plural": (1,
        f"{RU}:2:14: the text of reason 'rule.maxLength' cannot pick a plural form: "
        "{limit:plural:one=символа|fewer=символов}: 'fewer=символов' names no CLDR plural category "
        "(zero, one, two, few, many, other)\n"
        "    hint: write each form as category=word, e.g. {n:plural:one=файл|few=файла|many=файлов}, or give "
        "the forms in order: {n:plural:файл|файла|файлов}\n"),
    "bad_brace": (1,
        f"{RU}:2:10: the text of reason 'path.empty' is not a valid format string: Single '{{' encountered in "
        "format string\n"
        "    hint: write a literal brace twice ({{ or }}); a placeholder is a name in braces, like {value}\n"),
    "list_as_text": (1,
        f"{RU}:2:10: the text of reason 'path.empty' must be a text, not a list\n"
        "    hint: the English text is 'the path is empty'\n"),
    "not_a_mapping": (1,
        f"{RU}:1:1: a reasons catalog must be a mapping of reason keys to texts, not a list\n"
        "    hint: write nested 'key: text' lines, as in hypotez/builtin_templates/en/reasons.yaml\n"),
    "not_yaml": (1,
        f'{RU}:2:10: the quote (") opened here is not closed\n'
        '    hint: add the closing " at the end of the text, on the same line (for a text over several lines, '
        "write '|' and the lines below it, indented)\n"),
    "duplicate_key": (1,
        f"{RU}:3:3: duplicate key 'empty' (first written on line 2)\n"
        "    hint: YAML keeps only the last one: remove or rename one of them\n"),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_validate_locates_the_problem_in_the_catalog(name, capsys):
    spec = CORPUS / name / "commands.yaml"
    code, expected = EXPECTED[name]
    assert main(["validate", str(spec)]) == code
    out, err = capsys.readouterr()
    lines = [line for line in out.splitlines(keepends=True) if not line.startswith(f"{spec}: OK")]
    assert "".join(lines) == expected.replace("{dir}", str(spec.parent))
    assert "Traceback" not in out + err


def test_every_case_in_the_corpus_is_checked():
    assert {p.name for p in CORPUS.iterdir() if p.is_dir()} == set(EXPECTED) | {"valid"}


def test_a_valid_override_in_both_languages_is_quiet_and_used(capsys):
    spec = CORPUS / "valid" / "commands.yaml"
    assert main(["validate", str(spec)]) == 0
    assert capsys.readouterr().out == f"{spec}: OK — 1 command (1 also as slash command), language ru, prefix '!'\n"
    loaded = load_spec(spec)
    reasons = Reasons(loaded.templates_dir, loaded.settings.languages)
    assert reasons.catalog("ru").render(Reason("rule.maximum", limit=3, value=5)) == "не больше 3, а тут 5"
    assert reasons.catalog("en").render(Reason("argument.not_integer", value="x")) == "'x': a whole number, please"


def test_a_catalog_named_relative_to_the_spec_as_given_and_in_json(capsys, monkeypatch):
    monkeypatch.chdir(CORPUS / "unknown_placeholder")
    assert main(["validate", "commands.yaml", "--format", "json"]) == 1
    [problem] = json.loads(capsys.readouterr().out)
    assert problem == {"file": "templates/ru/reasons.yaml", "line": 2, "column": 16, "severity": "error",
                       "message": "the text of reason 'argument.not_integer' uses the unknown placeholder {valeu}",
                       "hint": "did you mean {value}?"}


def test_a_catalog_that_is_not_text_is_located_in_it(tmp_path, capsys):
    (tmp_path / "templates" / "en").mkdir(parents=True)
    (tmp_path / "commands.yaml").write_text("commands:\n  hi:\n    description: Say hi\n    text: Hi!\n")
    (tmp_path / "templates" / "en" / "reasons.yaml").write_bytes(b"path:\n  empty: caf\xe9\n")
    assert main(["validate", str(tmp_path / "commands.yaml")]) == 1
    assert capsys.readouterr().out.splitlines()[0] == \
        f"{tmp_path}/templates/en/reasons.yaml:2:13: the file is not UTF-8 text (byte 0xe9)"
