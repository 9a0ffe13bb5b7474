"""Every name and attribute a template reads is checked by `validate` — in template files and in texts
written in the spec, for commands with handlers too (against the data the handler declares with its
return annotation) — and a template that still fails at run time gets the short bad_reply answer with
its FILE:LINE in the log, never a traceback. The shipped bot's templates are checked against the
shipped handlers."""

import logging
import shutil
import textwrap
from pathlib import Path

import pytest

from support import ROOT

from hypotez.cli import main
from hypotez.registry import load_registry
from hypotez.errors import SpecError


def shipped_copy(tmp_path):
    """The shipped bot (commands.yaml, templates/, handlers/) in a folder of its own, to edit."""
    folder = tmp_path / "bot"
    folder.mkdir()
    shutil.copy(ROOT / "commands.yaml", folder / "commands.yaml")
    shutil.copytree(ROOT / "templates", folder / "templates")
    shutil.copytree(ROOT / "handlers", folder / "handlers")
    return folder


def validate(path, capsys):
    code = main(["validate", str(path)])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out


def test_the_shipped_templates_pass_against_the_shipped_handlers(tmp_path, capsys):
    folder = shipped_copy(tmp_path)
    assert validate(folder / "commands.yaml", capsys)[0] == 0


@pytest.mark.parametrize("language", ["ru", "en"])
def test_misspelt_names_in_a_shipped_handler_template_are_found_at_their_line(tmp_path, capsys, language):
    folder = shipped_copy(tmp_path)
    hi = folder / "templates" / language / "hi.j2"
    hi.write_text("Привет, {{ caller.nmae }}!\n{{ server.membr_count }} {{ nmae }}\n", encoding="utf-8")
    code, out = validate(folder / "commands.yaml", capsys)
    assert code == 1
    file = f"templates/{language}/hi.j2"
    assert out.splitlines() == [
        f"{file}:1:19: 'caller' has no 'nmae' (template 'hi' of command 'hi')",
        "    hint: did you mean 'name'? ('caller' has: name, display_name, id, mention, roles)",
        f"{file}:2:11: 'server' has no 'membr_count' (template 'hi' of command 'hi')",
        "    hint: did you mean 'member_count'? ('server' has: name, id, member_count, owner, icon, created, "
        "description, boosts, boost_level)",
        f"{file}:2:29: unknown name 'nmae' in template 'hi' of command 'hi'",
        "    hint: did you mean 'name'? (names you can use: user, user_id, caller, channel, channel_id, server, "
        "server_id, now, date, time, command, prefix, bot, language; and what the handler gives: name)",
    ]


def test_what_server_holds_now_passes(tmp_path, capsys):
    folder = shipped_copy(tmp_path)
    (folder / "templates" / "ru" / "hi.j2").write_text(
        "{{ server.member_count }} {{ server.owner.mention }} {{ server.created | date }} {{ channel.mention }}",
        encoding="utf-8")
    assert validate(folder / "commands.yaml", capsys)[0] == 0


def test_attributes_of_loop_variables_follow_the_handlers_declared_data(tmp_path, capsys):
    folder = shipped_copy(tmp_path)
    path = folder / "templates" / "ru" / "feedback_latest.j2"
    path.write_text(path.read_text(encoding="utf-8").replace("f.user", "f.usr"), encoding="utf-8")
    code, out = validate(folder / "commands.yaml", capsys)
    assert code == 1
    assert out.splitlines() == [
        "templates/ru/feedback_latest.j2:3:18: 'f' has no 'usr' (template 'feedback_latest' of command 'feedback')",
        "    hint: did you mean 'user'? ('f' has: id, user, text, created)",
    ]


SCOPING = '''
bot: {language: en}
commands:
  tour:
    description: Jinja's own names are not mistakes
    arguments:
      who: {type: text, required: false}
    reply: tour
'''

TOUR = """\
{% set greeting = "Hi" %}{% set ns = namespace(count=0) %}
{% macro shout(text, loud=true) %}{{ text | upper }}{{ varargs }}{% endmacro %}
{% for role in caller.roles %}{{ loop.index }}. {{ role.upper() }}{% set ns.count = ns.count + 1 %}{% endfor %}
{% with place = channel %}{{ place.mention }}{% endwith %}
{{ shout(greeting) }} {{ who if who is defined else "" }} {{ missing | default("-") }}
{% if later is defined %}{{ later }}{% endif %} {{ server.owner.display_name }} {{ now.year }}
{% for i in range(3) %}{{ i }}{% else %}none{% endfor %} {{ (caller.roles | first) }}
{% macro box() %}[{{ caller() }}]{% endmacro %}{% call box() %}{{ user }}{% endcall %}
{% filter upper %}{{ user }}{% endfilter %} {{ [1, 2] | map('string') | join }} {{ {'a': 1}.a }}
{{ caller['name'] }} {{ caller.roles[0] if caller.roles else '' }} {% set a, b = 1, 2 %}{{ a }}{{ b }}
{{ server.created | date('d MMMM y') }} {{ now | date('full') }} {{ server.owner.mention }}
"""


async def test_sets_loops_macros_with_and_guarded_names_are_understood(tmp_path, hypotez_bot):
    (tmp_path / "templates" / "en").mkdir(parents=True)
    (tmp_path / "templates" / "en" / "tour.j2").write_text(TOUR)
    (tmp_path / "commands.yaml").write_text(SCOPING)
    load_registry(tmp_path / "commands.yaml")  # no problem
    async with hypotez_bot(spec=tmp_path / "commands.yaml", model=False, voice=False) as bot:
        answer = (await bot.send("!tour", roles=["Mod"])).content
    assert "HI" in answer and "1. MOD" in answer and "[ann]" in answer and "⚠️" not in answer


def problems_of(tmp_path, spec, files):
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(textwrap.dedent(text))
    (tmp_path / "commands.yaml").write_text(textwrap.dedent(spec))
    with pytest.raises(SpecError) as raised:
        load_registry(tmp_path / "commands.yaml")
    return [(p.file, p.line, p.column, p.message, p.hint) for p in raised.value.problems]


HANDLERS = '''
from typing import TypedDict
from hypotez import Response

class Entry(TypedDict):
    title: str

class Listing(TypedDict):
    entries: list[Entry]
    total: int

async def listing(invocation) -> Response[Listing]:
    return Response(data={"entries": [{"title": "a"}], "total": 1})

async def anything(invocation):
    return {"free": 1}
'''


def test_inline_texts_of_commands_with_handlers_are_checked_too(tmp_path):
    found = problems_of(tmp_path, '''
        bot: {language: en}
        commands:
          books:
            description: list
            handler: names_handlers_a:listing
            text: "{{ totl }} {% for e in entries %}{{ e.titel }}{% endfor %}"
          free:
            description: anything
            handler: names_handlers_a:anything
            text: "{{ free }} {{ caller.nmae }}"
        ''', {"names_handlers_a.py": HANDLERS})
    assert [(Path(file).name, *rest) for file, *rest in found] == [
        ("commands.yaml", 7, 11, "'e' has no 'titel' (the text of command 'books')",
         "did you mean 'title'? ('e' has: title)"),
        ("commands.yaml", 7, 11, "unknown name 'totl' in the text of command 'books'",
         "did you mean 'total'? (names you can use: user, user_id, caller, channel, channel_id, server, server_id, "
         "now, date, time, command, prefix, bot, language; and what the handler gives: entries, total)"),
        # A handler that does not declare its data may give any name; the scope's attributes are still known.
        ("commands.yaml", 11, 11, "'caller' has no 'nmae' (the text of command 'free')",
         "did you mean 'name'? ('caller' has: name, display_name, id, mention, roles; if the handler gives a "
         "'caller' of its own, declare it: -> Response[YourData])"),
    ]


async def test_a_name_missing_at_run_time_gets_bad_reply_with_the_templates_line_in_the_log(hypotez_bot, caplog):
    # The handler declares nothing, so `validate` cannot know `count` is never given.
    spec = "bot: {language: ru, languages: [ru, en]}\ncommands:\n  stats:\n    description: s\n" \
           "    handler: names_handlers_b:anything\n    reply: stats\n"
    files = {"names_handlers_b.py": HANDLERS, "templates/ru/stats.j2": "Всего:\n{{ count + 1 }}",
             "templates/en/stats.j2": "Total: {{ count }}"}
    async with hypotez_bot(spec=spec, files=files, model=False, voice=False) as bot:
        with caplog.at_level(logging.ERROR):
            reply = (await bot.send("!stats")).content
    assert reply == ("⚠️ Ответ `!stats` нельзя отправить в Discord (в его шаблоне ошибка). Это записано в журнал "
                     "для администраторов бота; попробуйте позже.")
    [record] = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert record.getMessage() == ("templates/ru/stats.j2:2: the answer of command 'stats' cannot be sent: "
                                   "'count' is undefined")
    assert record.exc_info is None and "Traceback" not in caplog.text


async def test_an_inline_text_failing_at_run_time_names_the_command_line(hypotez_bot, caplog):
    spec = "bot: {language: en}\ncommands:\n  free:\n    description: f\n" \
           "    handler: names_handlers_c:anything\n    text: \"{{ free }} {{ nothing.here }}\"\n"
    async with hypotez_bot(spec=spec, files={"names_handlers_c.py": HANDLERS}, model=False, voice=False) as bot:
        with caplog.at_level(logging.ERROR):
            reply = (await bot.send("!free")).content
    assert reply.startswith("⚠️ The answer of `!free` cannot be sent to Discord: its template has a mistake.")
    [record] = [r for r in caplog.records if r.levelno >= logging.ERROR]
    location, _, rest = record.getMessage().partition(": ")
    assert location.endswith("commands.yaml:3:3") and record.exc_info is None
    assert rest == "the answer of command 'free' cannot be sent: 'nothing' is undefined"


async def test_a_progress_template_failing_at_run_time_leaves_a_note_and_the_job_goes_on(tmp_path, hypotez_bot, caplog):
    from support import FAQ

    folder = shipped_copy(tmp_path)
    # Passes validate (every name exists), fails when rendered: a number plus a text.
    (folder / "templates" / "ru" / "train_progress.j2").write_text("⏳ {{ progress + '%' }}", encoding="utf-8")
    async with hypotez_bot(spec=folder / "commands.yaml", voice=False) as bot:
        with caplog.at_level(logging.ERROR):
            reply = await bot.send("!train", attachments=[("faq.jsonl", FAQ.read_bytes(), "application/json")],
                                   roles=["Trainer"])
            job = reply.messages[0].content.split("`")[1]
            await bot.settle()
        progress, result = bot.sent[-2:]
    assert progress.content == (f"⚠️ Ход задачи `{job}` не показать: в её шаблоне ошибка (где — записано в журнале "
                                "бота). Задача продолжается.")
    assert result.content.startswith(f"✅ Обучение `{job}` завершено")
    assert "templates/ru/train_progress.j2:1: the answer of command 'train' cannot be sent" in caplog.text
    assert "Traceback" not in caplog.text


def test_every_shipped_handler_declares_the_data_its_templates_read():
    from hypotez.registry.handler_data import handler_data

    registry = load_registry(ROOT / "commands.yaml")
    undeclared = [dotted for dotted, function in registry.handlers.items()
                  if handler_data(function) is None and dotted != "hypotez.builtin_commands:help_command"]
    assert undeclared == []


def test_the_ways_a_handler_says_what_it_gives():
    from typing import TypedDict

    from hypotez import Response
    from hypotez.registry.handler_data import handler_data

    class A(TypedDict):
        a: int

    class B(TypedDict):
        b: str

    async def one(invocation) -> Response[A]: ...
    async def either(invocation) -> Response[A] | Response[B]: ...
    async def inside(invocation) -> Response[A | B]: ...
    async def plain(invocation) -> A: ...
    async def nothing(invocation) -> None: ...
    async def bare(invocation) -> Response: ...
    async def silent(invocation): ...
    async def mapping(invocation) -> dict: ...

    assert handler_data(one) == {"a": int}
    assert handler_data(either) == handler_data(inside) == {"a": int, "b": str}
    assert handler_data(plain) == {"a": int} and handler_data(nothing) == {}
    assert handler_data(bare) is handler_data(silent) is handler_data(mapping) is None
