"""!train, !test, !model and trained answers end to end through discord.py's real command machinery
(BotHarness, offline), with the real commands.yaml (ru) and templates."""

import json

from support import FAQ

TRAINER = {"roles": ["Trainer"]}


def attachment(name: str, data: bytes) -> list[tuple[str, bytes, str]]:
    return [(name, data, "application/octet-stream")]


async def test_train_answers_at_once_edits_one_progress_message_then_posts_the_result(bot):
    reply = await bot.send("!train", attachments=attachment("faq.jsonl", FAQ.read_bytes()), **TRAINER)
    started = reply.messages[0].content
    job_id = started.split("`")[1]
    assert started.startswith(f"🧠 Обучение начато: задача `{job_id}`")
    examples = sum(1 for line in FAQ.read_text().splitlines() if line.strip())
    assert f"{examples} примеров из faq.jsonl" in started or f"{examples} пример" in started

    await bot.settle()
    later = bot.sent[len(bot.sent) - 2:]
    progress, result = later
    assert progress.content.startswith(f"⏳ `{job_id}`")
    # the same message was edited as the job moved, through Discord's edit endpoint
    edits = [r for r in bot.http.requests if r.method == "PATCH" and r.path.endswith(f"/messages/{progress.id}")]
    assert len(edits) >= 2 and [r.json["content"] for r in edits] == progress.edits
    assert "100%" in progress.text and "завершено" in progress.text
    assert result.content.startswith(f"✅ Обучение `{job_id}` завершено") and "`v1`" in result.content
    assert [m.content.startswith("⏳") for m in bot.sent].count(True) == 1  # one progress message, not one per step

    answer = await bot.send("как тебя зовут?")
    assert answer.content == "Меня зовут hypotez."


async def test_test_with_inline_json_gives_predictions_accuracy_and_mismatches(bot):
    await bot.send("!train", attachments=attachment("faq.jsonl", FAQ.read_bytes()), **TRAINER)
    await bot.settle()
    cases = [{"input": "как тебя зовут", "expected": "Меня зовут hypotez."},
             {"input": "where is the office", "expected": "Somewhere else."}, "zebra xylophone"]
    reply = (await bot.send("!test " + json.dumps(cases, ensure_ascii=False))).content
    assert "точность 50% (1 из 2)" in reply
    assert "1. как тебя зовут → Меня зовут hypotez. ✅" in reply
    assert "2. where is the office → The office is at 1 Main Street. ❌" in reply
    assert "3. zebra xylophone → (нет ответа)" in reply
    assert "• where is the office: ожидалось «Somewhere else.», получено «The office is at 1 Main Street.»" in reply


async def test_test_with_broken_json_says_where(bot):
    reply = (await bot.send('!test [{"input": "a",]')).content
    assert "некорректный JSON" in reply and "строка 1, столбец 16" in reply


async def test_model_shows_backend_model_and_last_job(bot):
    before = (await bot.send("!model")).content
    assert before.startswith("🤖 Модель: local, ещё не обучена (`!train`)")
    reply = await bot.send("!train", attachments=attachment("faq.jsonl", FAQ.read_bytes()), **TRAINER)
    job_id = reply.messages[0].content.split("`")[1]
    await bot.settle()
    status = (await bot.send("!model")).content
    assert status.startswith("🤖 Модель: local, версия `v1`")
    assert f"Последнее обучение: `{job_id}` — завершено" in status


async def test_bad_lines_are_listed_and_nothing_is_imported(bot):
    data = (b'{"prompt": "hi", "completion": "hello"}\n{"prompt": "x"}\nnot json\n'
            b'{"prompt": "y", "completion": "z", "colour": 1}\n')
    reply = (await bot.send("!train", attachments=attachment("set.jsonl", data), **TRAINER)).content
    assert "set.jsonl:2: «completion» нет или он пустой" in reply
    assert "set.jsonl:3: некорректный JSON: ожидалось значение (столбец 1)" in reply
    assert "set.jsonl:4: неизвестные ключи ['colour']; ожидаются «prompt» и «completion»" in reply
    assert reply.startswith("📄 В данных для обучения 3 ошибки; ничего не импортировано")
    await bot.settle()
    assert await bot.services_of().storage.jobs() == []
    assert (await bot.send("hi")).content.startswith("🤔")  # the good first line was not learnt either


async def test_many_bad_lines_show_the_first_twenty_then_a_count(bot):
    data = b"".join(b'{"prompt": "q%d"}\n' % i for i in range(1, 36))
    reply = (await bot.send("!train", attachments=attachment("many.jsonl", data), **TRAINER)).content
    assert "В данных для обучения 35 ошибок" in reply
    assert "many.jsonl:20: «completion» нет или он пустой" in reply and "many.jsonl:21:" not in reply
    assert "… и ещё 15" in reply


async def test_train_without_the_trainer_role_is_refused(bot):
    reply = (await bot.send("!train", attachments=attachment("faq.jsonl", FAQ.read_bytes()))).content
    assert "Trainer" in reply
    await bot.settle()
    assert await bot.services_of().storage.jobs() == []


async def test_train_on_corrections_replaces_the_corrected_answer(bot):
    await bot.send("!train", attachments=attachment("faq.jsonl", FAQ.read_bytes()), **TRAINER)
    await bot.settle()
    answer = await bot.send("как тебя зовут?")
    await bot.send(f"!correct {answer.messages[0].id} Я — hypotez, бот-ученик.", **TRAINER)
    started = (await bot.send("!train corrections=yes", **TRAINER)).content
    assert "1 corrections" in started or "исправлен" in started
    await bot.settle()
    assert (await bot.send("как тебя зовут?")).content == "Я — hypotez, бот-ученик."
