"""A reply Discord does not take (an upload answered with a server error after discord.py's retries) is
logged and explained to the user in a message of text alone, in the reply's language; when that fails
too, it is logged and the bot goes on. Through discord.py's real machinery (BotHarness), prefix and
slash, with the fake Discord refusing requests."""

import json
import logging

import pytest

TRAINER = {"roles": ["Trainer"]}

SPEC = """
bot: {language: ru}
commands:
  report:
    description: Sends a file
    handler: reports:report
    text: "Вот отчёт."
"""

HANDLERS = """
from pathlib import Path
from hypotez import Response

async def report(inv):
    return Response(files=[Path(__file__).with_name("report.csv")])
"""


@pytest.fixture
async def bot(hypotez_bot):
    async with hypotez_bot(spec=SPEC, files={"reports.py": HANDLERS, "report.csv": "a,b\n1,2\n"}, model=False,
                           voice=False) as harness:
        yield harness


def refuse_uploads(request):
    return 503 if request.files else None


REFUSED_REPORT = ("⚠️ Не удалось отправить ответ с файлами (`report.csv`): Discord ответил ошибкой 503; "
                  "попробуйте позже.")


async def test_a_refused_upload_is_explained_in_a_text_message_and_logged(bot, caplog):
    assert (await bot.send("!report")).files[0].filename == "report.csv"
    bot.http.failure = refuse_uploads
    with caplog.at_level(logging.ERROR, logger="hypotez.discord"):
        reply = await bot.send("!report")
    [notice] = reply.messages
    assert notice.content == REFUSED_REPORT and notice.files == []
    assert notice.allowed_mentions == {"parse": []}
    assert "could not send a reply in channel" in caplog.text and "report.csv" in caplog.text
    assert "503" in caplog.text


async def test_a_refused_upload_to_a_slash_command_is_explained_too(bot):
    # A 400, which discord.py does not retry: its webhook client retries a 5xx to an interaction for
    # 25 s (waits of 1+3+5+7+9 s), which made this the slowest test but one.
    bot.http.failure = lambda request: 400 if request.files else None
    [notice] = (await bot.slash("report")).messages
    assert notice.content == REFUSED_REPORT.replace("503", "400")
    assert notice.kind == "response" and notice.files == []


async def test_a_long_answer_whose_file_is_refused_says_so(shipped_bot):
    answer = "Длинный ответ. " * 100
    examples = "\n".join(json.dumps({"prompt": p, "completion": answer}, ensure_ascii=False)
                         for p in ("расскажи подробно", "объясни подробно"))
    await shipped_bot.send("!train", attachments=[("long.jsonl", examples.encode(), "application/octet-stream")],
                       **TRAINER)
    await shipped_bot.settle(60)
    shipped_bot.http.failure = refuse_uploads
    [notice] = (await shipped_bot.send("!test " + json.dumps(["расскажи подробно"] * 40, ensure_ascii=False))).messages
    assert notice.content == ("⚠️ Не удалось отправить ответ с файлами (`reply.txt`): Discord ответил ошибкой "
                              "503; попробуйте позже.")


async def test_an_answer_cut_off_midway_says_how_much_got_through(shipped_bot):
    for n in range(3):
        await shipped_bot.send("!feedback " + "слово " * 240, user_id=5_000 + n)
    posts = []

    def refuse_the_second_message(request):
        if request.method == "POST" and request.path.endswith("/messages"):
            posts.append(request)
            return 503 if len(posts) == 2 else None
        return None

    shipped_bot.http.failure = refuse_the_second_message
    first, notice = (await shipped_bot.send("!feedback")).messages
    assert first.content.startswith("**Последние отзывы:**")
    assert notice.content == "⚠️ Ответ оборвался после 1 сообщения: Discord ответил ошибкой 503; попробуйте позже."


async def test_when_the_explanation_is_refused_too_it_is_logged_and_the_bot_goes_on(bot, caplog):
    bot.http.failure = lambda request: 503 if request.method == "POST" else None
    with caplog.at_level(logging.ERROR, logger="hypotez.discord"):
        assert (await bot.send("!report")).messages == []
    assert "could not send a reply" in caplog.text
    assert "that their reply was not sent either" in caplog.text
    bot.http.failure = None
    assert (await bot.send("!report")).files[0].filename == "report.csv"
