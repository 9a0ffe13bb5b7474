"""Replies reach the user whatever their text, and no answer floods a channel: through discord.py's
real machinery (BotHarness) on the shipped commands.yaml, prefix and slash, and in the console.

* Long answers with code fences are split and sent (the splitter used to loop forever on them,
  freezing the bot for everyone).
* An answer is at most five messages; a longer one is a text file with a short message saying so.
* A reply Discord does not take (an upload answered with a server error) is explained to the user in a
  message of text alone.
"""

import json
import subprocess
import sys

from deadline import deadline
from support import ROOT, TEMPLATES, english_spec

from hypotez.outgoing import MAX_MESSAGES
from hypotez.text import DISCORD_LIMIT, FENCE

SPEC = ROOT / "commands.yaml"
TRAINER = {"roles": ["Trainer"]}


def assert_sendable(messages) -> None:
    assert messages, "nothing was sent"
    for message in messages:
        assert message.content.strip()
        assert len(message.content) <= DISCORD_LIMIT
        assert message.content.count(FENCE) % 2 == 0, message.content[:200]


async def test_feedback_holding_a_code_fence_then_a_long_line_is_listed(bot):
    entry = "```" + "ab " * 490
    for n in range(3):
        await bot.send(f"!feedback {entry}", user_id=5_000 + n)
    with deadline(10):  # the splitter looping never gives the event loop back: only a signal stops it
        latest = await bot.send("!feedback")
    assert_sendable(latest.messages)
    assert latest.content.count("ab ab ab") >= 3 and "Последние отзывы" in latest.content


async def test_a_role_less_test_of_a_fenced_long_line_is_answered(bot):
    case = "```" + "слово " * 319 + "слово"
    content = "!test " + json.dumps([case], ensure_ascii=False)
    assert 1_900 <= len(content) <= 2_000
    with deadline(10):
        reply = await bot.send(content)
    assert_sendable(reply.messages)
    assert "Проверка модели" in reply.content and "(нет ответа)" in reply.content


async def test_a_trained_answer_that_starts_with_a_fence_is_sent(bot):
    answer = "```" + "ab " * 800
    examples = "\n".join(json.dumps({"prompt": p, "completion": answer}, ensure_ascii=False)
                         for p in ("покажи код", "пример кода", "код пожалуйста"))
    await bot.send("!train", attachments=[("code.jsonl", examples.encode(), "application/octet-stream")], **TRAINER)
    await bot.settle(60)
    with deadline(10):
        reply = await bot.send("покажи код")
    assert_sendable(reply.messages)
    assert len(reply.messages) == 2 and reply.content.count("ab ") >= 790


# --- at most five messages an answer ---------------------------------------------------------------

LONG_ANSWER = "Длинный ответ. " * 100  # 1,500 characters
QUESTIONS = ("расскажи подробно", "объясни подробно", "подробно пожалуйста")


def long_answers() -> bytes:
    return "\n".join(json.dumps({"prompt": q, "completion": LONG_ANSWER}, ensure_ascii=False)
                     for q in QUESTIONS).encode()


async def trained(bot) -> None:
    await bot.send("!train", attachments=[("long.jsonl", long_answers(), "application/octet-stream")], **TRAINER)
    await bot.settle(60)


def characters_ru(n: int) -> str:
    """"символ" in the form Russian gives it after the number n."""
    if n % 10 == 1 and n % 100 != 11:
        return "символ"
    return "символа" if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14 else "символов"


# Forty questions, each answered with 1,500 characters: a report of some 60,000 characters.
MANY_CASES = json.dumps([QUESTIONS[0]] * 40, ensure_ascii=False)


async def test_a_report_longer_than_five_messages_is_sent_as_a_text_file(bot):
    await trained(bot)
    reply = await bot.send("!test " + MANY_CASES)
    [message] = reply.messages
    [attached] = message.files
    report = attached.data.decode("utf-8")
    assert attached.filename == "reply.txt"
    assert report.startswith("🧪 **Проверка модели**") and report.count(LONG_ANSWER.strip()) == 40
    assert message.content == f"📎 Ответ длинный ({len(report)} {characters_ru(len(report))}), поэтому он приложен " \
                              "файлом `reply.txt`."


async def test_the_file_and_its_summary_are_the_same_for_slash_commands(bot):
    await trained(bot)
    # Answered "at once" is within the deferral delay; on a loaded machine 100 cases can take longer.
    bot.bot.defer_after = 60.0
    prefix = (await bot.send("!test " + MANY_CASES)).messages
    slash = (await bot.slash("test", test_data=MANY_CASES)).messages
    assert [m.content for m in slash] == [m.content for m in prefix]
    assert [(f.filename, f.data) for m in slash for f in m.files] == [(f.filename, f.data) for m in prefix
                                                                      for f in m.files]
    # ready at once: the interaction's immediate response carries it
    assert len(slash) == 1 and slash[0].kind == "response" and slash[0].files[0].filename == "reply.txt"


async def test_the_summary_is_in_the_replys_language(tmp_path, hypotez_bot):
    async with hypotez_bot(spec=english_spec(tmp_path), templates_dir=TEMPLATES, voice=False) as bot:
        await trained(bot)
        [message] = (await bot.send("!test " + MANY_CASES)).messages
    characters = len(message.files[0].data.decode("utf-8"))
    assert message.content == f"📎 The answer is long ({characters:,} characters): it is attached as `reply.txt`."


async def test_five_messages_are_still_sent_as_messages(bot):
    await trained(bot)
    few = json.dumps([QUESTIONS[0]] * 5, ensure_ascii=False)  # about 7,700 characters
    reply = await bot.send("!test " + few)
    assert 2 <= len(reply.messages) <= MAX_MESSAGES and reply.files == []
    assert reply.content.count(LONG_ANSWER.strip()) == 5


HANDLERS = """
from hypotez import Response

async def chatty(inv):
    await inv.outbox.send("\\n".join(f"step {n}: " + "done " * 30 for n in range(400)))
    return Response(data={})
"""


async def test_a_long_message_a_handler_posts_itself_is_sent_as_a_file_too(tmp_path, hypotez_bot):
    (tmp_path / "chatty.py").write_text(HANDLERS)
    (tmp_path / "commands.yaml").write_text(
        "bot: {language: en}\ncommands:\n  chatty:\n    description: Posts a long report\n"
        "    handler: chatty:chatty\n    text: finished\n")
    async with hypotez_bot(spec=tmp_path / "commands.yaml", model=False, voice=False) as bot:
        posted, answer = (await bot.send("!chatty")).messages
    report = posted.files[0].data.decode("utf-8")
    assert report.startswith("step 0: done") and report.count("step ") == 400
    assert posted.content == f"📎 The answer is long ({len(report):,} characters): it is attached as `reply.txt`."
    assert answer.content == "finished"


def test_the_console_shows_the_summary_then_the_file(tmp_path):
    data = tmp_path / "long.jsonl"
    data.write_bytes(long_answers())
    result = subprocess.run(
        [sys.executable, "-m", "hypotez", "console", "--spec", str(SPEC), "--data", str(tmp_path / "data")],
        input=f":attach {data}\n!train\n:wait\n!test {MANY_CASES}\n", capture_output=True, text=True,
        timeout=180, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    summary = next(line for line in out.splitlines() if line.startswith("📎 Ответ длинный"))
    characters = int(summary.split("(")[1].split()[0])
    assert summary == f"📎 Ответ длинный ({characters} {characters_ru(characters)}), поэтому он приложен файлом " \
                      "`reply.txt`."
    shown = out.split(summary + "\n", 1)[1]
    header, report = shown.split("\n", 1)
    report = report.rstrip("\n")
    assert len(report) == characters and report.startswith("🧪 **Проверка модели**")
    assert header == f"[file: reply.txt, {len(report.encode()):,} bytes]"
    assert report.count(LONG_ANSWER.strip()) == 40
