"""`hypotez new command`, `hypotez docs --html` and `hypotez validate --format json|github`."""

import json
import shutil
from pathlib import Path

import pytest
from support import ROOT

from hypotez.cli import main

# Comments, an anchor, a block scalar, a section after `commands:`, Windows line endings and no final
# line break: all of it must survive `new command` byte for byte.
ODD_SPEC = ("# my bot\r\ncommands:\r\n    hi:   # greeting\r\n        description: Say hi\r\n"
            "        text: |\r\n            Hi {{ user }}!\r\n            Welcome.\r\n\r\n"
            "# settings come last in this file\r\nbot:\r\n    language: en\r\n    languages: [en, ru]"
            "  # trailing comment")


def new_command(spec: Path, name: str) -> int:
    return main(["new", "command", name, "--spec", str(spec)])


@pytest.fixture
def odd(tmp_path):
    (tmp_path / "commands.yaml").write_bytes(ODD_SPEC.encode())
    return tmp_path / "commands.yaml"


def test_new_command_inserts_an_entry_and_keeps_every_other_byte(odd, capsys):
    assert new_command(odd, "rules") == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"added command 'rules' to {odd} (line 9)"
    assert out[1] == "created templates/en/rules.j2, templates/ru/rules.j2"
    assert out[2] == f"{odd}: OK — 2 commands"
    new = odd.read_bytes()
    start = new.index(b"    rules:")
    end = new.index(b"# settings come last")
    assert new[:start] + new[end:] == ODD_SPEC.encode()[:start] + ODD_SPEC.encode()[start:]
    entry = new[start:end].decode()
    assert "\n" not in entry.replace("\r\n", "")  # the file's own line endings
    assert entry.splitlines()[0] == "    rules:  # added by `hypotez new command`: edit it, then check with " \
                                    "`hypotez validate`"
    assert "        description: What !rules does (one line, shown in help)" in entry
    assert "        # permissions: {roles: [Moderator]}" in entry
    assert (odd.parent / "templates" / "ru" / "rules.j2").read_text().startswith("{# Ответ на !rules.")
    assert main(["validate", str(odd)]) == 0


async def test_the_new_command_answers_at_once(odd, tmp_path, hypotez_bot):
    assert new_command(odd, "rules") == 0
    async with hypotez_bot(spec=odd, model=False, voice=False) as bot:
        assert (await bot.send("!rules")).content == \
            "This is the answer of `!rules`, ann. Change it in templates/en/rules.j2."


def test_new_command_on_the_shipped_spec_adds_after_the_last_command(tmp_path, capsys):
    shutil.copy(ROOT / "commands.yaml", tmp_path / "commands.yaml")
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    original = (tmp_path / "commands.yaml").read_bytes()
    assert new_command(tmp_path / "commands.yaml", "server_rules") == 0
    new = (tmp_path / "commands.yaml").read_bytes()
    assert new.startswith(original + b"\n  server_rules:  # added by")
    assert "description: Что делает !server_rules" in new.decode()


def test_new_command_refuses_clearly_and_changes_nothing(odd, capsys):
    before = odd.read_bytes()
    assert new_command(odd, "hi") == 1
    assert new_command(odd, "Bad Name") == 1
    assert new_command(odd, "help") == 1
    err = capsys.readouterr().err
    assert "hypotez: 'hi' is already a command (line 3)\nchoose another name" in err
    assert ("hypotez: command name 'Bad Name' is not allowed\na command name is one word without spaces (at most "
            "64 characters), e.g. server_info or погода") in err
    assert "hypotez: 'help' is hypotez's own command" in err
    assert odd.read_bytes() == before
    assert not (odd.parent / "templates").exists()


def test_new_command_refuses_a_spec_that_is_already_broken(tmp_path, capsys):
    spec = tmp_path / "commands.yaml"
    spec.write_text("commands:\n  hi:\n    descripton: x\n")
    assert new_command(spec, "rules") == 1
    err = capsys.readouterr().err
    assert f"has problems already; fix them first (hypotez validate {spec}):\n{spec}:3:5: unknown key" in err
    assert spec.read_text() == "commands:\n  hi:\n    descripton: x\n"
    spec.write_text("commands: {hi: {description: x, text: hi}}\n")
    assert new_command(spec, "rules") == 1
    assert "are written on one line ({...})" in capsys.readouterr().err


def test_docs_html_is_one_escaped_page_with_every_command(capsys):
    assert main(["docs", "--html", "--spec", str(ROOT / "commands.yaml")]) == 0
    page = capsys.readouterr().out
    assert page.startswith("<!doctype html>\n<html lang=\"ru\">")
    for name in ("hi", "train", "language", "select_dataset", "help"):
        assert f'<section id="{name}">' in page
    # in the bot's language (the shipped bot is Russian)
    assert "<p>Как вызвать: <code>!select_dataset &lt;path_to_dir_positive&gt; [positive=yes|no]</code>" in page
    assert "<td><code>feedback_text</code></td><td>текст</td><td>нет</td><td></td><td>maxLength: 1500</td>" in page
    assert "<p>Кто может вызвать: права administrator (только на серверах)</p>" in page
    assert "<p>Ограничение: 3 за 60 с на пользователя</p>" in page
    assert "<pre>!feedback бот отвечает слишком медленно\n!feedback</pre>" in page


def test_docs_markdown_and_html_say_the_same(capsys):
    main(["docs", "--spec", str(ROOT / "commands.yaml")])
    markdown = capsys.readouterr().out
    main(["docs", "--html", "--spec", str(ROOT / "commands.yaml")])
    page = capsys.readouterr().out
    assert markdown.count("\n## ") == page.count("<section ")
    assert "Как вызвать: `!language [language]` (или `/language`)" in markdown


BROKEN = ("bot:\n  language: en\ncommands:\n  hi:\n    descripton: Say hi\n  yo:\n    description: Yo\n"
          "    text: 'Yo {{ usr }}, 100%'\n")


def test_validate_json_is_one_document(tmp_path, capsys):
    spec = tmp_path / "commands.yaml"
    spec.write_text(BROKEN)
    assert main(["validate", "--format", "json", str(spec)]) == 1
    problems = json.loads(capsys.readouterr().out)
    assert [(p["line"], p["column"], p["severity"]) for p in problems] == [(5, 5, "error"), (8, 11, "error")]
    assert problems[0]["message"] == "unknown key 'descripton' in command 'hi'"
    assert problems[0]["hint"] == "did you mean 'description'?"
    assert main(["validate", "--format", "json", str(ROOT / "commands.yaml")]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_validate_github_annotations_are_escaped(tmp_path, capsys):
    spec = tmp_path / "my,spec.yaml"
    spec.write_text(BROKEN)
    assert main(["validate", "--format", "github", str(spec)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    file = str(spec).replace(",", "%2C")
    assert lines[0] == (f"::error file={file},line=5,col=5,title=hypotez validate::unknown key 'descripton' in "
                        "command 'hi'%0Ahint: did you mean 'description'?")
    assert lines[1].startswith(f"::error file={file},line=8,col=11,title=hypotez validate::unknown name 'usr' in "
                               "the text of command 'yo'%0Ahint: did you mean 'user'?")


def test_the_readme_ci_example_validates_the_shipped_spec(capsys, monkeypatch):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    [command] = [line.strip().removeprefix("- run: ") for line in readme.splitlines()
                 if line.strip().startswith("- run: hypotez validate")]
    assert command == "hypotez validate commands.yaml --format github"
    monkeypatch.chdir(ROOT)
    assert main(command.split()[1:]) == 0
    assert capsys.readouterr().out == ""  # no annotations: nothing to fix
