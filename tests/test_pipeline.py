"""The pipeline, adapter-independent: Request → checks → arguments → handler → template → OutgoingMessage."""

import logging

import pytest
from support import no_service

from hypotez.app import build_app, build_services
from hypotez.invocation import Author, Place
from hypotez.pipeline import Request
from hypotez.registry import load_spec

HANDLERS = '''
from hypotez import Response

async def echo(inv, words, times=1):
    return {"said": " ".join([words] * times)}

async def boom(inv):
    raise RuntimeError("kaboom")

async def pick(inv, which):
    return Response(data={"x": 1}, template=which)

async def nothing(inv):
    return {}

async def chat(inv):
    return Response(data={"heard": inv.content}, prompt=inv.content)
'''

SPEC = '''
bot:
  prefix: "?"
  language: en
  messages:
    handler: pipeline_handlers:chat
    reply: heard
commands:
  echo:
    description: Say it back
    handler: pipeline_handlers:echo
    reply: said
    arguments:
      words: {type: text}
      times: {type: integer, default: 1, minimum: 1, maximum: 3}
  boom:
    description: Always fails
    handler: pipeline_handlers:boom
    reply: said
  pick:
    description: Picks an outcome
    handler: pipeline_handlers:pick
    reply: {a: said}
    arguments:
      which: {type: text}
  broken:
    description: Template refers to a variable its handler does not give
    handler: pipeline_handlers:nothing
    reply: needs_var
  static:
    description: Answers from its template alone
    reply: static
  ping:
    description: The same text for everyone, from a template
    reply: pong
  hello:
    description: The same text for everyone, written in the spec
    text: Hello there
  coin:
    description: One of two texts
    text: [Heads, Tails]
  included:
    description: A template that includes another, which reads the user
    handler: pipeline_handlers:nothing
    reply: includes_part
  slow_ping:
    description: The same text, but at most once a minute
    reply: pong
    cooldown: {rate: 1, per: 60}
'''


@pytest.fixture
def app(tmp_path):
    folder = tmp_path / "bot"
    (folder / "templates" / "en").mkdir(parents=True)
    (folder / "pipeline_handlers.py").write_text(HANDLERS)
    (folder / "commands.yaml").write_text(SPEC)
    templates = folder / "templates" / "en"
    (templates / "said.j2").write_text("{{ user }} said: {{ said | default('') }}")
    (templates / "heard.j2").write_text("heard: {{ heard }}")
    (templates / "needs_var.j2").write_text("{{ nowhere_defined }}")
    (templates / "static.j2").write_text("static reply for {{ user }} in {{ channel }}")
    (templates / "pong.j2").write_text("pong\n")
    (templates / "includes_part.j2").write_text("{{ plural(2, 'hi', 'hello') }}, {% include 'part.j2' %}")
    (templates / "part.j2").write_text("{{ user }}")
    spec = load_spec(folder / "commands.yaml")
    application = build_app(spec, build_services(spec, tmp_path / "data", model_factory=no_service,
                                                 voice_factory=no_service))
    yield application
    application.services.storage.close()


def request(content, **kwargs):
    author = kwargs.pop("author", Author(id="1", name="ann"))
    place = kwargs.pop("place", Place(channel_id="10", channel_name="general", guild_id="100", guild_name="srv"))
    return Request(author=author, place=place, content=content, **kwargs)


async def test_command_runs_its_handler_and_template(app):
    reply = await app.dispatcher.handle_message(request("?echo hello there times=2"))
    assert reply.text == "ann said: hello there hello there"
    assert not reply.is_error


async def test_user_text_that_looks_like_a_template_is_shown_not_evaluated(app):
    reply = await app.dispatcher.handle_message(request("?echo {{ 7*7 }} {% raw %}"))
    assert reply.text == "ann said: {{ 7*7 }} {% raw %}"


async def test_rule_violation_is_a_user_error_with_usage(app):
    reply = await app.dispatcher.handle_message(request("?echo hi times=9"))
    assert reply.is_error
    assert "times" in reply.text and "at most 3" in reply.text
    assert "?echo <words> [times]" in reply.text


async def test_handler_crash_is_logged_and_answered_briefly(app, caplog):
    with caplog.at_level(logging.ERROR, logger="hypotez.pipeline"):
        reply = await app.dispatcher.handle_message(request("?boom"))
    assert reply.is_error
    assert "Something went wrong" in reply.text and "kaboom" not in reply.text
    assert any("kaboom" in (r.exc_text or "") or r.exc_info for r in caplog.records)
    # the bot keeps going
    again = await app.dispatcher.handle_message(request("?echo still here"))
    assert again.text == "ann said: still here"


async def test_undeclared_outcome_is_an_internal_error(app, caplog):
    reply = await app.dispatcher.handle_message(request("?pick b"))
    assert reply.is_error
    assert "no reply template for outcome 'b'" in caplog.text


async def test_template_error_is_an_internal_error(app, caplog):
    reply = await app.dispatcher.handle_message(request("?broken"))
    assert reply.is_error
    assert "nowhere_defined" in caplog.text


async def test_command_without_handler_answers_from_template(app):
    reply = await app.dispatcher.handle_message(request("?static"))
    assert reply.text == "static reply for ann in general"


async def test_unknown_command_suggests_the_closest(app):
    reply = await app.dispatcher.handle_message(request("?ecko hi"))
    assert reply.is_error and "?echo" in reply.text


async def test_plain_message_goes_to_the_conversation_handler(app):
    reply = await app.dispatcher.handle_message(request("how are you?"))
    assert reply.text == "heard: how are you?"
    assert reply.prompt == "how are you?"


async def test_prefix_alone_is_not_a_command(app):
    reply = await app.dispatcher.handle_message(request("? what"))
    assert reply.text == "heard: ? what"


async def test_conversational_answers_are_remembered_for_corrections(app):
    req = request("remember me")
    reply = await app.dispatcher.handle_message(req)
    await app.dispatcher.remember(reply, req, "555")
    stored = await app.services.storage.find_answer("555", tenant="100")  # the server it was given on
    assert stored.prompt == "remember me" and stored.answer == "heard: remember me"


async def test_command_replies_are_not_remembered(app):
    req = request("?echo not an answer")
    reply = await app.dispatcher.handle_message(req)
    await app.dispatcher.remember(reply, req, "557")
    assert await app.services.storage.find_answer("557", tenant="100") is None


async def test_error_replies_are_not_remembered(app):
    req = request("?boom")
    reply = await app.dispatcher.handle_message(req)
    await app.dispatcher.remember(reply, req, "556")
    assert await app.services.storage.find_answer("556", tenant="100") is None


# --- static replies: the same text for everyone, answered without building an invocation ---------


@pytest.mark.parametrize("name, text", [("ping", "pong"), ("hello", "Hello there")])
async def test_a_plain_text_command_is_answered_statically(app, name, text):
    command = app.dispatcher.find(name)
    assert app.dispatcher.static_reply(command, None, "").text == text
    assert (await app.dispatcher.handle_message(request(f"?{name}"))).text == text


@pytest.mark.parametrize("name, given", [
    ("static", ""),  # its template reads the user and the channel
    ("coin", ""),  # a random pick each time
    ("slow_ping", ""),  # a cooldown counts every use
    ("echo", "hi"),  # a handler
    ("ping", "extra words"),  # an argument it does not take: the user must hear so
])
async def test_only_answers_that_depend_on_nothing_are_static(app, name, given):
    assert app.dispatcher.static_reply(app.dispatcher.find(name), None, given) is None


async def test_a_static_command_still_refuses_arguments_it_does_not_take(app):
    reply = await app.dispatcher.handle_message(request("?ping extra words"))
    assert reply.is_error and "?ping" in reply.text


async def test_a_static_command_with_a_cooldown_still_counts_uses(app):
    assert (await app.dispatcher.handle_message(request("?slow_ping"))).text == "pong"
    assert (await app.dispatcher.handle_message(request("?slow_ping"))).is_error


async def test_a_servers_first_message_reads_its_language_before_any_static_reply(app, tmp_path):
    await app.services.storage.set_guild_language("100", "en")
    # Another app on the same data folder, as after a restart: the language is in the database only.
    restarted = build_app(app.spec, build_services(app.spec, tmp_path / "data", model_factory=no_service,
                                                   voice_factory=no_service))
    try:
        command = restarted.dispatcher.find("ping")
        assert restarted.dispatcher.static_reply(command, "100", "") is None
        assert (await restarted.dispatcher.handle_message(request("?ping"))).text == "pong"
        assert restarted.dispatcher.static_reply(command, "100", "").text == "pong"
    finally:
        restarted.services.storage.close()


# --- templates that read only the handler's data are rendered without gathering the rest -----------


def test_the_renderer_knows_what_a_self_contained_template_reads(app):
    renderer = app.dispatcher.renderer
    assert renderer.reads("heard", "en") == {"heard"}
    assert renderer.reads("said", "en") == {"user", "said"}
    assert renderer.reads("includes_part", "en") is None  # what part.j2 reads is not counted: unknown


async def test_templates_get_the_user_and_channel_whenever_they_may_read_them(app):
    assert (await app.dispatcher.handle_message(request("?included"))).text == "hello, ann"
    assert (await app.dispatcher.handle_message(request("?echo hi"))).text == "ann said: hi"
    assert (await app.dispatcher.handle_message(request("just talking"))).text == "heard: just talking"
