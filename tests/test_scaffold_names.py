"""`hypotez new command NAME` accepts a name exactly when validate accepts the same command written by
hand (one rule, hypotez.declaration.names), Cyrillic names included, and the new command answers."""

import pytest

from hypotez.cli import main

HEAD = "bot:\n  language: en\n{slash}commands:\n  hi:\n    description: Say hi\n    text: hi\n"
NAMES = ["погода", "Погода", "server_info", "say hi", "x" * 40, "правила-сервера", "ok.go"]


def _hand_written(folder, name, slash):
    spec = folder / "hand" / "commands.yaml"
    spec.parent.mkdir(parents=True)
    spec.write_text(HEAD.format(slash=slash) + f'  "{name}":\n    description: New\n    text: answer\n',
                    encoding="utf-8")
    return main(["validate", str(spec)])


def _scaffolded(folder, name, slash):
    spec = folder / "new" / "commands.yaml"
    spec.parent.mkdir(parents=True)
    spec.write_text(HEAD.format(slash=slash), encoding="utf-8")
    return main(["new", "command", name, "--spec", str(spec)])


@pytest.mark.parametrize("slash", ["", "  slash: false\n"])
@pytest.mark.parametrize("name", NAMES)
def test_new_command_accepts_what_a_hand_written_command_may_be_called(tmp_path, capsys, name, slash):
    by_hand = _hand_written(tmp_path, name, slash)
    capsys.readouterr()
    new = _scaffolded(tmp_path, name, slash)
    out, err = capsys.readouterr()
    assert (by_hand == 0) == (new == 0), (name, out, err)
    assert "Traceback" not in out + err


def test_a_capitalised_name_gets_its_lower_case_form(tmp_path, capsys):
    assert _scaffolded(tmp_path, "Погода", "") == 1
    err = capsys.readouterr().err
    assert "'Погода' cannot be a slash command name: Discord allows 1-32 lower-case letters, digits, - and _" in err
    assert "write it in lower case: погода" in err


async def test_a_cyrillic_command_made_by_new_command_answers(tmp_path, hypotez_bot, capsys):
    assert _scaffolded(tmp_path, "погода", "") == 0
    async with hypotez_bot(spec=tmp_path / "new" / "commands.yaml", model=False, voice=False) as harness:
        reply = await harness.send("!погода")
    assert reply.content.startswith("This is the answer of `!погода`")
