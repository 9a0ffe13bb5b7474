"""The events' console directives in a real subprocess: what they play and what they say when misused."""

import subprocess
import sys

SPEC = '''
bot:
  name: consolebot
  language: en
commands:
  hi:
    description: Say hi
    text: hi
state:
  seen: {scope: member, type: counter}
triggers:
  seen:
    contains: seen
    actions: [{increment: seen}]
    text: "seen {{ state.member.seen }}"
events:
  member_join:
    dm: true
    text: "Hello {{ member }}, member {{ server.member_count }}"
'''


def console(tmp_path, lines, spec=SPEC):
    (tmp_path / "commands.yaml").write_text(spec, encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "hypotez", "console", "--data", str(tmp_path / "data")],
                            input="".join(line + "\n" for line in lines), capture_output=True, text=True,
                            cwd=tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_directives_and_their_misuse(tmp_path):
    out = console(tmp_path, [":join Ann", ":clock soon", ":react", "seen it", ":help"])
    assert out[:4] == ["(direct message to Ann) Hello Ann, member 2",
                       "(console) :clock +TIME, e.g. :clock +90, :clock +45m, :clock +2h, :clock +1d",
                       "(console) :react EMOJI [MESSAGE ID]",
                       "seen 1"]
    assert any(":join NAME" in line for line in out[4:]), "help lists the events' directives"


def test_state_and_the_clock_survive_a_restart(tmp_path):
    assert console(tmp_path, ["seen", ":clock +1h"]) == ["seen 1"]
    assert console(tmp_path, ["seen"]) == ["seen 2"]
    offset = float((tmp_path / "data" / ".hypotez" / "console_clock").read_text())
    assert offset == 3600.0


def test_a_spec_without_events(tmp_path):
    plain = "bot:\n  language: en\ncommands:\n  hi:\n    description: hi\n    text: hi\n"
    assert console(tmp_path, [":join Bob", "!hi"], plain) == ["(console) the spec declares no events", "hi"]
