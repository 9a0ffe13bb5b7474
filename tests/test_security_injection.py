"""Template injection: what users type is data for the templates, never template source. Jinja syntax
and attribute walks to `__class__`/`__globals__`/`__subclasses__` in arguments and in messages come
back as the same text, unevaluated — through the real commands, by message and by slash command. And
the sandbox holds when a spec's own template tries them."""

from __future__ import annotations

import json

import pytest

TRAINER = {"roles": ["Trainer"]}

PAYLOADS = [
    "{{ 7*7 }}",
    "{{7*'7'}}",
    "{% for x in range(3) %}{{ x }}{% endfor %}",
    "{% set x = 'pwned' %}{{ x }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{{ lipsum.__globals__['os'].environ }}",
    "{{ self.__init__.__globals__.__builtins__ }}",
    "{{ request|attr('__class__') }}",
    "{% raw %}{{ config }}{% endraw %}",
    "{# comment #}${7*7} #{7*7} %(user)s {0.__class__} {user}",
]
# What an evaluated payload would have produced (looked for in the reply once the payloads are taken out).
EVALUATED = ["49", "7777777", "012", "pwned", "<class", "uid=", "environ(", "HOME", "__builtins__':"]


def assert_shown_verbatim(text: str, payloads: list[str] = PAYLOADS) -> None:
    rest = text
    for payload in payloads:
        assert payload in text, (payload, text)
        rest = rest.replace(payload, "")
    for sign in EVALUATED:
        assert sign not in rest, (sign, text)


async def test_feedback_with_template_syntax_is_listed_as_text(bot):
    joined = " | ".join(PAYLOADS)
    assert "Записал" in (await bot.send(f"!feedback {joined}", user_id=1)).content
    assert_shown_verbatim((await bot.send("!feedback", user_id=2)).content)


async def test_slash_feedback_with_template_syntax_is_listed_as_text(bot):
    await bot.slash("feedback", feedback_text=" | ".join(PAYLOADS), user_id=1)
    assert_shown_verbatim((await bot.slash("feedback", user_id=2)).content)


async def test_conversational_message_and_its_correction_show_template_syntax_as_text(bot):
    question = " ".join(PAYLOADS[:6])
    answer = await bot.send(question)
    assert "Я пока не знаю" in answer.content
    correction = " ".join(PAYLOADS[6:])
    saved = await bot.send(f"!correct {answer.messages[0].id} {correction}", **TRAINER)
    assert saved.content.startswith("✅ Исправление №1 записано.")
    assert_shown_verbatim(saved.content)
    stored = await bot.services_of().storage.corrections()
    assert (stored[0].prompt, stored[0].correction) == (question, correction)


async def test_a_model_answer_with_template_syntax_is_shown_as_text(bot):
    dataset = "\n".join(json.dumps({"prompt": f"вопрос номер {n}", "completion": payload}, ensure_ascii=False)
                        for n, payload in enumerate(PAYLOADS))
    await bot.send("!train", attachments=[("t.jsonl", dataset.encode(), None)], **TRAINER)
    await bot.settle()
    for n, payload in enumerate(PAYLOADS):
        assert (await bot.send(f"вопрос номер {n}")).content == payload


@pytest.mark.parametrize("command", ["!help", "!test", "!getfile", "!correct"])
async def test_error_replies_quote_template_syntax_as_text(bot, command):
    payload = "{{7*7}}{{''.__class__}}"
    reply = await bot.send(f"{command} {payload}", **TRAINER)
    assert "49" not in reply.content and "<class" not in reply.content
    assert "💥" not in reply.content  # a clear user error, not a crash


async def test_unknown_command_with_template_syntax_is_quoted(bot):
    reply = await bot.send("!{{7*7}}")
    assert "49" not in reply.content and "{{7*7}}" in reply.content


# --- the sandbox, when a spec's own template tries it ----------------------------------------

ATTACKS = {
    "mro": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "globals": "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "lipsum": "{{ lipsum.__globals__['os'].popen('id').read() }}",
    "builtins": "{{ self.__init__.__globals__.__builtins__['__import__']('os').popen('id').read() }}",
    "format": "{{ '{0.__class__.__mro__}'.format(user) }}",
    "mutate": "{% set l = [] %}{{ l.append(1) }}{{ l }}",
    "attr": "{{ (user|attr('__class__')).__base__.__subclasses__() }}",
    "module": "{{ range.__self__.open('/etc/passwd').read() }}",
}

SPEC = """
bot: {{language: en}}
commands:
{commands}
"""


@pytest.fixture
async def attacked(tmp_path, hypotez_bot):
    (tmp_path / "templates" / "en").mkdir(parents=True)
    for name, source in ATTACKS.items():
        (tmp_path / "templates" / "en" / f"{name}.j2").write_text(source)
    commands = "\n".join(f"  {name}:\n    description: tries {name}\n    reply: {name}" for name in ATTACKS)
    (tmp_path / "commands.yaml").write_text(SPEC.format(commands=commands))
    async with hypotez_bot(spec=tmp_path / "commands.yaml", model=False, voice=False) as harness:
        yield harness


@pytest.mark.parametrize("name", sorted(ATTACKS))
async def test_the_sandbox_refuses_attribute_walks_in_templates(attacked, name, caplog):
    reply = await attacked.send(f"!{name}")
    # The sandbox refuses the walk; the template's author is told in the log, the person gets bad_reply.
    assert reply.content.startswith(f"⚠️ The answer of `!{name}` cannot be sent to Discord: its template has a "
                                    "mistake."), reply.content
    assert f"templates/en/{name}.j2:1: the answer of command '{name}' cannot be sent" in caplog.text
    for sign in ("<class", "uid=", "root:", "subclasses", "__", "[1]"):
        assert sign not in reply.content
