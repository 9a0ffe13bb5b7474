"""The template files that events, triggers and schedules name (``reply:``) are checked for what they read,
as commands' templates are: every name and attribute is one their event gives (a member event has
``member`` and ``server.member_count``, a schedule has no ``user``), reported at the file's LINE:COL with
"did you mean" and what exists there; ``{% include %}``d files are followed (commands' too); the state
they read is declared and counts as read. Hot reload refuses an edit that reads what does not exist; at
run time a template that fails is logged with its FILE:LINE, and ``state.top`` works in a file."""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap
from pathlib import Path

from hypotez.adapters.discord_reload import attach_reloader
from hypotez.cli import main
from hypotez.reload import Reloader

SPEC = '''
bot:
  language: en
commands:
  hi:
    description: hi
    reply: hi
state:
  points: {scope: member, type: counter}
triggers:
  thanks:
    contains: thank
    actions: [{increment: points}]
    reply: thanks
events:
  member_join:
    channel: welcome
    reply: welcome
schedules:
  daily:
    every: 3600
    channel: general
    reply: daily
'''
GOOD = {
    "hi": "Hi {{ user }}\n",
    "thanks": "Thanks, {{ user }}: {{ state.member.points }}",
    "welcome": "Welcome, {{ member.name }}! We are {{ server.member_count }}.",
    "daily": "Daily news on {{ server }} at {{ run.strftime('%H:%M') }}",
}
SCHEDULE_NAMES = "channel, channel_id, server, server_id, now, date, time, prefix, bot, language, state, run"
MEMBER_NAMES = ("user, user_id, caller, channel, channel_id, server, server_id, now, date, time, prefix, bot, "
                "language, state, member")


def bot_folder(tmp_path: Path, spec: str = SPEC, **templates: str) -> Path:
    folder = tmp_path / "bot"
    (folder / "templates" / "en").mkdir(parents=True)
    (folder / "commands.yaml").write_text(spec, encoding="utf-8")
    for name, text in {**GOOD, **templates}.items():
        (folder / "templates" / "en" / f"{name}.j2").write_text(text, encoding="utf-8")
    return folder


def validate(folder: Path, capsys) -> tuple[int, str]:
    code = main(["validate", str(folder / "commands.yaml")])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out


def test_the_good_templates_pass(tmp_path, capsys):
    code, out = validate(bot_folder(tmp_path), capsys)
    assert code == 0, out
    assert "never read" not in out


def test_a_member_events_attribute_typo_is_located_with_what_the_member_has(tmp_path, capsys):
    folder = bot_folder(tmp_path, welcome="Welcome,\n  {{ member.nmae }}!")
    code, out = validate(folder, capsys)
    assert code == 1
    assert out.startswith(
        "templates/en/welcome.j2:2:13: 'member' has no 'nmae' (template 'welcome' of the member_join event)\n"
        "    hint: did you mean 'name'? ('member' has: id, name, display_name, roles, mention)\n")


def test_a_schedules_template_cannot_read_a_user(tmp_path, capsys):
    code, out = validate(bot_folder(tmp_path, daily="Daily for {{ user }}"), capsys)
    assert code == 1
    assert out.startswith(
        "templates/en/daily.j2:1:14: unknown name 'user' in template 'daily' of schedule 'daily'\n"
        f"    hint: did you mean 'server'? (names you can use: {SCHEDULE_NAMES})\n")


def test_a_trigger_template_reading_what_a_message_has_not(tmp_path, capsys):
    code, out = validate(bot_folder(tmp_path, thanks="{{ state.member.points }} {{ message.nmae }} {{ match.text }}"),
                         capsys)
    assert code == 1
    assert out.startswith(
        "templates/en/thanks.j2:1:38: 'message' has no 'nmae' (template 'thanks' of trigger 'thanks')\n"
        "    hint: 'message' is a text: it has no attributes to read\n")


async def test_a_trigger_knows_how_many_members_the_server_has(tmp_path, hypotez_bot):
    folder = bot_folder(tmp_path, thanks="{{ user }} thanks all {{ server.member_count }} of {{ server }}")
    async with hypotez_bot(spec=folder / "commands.yaml", model=False, voice=False) as bot:
        assert (await bot.send("thank you")).content == "ann thanks all 2 of Test Server"


def test_an_included_file_is_followed_and_its_mistake_located_in_it(tmp_path, capsys):
    folder = bot_folder(tmp_path, welcome='Welcome, {{ member }}!\n{% include "footer.j2" %}',
                        hi='Hi!\n{% include "footer.j2" %}\n{% include "signature.j2" %}',
                        footer="-- {{ bot }}, {{ usr }}")
    code, out = validate(folder, capsys)
    assert code == 1
    assert ("templates/en/hi.j2:3:13: the included template 'signature.j2' does not exist (template 'hi' of "
            "command 'hi')\n    hint: check its name: includes are looked up in templates/<language>/ and "
            "templates/\n") in out
    assert ("templates/en/footer.j2:1:18: unknown name 'usr' in template 'hi' of command 'hi'\n"
            "    hint: did you mean 'user'?") in out
    assert ("templates/en/footer.j2:1:18: unknown name 'usr' in template 'welcome' of the member_join event\n"
            f"    hint: did you mean 'user'? (names you can use: {MEMBER_NAMES})\n") in out


def test_state_read_only_in_a_template_file_counts_as_read(tmp_path, capsys):
    spec = SPEC.replace("  points: {scope: member, type: counter}",
                        "  points: {scope: member, type: counter}\n  mood: {scope: server}")
    spec = spec.replace("    actions: [{increment: points}]",
                        "    actions: [{increment: points}, {set: {key: mood, value: good}}]")
    folder = bot_folder(tmp_path, spec, daily="{{ state.server.mood }} at {{ run }}")
    code, out = validate(folder, capsys)
    assert code == 0, out
    assert "never read" not in out
    (folder / "templates" / "en" / "daily.j2").write_text("at {{ run }}", encoding="utf-8")
    code, out = validate(folder, capsys)
    assert code == 0 and "warning: state 'mood' is never read" in out  # the same spec without the read


def test_state_a_template_file_reads_is_checked_where_it_is_read(tmp_path, capsys):
    folder = bot_folder(tmp_path, thanks="{{ state.member.pionts }}", daily="{{ state.member.points }}")
    code, out = validate(folder, capsys)
    assert code == 1
    assert ("templates/en/daily.j2:1:4: state.member.points: a schedule has no member "
            "(template 'daily' of schedule 'daily')\n") in out
    assert ("templates/en/thanks.j2:1:4: unknown state key 'pionts' (template 'thanks' of trigger 'thanks')\n"
            "    hint: did you mean 'points'?\n") in out
    assert "state 'points' is never read" not in out  # the schedule's read counts, though it is wrong there


def test_a_commands_template_file_reading_state_counts_and_is_checked(tmp_path, capsys):
    folder = bot_folder(tmp_path, thanks="thanks", hi="Hi, you have {{ state.member.points }}")
    code, out = validate(folder, capsys)
    assert code == 0 and "never read" not in out, out
    (folder / "templates" / "en" / "hi.j2").write_text("{{ state.user.points }}", encoding="utf-8")
    code, out = validate(folder, capsys)
    assert code == 1
    assert out.startswith("templates/en/hi.j2:1:4: state 'points' is per member, not per user "
                          "(template 'hi' of command 'hi')\n    hint: write state.member.points\n")


def test_the_declaration_stage_imports_no_jinja_even_for_a_spec_with_events(tmp_path):
    folder = bot_folder(tmp_path)
    code = textwrap.dedent(f"""
        import sys
        from hypotez.declaration.loader import load_declaration
        declaration = load_declaration({str(folder / "commands.yaml")!r})
        assert declaration.event_texts.templates, "the events' templates are listed for the registry"
        print(sorted(m for m in sys.modules if m.split('.')[0] == 'jinja2'))
    """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


async def test_hot_reload_refuses_an_event_template_reading_an_unknown_name(tmp_path, hypotez_bot, caplog):
    folder = bot_folder(tmp_path)
    welcome = folder / "templates" / "en" / "welcome.j2"
    async with hypotez_bot(spec=folder / "commands.yaml", model=False, voice=False) as bot:
        bot.text_channel("welcome")
        bot.reloader = Reloader(bot.app, folder / "commands.yaml", display_name="commands.yaml")
        attach_reloader(bot.bot, bot.reloader)
        assert (await bot.join("zoe")).content == "Welcome, zoe! We are 3."

        welcome.write_text("Hello {{ member.nmae }}", encoding="utf-8")
        result = await bot.reloader.reload()
        assert not result.ok
        [problem] = result.problems
        assert (problem.file, problem.line, problem.column) == ("templates/en/welcome.j2", 1, 17)
        assert problem.message == "'member' has no 'nmae' (template 'welcome' of the member_join event)"
        assert (await bot.join("kai")).content == "Welcome, kai! We are 4."  # the old template

        welcome.write_text("Hello {{ member.name }}", encoding="utf-8")
        assert (await bot.reloader.reload()).ok
        assert (await bot.join("lea")).content == "Hello lea"
        assert "Traceback" not in caplog.text


async def test_a_template_failing_at_run_time_is_logged_with_its_file_and_line(tmp_path, hypotez_bot, caplog):
    folder = bot_folder(tmp_path, thanks="Thanks!\n{{ message.split()[5] }}")
    caplog.set_level(logging.ERROR, logger="hypotez.events")
    async with hypotez_bot(spec=folder / "commands.yaml", model=False, voice=False) as bot:
        assert (await bot.send("thank you")).content == ""
        assert "templates/en/thanks.j2:2: " in caplog.text
        assert "its template 'thanks' failed" in caplog.text
        assert "Traceback" not in caplog.text


async def test_state_top_works_in_a_template_file(tmp_path, hypotez_bot):
    folder = bot_folder(tmp_path, thanks="{% for r in state.top.points %}{{ r.name }} {{ r.value }}; {% endfor %}")
    async with hypotez_bot(spec=folder / "commands.yaml", model=False, voice=False) as bot:
        assert (await bot.send("thanks")).content == "ann 1;"
        await bot.send("thank you", author="bob", user_id=4_000_000_000_000_002)
        assert (await bot.send("thanks!")).content == "ann 2; bob 1;"


def test_an_attribute_a_text_written_in_the_spec_reads_is_checked_too(tmp_path, capsys):
    spec = SPEC.replace("    reply: welcome", "    text: 'Welcome, {{ member.nmae }}! {{ member.nmae }}'")
    code, out = validate(bot_folder(tmp_path, spec), capsys)
    assert code == 1
    assert out == (f"{tmp_path / 'bot' / 'commands.yaml'}:18:11: 'member' has no 'nmae' (a member's text)\n"
                   "    hint: did you mean 'name'? ('member' has: id, name, display_name, roles, mention)\n")
