"""The events misuse corpus: each spec and exactly what `hypotez validate` prints (FILE:LINE:COL:
message, the hint below it): triggers, member events, reactions, schedules, state, actions, examples."""

import pytest

from hypotez.cli import main

HEAD = 'bot:\n  language: en\ncommands:\n  hi:\n    description: hi\n    text: hi\n'

CASES = {
    'trigger_key_typo': (
        'triggers:\n  t:\n    contians: x\n    text: y\n',
        "{file}:9:5: unknown key 'contians' in trigger 't'\n"
        "    hint: did you mean 'contains'?\n"
    ),
    'trigger_two_modes': (
        'triggers:\n  t:\n    contains: x\n    exact: y\n    text: y\n',
        "{file}:8:3: trigger 't' has 'contains' and 'exact': it needs exactly one\n"
        '    hint: one of: contains, starts_with, exact, regex\n'
    ),
    'trigger_no_mode': (
        'triggers:\n  t:\n    text: y\n',
        "{file}:8:3: trigger 't' says nothing about what to match\n"
        '    hint: one of: contains, starts_with, exact, regex\n'
    ),
    'regex_broken': (
        "triggers:\n  t:\n    regex: '(a'\n    text: y\n",
        '{file}:9:12: the regular expression does not compile: missing ) at position 2\n'
        '    hint: check brackets and backslashes; in YAML, write it in single quotes\n'
    ),
    'trigger_unknown_name': (
        "triggers:\n  t:\n    contains: x\n    text: '{{ usr }}'\n",
        "{file}:10:11: unknown name 'usr' in a trigger's text\n"
        "    hint: did you mean 'user'? (names you can use here: user, user_id, caller, channel, channel_id, server, server_id, now, date, time, prefix, bot, language, state, message, match)\n"
    ),
    'schedule_reads_user': (
        "schedules:\n  s:\n    every: 60\n    channel: general\n    text: 'hi {{ user }}'\n",
        "{file}:11:11: unknown name 'user' in a schedule's text\n"
        "    hint: did you mean 'server'? (names you can use here: channel, channel_id, server, server_id, now, date, time, prefix, bot, language, state, run)\n"
    ),
    'state_key_typo': (
        "state:\n  points: {scope: member, type: counter}\ntriggers:\n  t:\n    contains: x\n    actions: [{increment: points}]\n    text: '{{ state.member.pionts }}'\n",
        "{file}:8:3: warning: state 'points' is never read\n"
        '    hint: show it in a text: {{ state.member.points }}\n'
        "{file}:13:11: unknown state key 'pionts'\n"
        "    hint: did you mean 'points'?\n"
    ),
    'state_scope_mismatch': (
        "state:\n  points: {scope: member, type: counter}\ntriggers:\n  t:\n    contains: x\n    actions: [{increment: points}]\n    text: '{{ state.user.points }}'\n",
        "{file}:13:11: state 'points' is per member, not per user\n"
        '    hint: write state.member.points\n'
    ),
    'increment_a_value': (
        "state:\n  word: {scope: channel}\ntriggers:\n  t:\n    contains: x\n    actions: [{increment: word}]\n    text: '{{ state.channel.word }}'\n",
        "{file}:12:16: state 'word' is a value, not a counter: it cannot be incremented\n"
        "    hint: declare it with 'type: counter', or use 'set'\n"
    ),
    'permission_not_declared': (
        'triggers:\n  t:\n    contains: x\n    actions: [{add_role: Member}]\n',
        "{file}:10:16: 'add_role' needs the bot's 'manage_roles' permission, which is not declared\n"
        "    hint: add 'permissions: [manage_roles]' next to 'actions:'\n"
    ),
    'reaction_nowhere': (
        "reactions:\n  r:\n    emoji: 'x'\n    added: {text: hi, channel: general}\n",
        "{file}:8:3: reaction 'r' names neither a message nor a channel\n"
        "    hint: add 'message: <message id>' or 'channel: <name>'\n"
    ),
    'reaction_role_no_permission': (
        "reactions:\n  r:\n    emoji: 'x'\n    channel: rules\n    role: Verified\n",
        "{file}:11:5: a reaction role needs the bot's 'manage_roles' permission, which is not declared\n"
        "    hint: add 'permissions: [manage_roles]'\n"
    ),
    'cron_invalid': (
        "schedules:\n  s:\n    cron: '0 25 * * *'\n    channel: general\n    text: hi\n",
        "{file}:9:11: '0 25 * * *' is not a cron line\n"
        "    hint: five fields: minute hour day-of-month month day-of-week, e.g. '0 9 * * 1'\n"
    ),
    'timezone_unknown': (
        "schedules:\n  s:\n    cron: '0 9 * * 1'\n    timezone: Europe/Moskow\n    channel: general\n    text: hi\n",
        "{file}:10:15: unknown time zone 'Europe/Moskow'\n"
        "    hint: did you mean 'Europe/Moscow'?\n"
    ),
    'schedule_cron_and_every': (
        "schedules:\n  s:\n    cron: '0 9 * * 1'\n    every: 3600\n    channel: general\n    text: hi\n",
        "{file}:8:3: schedule 's' needs one of 'cron' or 'every'\n"
        "    hint: e.g. cron: '0 9 * * 1' (Mondays at 9:00) or every: 3600 (hourly)\n"
    ),
    'schedule_too_often': (
        'schedules:\n  s:\n    every: 5\n    channel: general\n    text: hi\n',
        "{file}:9:12: 'every' in schedule 's' must be at least 60 (it is 5)\n"
        "    hint: write a number at least 60\n"
    ),
    'join_says_nowhere': (
        "events:\n  member_join:\n    text: 'Welcome {{ member }}'\n",
        "{file}:8:3: 'member_join' says something but not where\n"
        "    hint: add 'channel: <name>' (e.g. welcome) or 'dm: true'\n"
    ),
    'state_key_bad_name': (
        'state:\n  Points: {scope: member, type: counter}\n',
        "{file}:8:3: state key 'Points' is not allowed\n"
        '    hint: state keys are lower-case letters, digits and _, starting with a letter, at most 32 characters\n'
    ),
    'delete_in_member_event': (
        'events:\n  member_join:\n    channel: welcome\n    text: hi\n    actions: [{delete_message: true}]\n    permissions: [manage_messages]\n',
        "{file}:11:16: 'delete_message' needs a message, and a member has none\n"
        '    hint: use it in a trigger or a reaction\n'
    ),
    'state_scope_unknown': (
        'state:\n  points: {scope: guild, type: counter}\n',
        "{file}:8:19: 'scope' in state key 'points' is 'guild'; allowed: user, member, channel, server, global\n"
    ),
    'trigger_template_missing': (
        'triggers:\n  t:\n    contains: x\n    reply: no_such_template\n',
        "{file}:10:12: template 'no_such_template' does not exist (templates/en/no_such_template.j2)\n"
        '    hint: create templates/en/no_such_template.j2\n'
    ),
    'top_of_a_value': (
        "state:\n  word: {scope: channel}\ntriggers:\n  t:\n    contains: x\n    actions: [{set: {key: word, value: x}}]\n    text: '{{ state.top.word }}'\n",
        '{file}:13:11: state.top.word: only counters have a leaderboard\n'
        "    hint: declare it 'type: counter'\n"
    ),
    'schedule_member_state': (
        "state:\n  points: {scope: member, type: counter}\nschedules:\n  s:\n    every: 60\n    channel: general\n    actions: [{increment: points}]\n    text: '{{ state.server.points }}'\n",
        "{file}:13:16: state 'points' is per member, and a schedule has no member\n"
        '    hint: use a key per channel or server or global\n'
        "{file}:14:11: state 'points' is per member, not per server\n"
        '    hint: write state.member.points\n'
    ),
    'example_without_say': (
        'triggers:\n  t:\n    contains: x\n    text: y\n    examples:\n      - expect: y\n',
        "{file}:12:9: the examples of trigger 't' needs a 'say'\n"
        "    hint: add 'say:' under the examples of trigger 't'\n"
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_validate_locates_the_misuse(name, tmp_path, capsys):
    body, expected = CASES[name]
    path = tmp_path / f"{name}.yaml"
    path.write_text(HEAD + body, encoding="utf-8")
    assert main(["validate", str(path)]) == 1
    out, err = capsys.readouterr()
    assert out == expected.replace("{file}", str(path))
    assert "Traceback" not in out + err


def test_unused_state_is_a_warning_not_an_error(tmp_path, capsys):
    path = tmp_path / "commands.yaml"
    path.write_text(HEAD + "state:\n  mood: {scope: server}\n", encoding="utf-8")
    assert main(["validate", str(path)]) == 0
    out, _ = capsys.readouterr()
    assert f"{path}:8:3: warning: state 'mood' is never read" in out
    assert f"{path}:8:3: warning: state 'mood' is never written" in out
    assert "OK — 1 command" in out and "2 warnings" in out
