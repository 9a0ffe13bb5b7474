"""Fuzzing hostile input (hypothesis): argument parsing with every argument type and rule, every
command of the shipped spec driven through discord.py's machinery, and the spec loader on mutated
copies of the shipped spec and on arbitrary template files. A user or spec error is fine — it is
reported — but never an unhandled exception, and never a crash reply."""

from __future__ import annotations

import asyncio
import itertools

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import ROOT

from hypotez.arguments import ConversionContext, bind_text, finish
from hypotez.checks import Cooldowns
from hypotez.declaration.model import ArgumentSpec, CommandSpec, frozen_mapping
from hypotez.errors import SpecError, UserInputError
from hypotez.invocation import ChannelRef, MemberRef
from hypotez.services.datafolder import DataFolder
from hypotez.registry import load_spec_text

SHIPPED = (ROOT / "commands.yaml").read_text(encoding="utf-8")

# Characters that matter to the parser, the converters and the data folder, and some that do not.
PIECES = list(' \t\n"\'«»“”„\\=/.:~%0123456789-_,[]{}()<>@#&`*$|\x00\u202e\ud7ffabcxyzйяё😀') + [
    "..", "%2e", "yes", "no", "true", "null", "1e309", "-0", "data=", "positive=", "{{", "}}", "general", "<@1>"]
HOSTILE = st.lists(st.sampled_from(PIECES), max_size=30).map("".join)

ALL_ARGUMENTS = CommandSpec(name="all", description="d", arguments=(
    ArgumentSpec(name="n", type="integer", required=False, rules=frozen_mapping({"minimum": -5, "maximum": 5})),
    ArgumentSpec(name="x", type="number", required=False, rules=frozen_mapping({"maximum": 1e6})),
    ArgumentSpec(name="b", type="boolean", required=False, default=True),
    ArgumentSpec(name="c", type="choice", required=False, choices=("red", "зелёный", 3)),
    ArgumentSpec(name="j", type="json", required=False,
                 schema=frozen_mapping({"type": "array", "items": {"type": "object"}, "maxItems": 3})),
    ArgumentSpec(name="p", type="path", required=False, kind="file"),
    ArgumentSpec(name="d", type="path", required=False, kind="folder", must_exist=False),
    ArgumentSpec(name="m", type="member", required=False),
    ArgumentSpec(name="ch", type="channel", required=False),
    ArgumentSpec(name="f", type="attachment", required=False),
    ArgumentSpec(name="t", type="text", required=False, rules=frozen_mapping(
        {"pattern": "^[^!]*$", "minLength": 1, "maxLength": 40})),
))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(HOSTILE, st.builds("{}={}".format, st.sampled_from(
    [a.name for a in ALL_ARGUMENTS.arguments] + ["", "zz"]), HOSTILE)), max_size=6).map(" ".join))
def test_any_text_for_every_argument_type_gives_values_or_a_user_error(tmp_path_factory, text):
    folder = DataFolder(tmp_path_factory.getbasetemp() / "fuzz-data").ensure()
    (folder.root / "file.txt").write_text("x")
    context = ConversionContext(
        resolve_path=lambda argument, value: folder.resolve(value, must_exist=argument.must_exist, kind=argument.kind),
        resolve_member=lambda value: MemberRef("1", "ann", "Ann", "<@1>") if value.strip("<@!>") == "1" else None,
        resolve_channel=lambda value: ChannelRef("2", "general", "<#2>") if "general" in value else None,
    )
    try:
        values = finish(ALL_ARGUMENTS, bind_text(ALL_ARGUMENTS, text), context)
    except UserInputError as error:
        assert error.message
    else:
        assert set(values) == {a.name for a in ALL_ARGUMENTS.arguments}
        if values["p"] is not None:
            assert values["p"].is_relative_to(folder.root.resolve())


def test_every_shipped_command_with_any_arguments_answers_without_crashing(tmp_path, hypotez_bot):
    """Through discord.py and the real handlers; cooldowns run on a fast clock so they do not hide
    the commands behind their cooldown reply."""
    (tmp_path / "data" / "datasets").mkdir(parents=True)
    (tmp_path / "data" / "datasets" / "faq.jsonl").write_text((ROOT / "tests/data/model/faq.jsonl").read_text())
    names = sorted({*yaml.safe_load(SHIPPED)["commands"], "help", "отзыв", "исправить", "zzz"})
    loop = asyncio.new_event_loop()
    harness = hypotez_bot(spec=ROOT / "commands.yaml", voice=False)
    clock = itertools.count(0, 1000)
    harness.app.dispatcher.cooldowns = Cooldowns(clock=lambda: float(next(clock)))
    loop.run_until_complete(harness.__aenter__())
    replies = []

    typed_options = ("text", "json", "path", "choice")

    @settings(max_examples=150, deadline=None)
    @given(st.sampled_from(names), HOSTILE, st.booleans())
    def run(name, rest, slash):
        command = harness.app.dispatcher.find(name)
        # Discord itself always sends a slash command's required options: fill them all with the input.
        required = [a for a in command.arguments if a.required] if command else []
        if slash and command and command.slash and command.arguments \
                and all(a.type in typed_options for a in required):
            options = {a.name: rest for a in required} or {command.arguments[0].name: rest}
            if all(command.argument(n).type in typed_options for n in options):
                exchange = loop.run_until_complete(harness.slash(command.name, roles=["Trainer"], **options))
                replies.append((f"/{command.name} {options!r}", exchange))
                return
        exchange = loop.run_until_complete(harness.send(f"!{name} {rest}", roles=["Trainer"]))
        replies.append((f"!{name} {rest!r}", exchange))

    try:
        run()
        loop.run_until_complete(harness.settle(timeout=60))
    finally:
        loop.run_until_complete(harness.__aexit__(None, None, None))
        loop.close()
    assert len(replies) >= 100 and any(typed.startswith("/") for typed, _ in replies)
    for typed, exchange in replies:
        assert exchange.messages, typed  # every command is answered...
        assert "💥" not in exchange.content, (typed, exchange.content)  # ...and none of them crashed


def _mutations(text: str):
    """Small edits of a valid spec: what a person editing it by hand might leave behind."""
    position = st.integers(min_value=0, max_value=len(text))
    piece = st.sampled_from([":", " ", "  ", "\n", "-", "{", "}", "[", "]", '"', "'", "&", "*", "!", "#", "|", ">",
                             "\t", "x", "commands:", "type: integer", "default: 5", "%", "@", "`", "? ", "\ufeff"])
    insert = st.tuples(st.just("insert"), position, piece)
    delete = st.tuples(st.just("delete"), position, st.integers(min_value=1, max_value=40))
    return st.lists(st.one_of(insert, delete), min_size=1, max_size=4)


def _apply(text: str, edits) -> str:
    for kind, at, what in edits:
        at = min(at, len(text))
        text = text[:at] + what + text[at:] if kind == "insert" else text[:at] + text[at + what:]
    return text


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_mutations(SHIPPED))
def test_mutated_shipped_spec_gives_located_problems_never_a_crash(edits):
    text = _apply(SHIPPED, edits)
    try:
        load_spec_text(text, path=ROOT / "commands.yaml", templates_dir=ROOT / "templates", check_handlers=False)
    except SpecError as error:
        assert error.problems
        for problem in error.problems:
            assert problem.line >= 1 and problem.column >= 1 and problem.message


TEMPLATE_SPEC = "bot: {language: en}\ncommands:\n  show:\n    description: shows a template\n    reply: show\n"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(st.binary(max_size=200), st.lists(st.sampled_from(
    list("{}%#-+~|.()[]'\"\n ") + ["{{", "}}", "{%", "%}", "{#", "#}", "for", "endfor", "if", "endif", "raw",
                                   "endraw", "set", "macro", "import", "extends", "include", "x", "7*7"]),
    max_size=40).map(lambda parts: " ".join(parts).encode())))
def test_any_template_file_gives_a_located_problem_never_a_crash(tmp_path_factory, content):
    folder = tmp_path_factory.mktemp("tpl")
    (folder / "templates" / "en").mkdir(parents=True)
    (folder / "templates" / "en" / "show.j2").write_bytes(content)
    try:
        load_spec_text(TEMPLATE_SPEC, path=folder / "commands.yaml", check_handlers=False)
    except SpecError as error:
        assert all(p.line >= 1 and p.column >= 1 and p.message for p in error.problems)


def test_a_template_that_is_not_utf8_is_a_located_problem(tmp_path):
    (tmp_path / "templates" / "en").mkdir(parents=True)
    (tmp_path / "templates" / "en" / "show.j2").write_bytes("привет".encode("cp1251"))
    try:
        load_spec_text(TEMPLATE_SPEC, path=tmp_path / "commands.yaml", check_handlers=False)
    except SpecError as error:
        [problem] = error.problems
        assert (problem.line, problem.column) == (5, 12)
        assert problem.message == "template 'show' is not UTF-8 text (templates/en/show.j2, byte 1): save it as UTF-8"
    else:
        raise AssertionError("a cp1251 template was accepted")
