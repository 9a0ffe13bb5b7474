"""The broken-spec corpus: each file in tests/specs/broken/ and exactly what `hypotez validate` prints.

Every expected line is FILE:LINE:COL: message, with the hint below it where one helps."""

import subprocess
import sys
from pathlib import Path

import pytest

from hypotez.cli import main

BROKEN = Path(__file__).parent / "specs" / "broken"

EXPECTED = {
    'alias_bomb': (
        '{file}:1:1: the file expands to more than 200000 values (through aliases?)\n'
        '    hint: a spec this large is a mistake: check the anchors (&) and aliases (*)\n'
    ),
    'alias_clash_across_commands': (
        "{file}:6:3: command name 'hello' is already an alias of command 'hi' (line 5)\n"
        '    hint: every command name and alias must be unique: rename one of them\n'
    ),
    'alias_repeats_own_name': (
        "{file}:5:20: 'hi' is listed twice for command 'hi'\n"
        '    hint: remove the repeated alias\n'
    ),
    'aliases_as_string': (
        "{file}:5:14: 'aliases' in command 'hi' must be a list ([a, b] or '- item' lines), not 'hello'\n"
        '    hint: write it as a list: [hello]\n'
    ),
    'arguments_as_list': (
        "{file}:6:7: 'arguments' in command 'say' must be a mapping (key: value lines), not a list\n"
        "    hint: write 'name: value' lines here, not '- item' lines\n"
    ),
    'bad_indentation': (
        '{file}:4:4: this line is indented differently from every key above it\n'
        "    hint: this line is indented by 3 spaces, which lines it up with no key above: indent it by 4 spaces "
        "like 'description:' (line 3) or by 2 spaces like 'hi:' (line 2)\n"
    ),
    'choice_without_choices': (
        "{file}:6:21: argument 'color' of command 'pick' is a choice but lists no choices\n"
        "    hint: add 'choices: [a, b, c]'\n"
    ),
    'cooldown_per_zero': (
        "{file}:5:30: 'per' in 'cooldown' of command 'hi' must be greater than 0 (it is 0)\n"
        '    hint: write a number greater than 0, e.g. per: 60\n'
    ),
    'cooldown_rate_text': (
        "{file}:5:22: 'rate' in 'cooldown' of command 'hi' must be a whole number, not 'often'\n"
        '    hint: write a whole number, e.g. rate: 3\n'
    ),
    'default_fails_rule': (
        "{file}:6:51: the default of argument 'sides' fails its own rules: must be at least 2 (got 1)\n"
        '    hint: change the default or the rules\n'
    ),
    'default_wrong_type': (
        "{file}:6:39: the default of argument 'sides' fails its own rules: 'many' is not a whole number\n"
        '    hint: change the default or the rules\n'
    ),
    'description_too_long': (
        "{file}:3:18: the description of slash command 'hi' is 139 characters; Discord allows 100\n"
        "    hint: shorten it (put the long text under 'help:'), or set 'slash: false'\n"
    ),
    'duplicate_argument': (
        "{file}:7:7: duplicate key 'words' (first written on line 6)\n"
        '    hint: YAML keeps only the last one: remove or rename one of them\n'
    ),
    'duplicate_command_key': (
        "{file}:4:5: duplicate key 'description' (first written on line 3)\n"
        '    hint: YAML keeps only the last one: remove or rename one of them\n'
    ),
    'duplicate_top_key': (
        "{file}:5:1: duplicate key 'commands' (first written on line 1)\n"
        '    hint: YAML keeps only the last one: remove or rename one of them\n'
    ),
    'empty_value': (
        "{file}:3:17: 'description' in command 'hi' must be a text, not nothing (an empty value)\n"
        '    hint: the value is empty: write it after the colon, or remove the line\n'
    ),
    'handler_function_missing': (
        "{file}:5:14: module 'spec_handlers' has no function 'helo'\n"
        "    hint: did you mean 'spec_handlers:hello'?\n"
    ),
    'handler_module_missing': (
        "{file}:5:14: handler module 'no_such_module' cannot be found (no_such_module is missing)\n"
        '    hint: a handler module is a .py file beside the spec, named by its path: handlers/feedback.py is '
        'handler: handlers.feedback:hi (modules here: spec_handlers)\n'
    ),
    'handler_module_renamed': (
        "{file}:5:14: handler module 'hypotez.builtins' cannot be found (hypotez.builtins is missing)\n"
        '    hint: hypotez.builtins is now called hypotez.builtin_commands: write handler: '
        'hypotez.builtin_commands:language\n'
    ),
    'handler_needs_undeclared': (
        "{file}:5:14: handler 'spec_handlers:needs_extra' needs a parameter 'extra' that the spec does not declare\n"
        "    hint: declare an argument 'extra' for this command, or give the parameter a default\n"
    ),
    'handler_not_async': (
        "{file}:5:14: handler 'spec_handlers:not_async' must be an 'async def' function\n"
        '    hint: write it as: async def name(invocation, ...)\n'
    ),
    'handler_path_malformed': (
        "{file}:5:14: 'handler' in command 'hi' has the wrong form: 'spec_handlers.hello'\n"
        "    hint: write it as 'module.path:function', e.g. 'handlers.general:hi'\n"
    ),
    'handler_rejects_argument': (
        "{file}:5:14: handler 'spec_handlers:takes_words' does not accept the declared argument 'text'\n"
        "    hint: add a parameter 'text' to the function, or remove the argument from the spec\n"
        "{file}:5:14: handler 'spec_handlers:takes_words' needs a parameter 'words' that the spec does not declare\n"
        "    hint: declare an argument 'words' for this command, or give the parameter a default\n"
    ),
    'invalid_regex': (
        "{file}:6:36: 'pattern' is not a valid regular expression: unterminated character set at position 0\n"
        "    hint: fix the pattern (a Python regular expression): every [ and ( must close; to match a '[' or "
        "'(' itself write '\\[' or '\\(', in single quotes\n"
    ),
    'list_document': (
        "{file}:1:1: the spec must be a mapping with 'bot:' and 'commands:' sections, not a list\n"
        "    hint: start the file with 'commands:' (see the README for an example)\n"
    ),
    'many_problems': (
        "{file}:3:3: unknown key 'langauge' in 'bot'\n"
        "    hint: did you mean 'language'?\n"
        "{file}:6:5: unknown key 'descripton' in command 'hi'\n"
        "    hint: did you mean 'description'?\n"
        "{file}:12:21: 'type' in argument 'sides' of command 'roll' is 'integr'; allowed: text, integer, number, boolean, choice, json, list, path, attachment, member, channel\n"
        "    hint: did you mean 'integer'?\n"
    ),
    'missing_description': (
        "{file}:2:3: command 'hi' needs a 'description'\n"
        "    hint: add 'description:' under command 'hi'\n"
    ),
    'only_comments': (
        '{file}:1:1: the spec is empty\n'
        "    hint: start with 'commands:' and at least one command (see the README)\n"
    ),
    'path_open_to_anyone': (
        "{file}:7:7: argument 'file' of command 'show' names a path in the data folder, and anyone may run "
        "'show': anyone could read the data folder through it\n"
        "    hint: add 'permissions:' to the argument (e.g. permissions: {roles: [Trainer]}) or to the command\n"
    ),
    'required_after_optional': (
        "{file}:7:7: required argument 'words' comes after optional argument 'loud' in command 'say'\n"
        '    hint: put required arguments first, so they can be typed without names\n'
    ),
    'required_with_default': (
        "{file}:6:46: argument 'sides' is required but has a default\n"
        "    hint: remove 'required: true' (a default makes it optional) or remove the default\n"
    ),
    'rule_not_applicable': (
        "{file}:6:30: 'maxLength' only applies to text arguments (this one is integer)\n"
        "    hint: for a number, write 'maximum:'\n"
    ),
    'scalar_document': (
        "{file}:1:1: the spec must be a mapping with 'bot:' and 'commands:' sections, not 'just some words'\n"
        "    hint: start the file with 'commands:' (see the README for an example)\n"
    ),
    'slash_name_space': (
        "{file}:2:3: command name 'say hi' is not allowed\n"
        '    hint: a command name is one word without spaces (at most 64 characters), e.g. say_hi\n'
    ),
    'slash_name_upper': (
        "{file}:2:3: 'Hello' cannot be a slash command name: Discord allows 1-32 lower-case letters, digits, - and _\n"
        "    hint: write it in lower case: hello, or set 'slash: false' for this command\n"
    ),
    'tabs': (
        '{file}:3:1: YAML syntax error: found character that cannot start any token (while scanning for the next token)\n'
        '    hint: YAML does not allow tabs for indentation: indent with spaces\n'
    ),
    'template_does_not_compile': (
        "{file}:4:12: template 'broken_syntax' does not compile: unexpected '}' (templates/en/broken_syntax.j2, line 1)\n"
        '    hint: check the {{ }} and {% %} pairs on that line: every one that opens must close\n'
    ),
    'template_missing': (
        "{file}:4:12: template 'okk' does not exist (templates/en/okk.j2)\n"
        "    hint: did you mean 'ok'?\n"
    ),
    'too_many_arguments': (
        "{file}:5:5: slash command 'many' has 26 arguments; Discord allows 25\n"
        "    hint: remove some, or set 'slash: false'\n"
    ),
    'too_many_choices': (
        "{file}:6:29: argument 'color' has 30 choices; slash commands allow 25\n"
        "    hint: keep 25 or fewer, or set 'slash: false' for this command\n"
    ),
    'unclosed_double_quote': (
        '{file}:3:18: the quote (") opened here is not closed\n'
        '    hint: add the closing " at the end of the text, on the same line (for a text over several lines, '
        "write '|' and the lines below it, indented)\n"
    ),
    'unclosed_single_quote': (
        "{file}:3:18: the quote (') opened here is not closed\n"
        "    hint: add the closing ' at the end of the text, on the same line (for a text over several lines, "
        "write '|' and the lines below it, indented)\n"
    ),
    'unknown_argument_type': (
        "{file}:6:21: 'type' in argument 'sides' of command 'roll' is 'integr'; allowed: text, integer, number, boolean, choice, json, list, path, attachment, member, channel\n"
        "    hint: did you mean 'integer'?\n"
    ),
    'unknown_discord_permission': (
        "{file}:6:17: 'manage_server' in 'permissions' of command 'hi' is not a Discord permission name\n"
        "    hint: did you mean 'manage_guild'?\n"
    ),
    'unknown_key_typo': (
        "{file}:3:5: unknown key 'descripton' in command 'hi'\n"
        "    hint: did you mean 'description'?\n"
    ),
    'unknown_top_level': (
        "{file}:1:1: unknown key 'bots' in the top level\n"
        "    hint: did you mean 'bot'?\n"
    ),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_validate_locates_the_problem(name, capsys):
    path = BROKEN / f"{name}.yaml"
    assert main(["validate", str(path)]) == 1
    out, err = capsys.readouterr()
    assert out == EXPECTED[name].replace("{file}", str(path))
    assert "Traceback" not in out + err
    assert err.strip().endswith("found")


def test_the_corpus_is_large_enough():
    assert len(EXPECTED) >= 35
    assert {p.stem for p in BROKEN.glob("*.yaml")} == set(EXPECTED)


def test_several_problems_are_all_reported_in_order(capsys):
    path = BROKEN / "many_problems.yaml"
    main(["validate", str(path)])
    lines = [l for l in capsys.readouterr().out.splitlines() if not l.startswith("    hint")]
    positions = [tuple(int(n) for n in l.split(":")[1:3]) for l in lines]
    assert len(positions) == 3 and positions == sorted(positions)


def run_validate(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "hypotez", "validate", str(path)], capture_output=True,
                          text=True, timeout=60)


def test_through_a_real_process(tmp_path):
    result = run_validate(BROKEN / "unknown_key_typo.yaml")
    assert result.returncode == 1
    assert "unknown_key_typo.yaml:3:5: unknown key 'descripton' in command 'hi'" in result.stdout
    assert "hint: did you mean 'description'?" in result.stdout
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("content, expected", [
    (b"", "{file}:1:1: the spec is empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe", "{file}:1:1: the file is not UTF-8 text (byte 0x89)"),
    (b"commands:\n  hi:\n    description: a\x00b\n", "{file}:3:19: the file contains a NUL byte"),
    (b"commands:\n  hi:\n    description: caf\xe9\n", "{file}:3:21: the file is not UTF-8 text (byte 0xe9)"),
    (b"commands:\n  hi:\n    description: bell \x07\n", "{file}:3:23: character U+0007 is not allowed in YAML"),
])
def test_files_that_are_not_yaml_text(tmp_path, capsys, content, expected):
    path = tmp_path / "spec.yaml"
    path.write_bytes(content)
    assert main(["validate", str(path)]) == 1
    out, err = capsys.readouterr()
    assert out.splitlines()[0] == expected.format(file=path)
    assert "Traceback" not in out + err


def test_a_ten_megabyte_file_is_refused_quickly(tmp_path, capsys):
    path = tmp_path / "huge.yaml"
    path.write_bytes(b"commands:\n" + b"  # padding padding padding padding padding padding padding\n" * 170_000)
    assert path.stat().st_size > 10_000_000
    assert main(["validate", str(path)]) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"{path}:1:1: the file is 10.")
    assert "a spec may be at most 2 MB" in out


def test_missing_file_is_a_usage_error(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "nope.yaml")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_a_folder_is_a_usage_error(tmp_path, capsys):
    assert main(["validate", str(tmp_path)]) == 2
    assert "is a folder" in capsys.readouterr().err


def test_unknown_option_is_a_usage_error(capsys):
    assert main(["validate", "--bogus"]) == 2
    assert "unrecognized arguments" in capsys.readouterr().err
