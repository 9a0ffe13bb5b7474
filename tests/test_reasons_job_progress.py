"""The training progress message and !model speak the reply's language: the job's status and its events
are kept as reason keys and facts beside their English text, and worded again for each reply (Russian on
the shipped commands.yaml, English on its English variant), through discord.py's real machinery; the
fine-tuning data check's problems too; a provider's own event messages, and jobs stored by older versions
without keys, still show their text."""

import json
import re

import pytest
from fakes.openai_server import running_fake
from support import FAQ, ROOT, TEMPLATES, TRAINER, attachment, latin_words, openai_factory, spec_in

from hypotez.reasons import Reason, builtin_catalog
from hypotez.services.model.finetune_check import check_chat_dataset
from hypotez.services.model.jobs import FAILED, RUNNING, Job
from hypotez.testing import GUILD_ID

# The backend's name from the settings ("local"): an identifier, the same in every language.
BACKEND = {"local"}


def progress_texts(bot, progress) -> list[str]:
    """Every text the progress message showed: as posted, then each edit PATCHed to Discord."""
    edits = [r.json["content"] for r in bot.http.requests
             if r.method == "PATCH" and r.path.endswith(f"/messages/{progress.id}")]
    assert edits == progress.edits
    return [progress.content, *edits]


async def train(bot, data: bytes, message: str = "!train"):
    """Run ``message`` with ``data`` attached to the end; the progress message and the result."""
    reply = await bot.send(message, attachments=attachment("data.jsonl", data), **TRAINER)
    job_id = reply.messages[0].content.split("`")[1]
    await bot.settle()
    progress = next(m for m in bot.sent if m.content.startswith(f"⏳ `{job_id}`"))
    return job_id, progress_texts(bot, progress), bot.sent[-1].content


def russian_only(text: str) -> None:
    assert [w for w in latin_words(text) if w not in BACKEND] == [], text


# --- the local backend -------------------------------------------------------------------------

PROGRESS = {
    "ru": ["идёт — 10% (читаю примеры)", "идёт — 40% (строю модель)", "идёт — 80% (сохраняю модель)",
           "завершено — 100% (готово: модель `v1`, {answers} ответов)"],
    "en": ["running — 10% (reading the examples)", "running — 40% (building the model)",
           "running — 80% (saving the model)", "succeeded — 100% (done: model v1 with {answers} answers)"],
}
LAST_JOB = {"ru": "Последнее обучение: `{id}` — завершено.", "en": "Last training: `{id}` — succeeded."}


@pytest.mark.parametrize("language", ["ru", "en"])
async def test_progress_and_model_word_the_status_and_events_in_the_reply_language(tmp_path, language, hypotez_bot):
    async with hypotez_bot(spec=spec_in(language, tmp_path), templates_dir=TEMPLATES, voice=False) as bot:
        job_id, texts, _ = await train(bot, FAQ.read_bytes())
        status = (await bot.send("!model")).content
        answers = len((await bot.app.services.model.state(str(GUILD_ID))).model.positives)
    expected = [f"⏳ `{job_id}`: {step.format(answers=answers)}" for step in PROGRESS[language]]
    assert texts == expected
    assert LAST_JOB[language].format(id=job_id) in status
    if language == "ru":
        for text in [*texts, status]:
            russian_only(text)


@pytest.mark.parametrize("language", ["ru", "en"])
async def test_a_failed_jobs_last_event_is_worded_with_its_reason(tmp_path, language, hypotez_bot):
    async with hypotez_bot(spec=spec_in(language, tmp_path), templates_dir=TEMPLATES, voice=False) as bot:
        job_id, texts, _ = await train(bot, FAQ.read_bytes(), "!train positive=no")
        status = (await bot.send("!model")).content
    last = {"ru": "не удалось — 40% (не удалось: в данных только отрицательные примеры: добавьте хотя бы один "
                  "положительный)",
            "en": "failed — 40% (failed: the data has only negative examples: add at least one positive example)"}
    assert texts[-1] == f"⏳ `{job_id}`: {last[language]}"
    if language == "ru":
        russian_only(texts[-1])
        russian_only(status)
        assert f"`{job_id}` — не удалось (в данных только отрицательные примеры" in status


async def test_the_stored_event_keeps_its_english_text_beside_its_key(tmp_path, hypotez_bot):
    async with hypotez_bot(spec=ROOT / "commands.yaml", templates_dir=TEMPLATES, voice=False) as bot:
        await train(bot, FAQ.read_bytes())
        stored = (await bot.services_of().storage.jobs())[0]
        answers = len((await bot.app.services.model.state(str(GUILD_ID))).model.positives)
    events = stored["events"]
    assert events[0]["message"] == "queued: 10 examples"
    assert events[0]["reason"] == {"$reason": "job.event.queued", "params": {"count": 10}}
    assert events[-1]["message"] == f"done: model v1 with {answers} answers"
    assert stored["status"] == "succeeded"


async def test_old_jobs_and_events_without_keys_still_show_their_text(tmp_path, hypotez_bot):
    async with hypotez_bot(spec=ROOT / "commands.yaml", templates_dir=TEMPLATES, voice=False) as bot:
        storage = bot.services_of().storage
        old = Job.new("local", status=RUNNING, events=[{"time": 1.0, "message": "an old event, in English"}])
        await storage.save_job(old.id, old.status, old.to_dict())
        ru = bot.app.dispatcher.reasons.catalog("ru")
        data = Job.from_dict((await storage.jobs())[0]).template_data()
        assert ru.render(data["last_event"]) == "an old event, in English"
        assert ru.render(data["status"]) == "идёт"
        # a key this version does not know (written by a newer one), and a status it has no words for
        newer = Job.new("local", status="paused", created=old.created + 1,
                        events=[{"time": 2.0, "message": "a newer event",
                                 "reason": {"$reason": "job.event.from_the_future", "params": {}}}])
        await storage.save_job(newer.id, newer.status, newer.to_dict())
        data = Job.from_dict((await storage.jobs())[0]).template_data()
        assert ru.render(data["last_event"]) == "a newer event" and ru.render(data["status"]) == "paused"
        status = (await bot.send("!model")).content
    assert f"Последнее обучение: `{newer.id}` — paused." in status


# --- the openai backend: our events worded, the provider's own as received ----------------------


@pytest.fixture
async def fake():
    async with running_fake() as server:
        yield server


CHECKED = {"ru": r"проверка данных — 8% \(10 примеров, \d+ токен(а|ов)?, \d+ эпох(а|и)?, примерно \$\d+\.\d\d\)",
           "en": r"validating — 8% \(10 examples, \d+ tokens, \d+ epochs, about \$\d+\.\d\d\)"}
OPENAI_STEPS = {
    "ru": ["проверка данных — 5% (проверяю данные по руководству OpenAI о дообучении)",
           "проверка данных — 10% (данные загружены как `file-",
           "идёт — 15% (задача дообучения `ftjob-", "завершено — 100% (готово: бот отвечает моделью `ft:"],
    "en": ["validating — 5% (checking the data as OpenAI's fine-tuning guide asks)",
           "validating — 10% (uploaded as file-",
           "running — 15% (fine-tuning job ftjob-", "succeeded — 100% (done: the bot answers with ft:"],
}


@pytest.mark.parametrize("language", ["ru", "en"])
async def test_fine_tuning_progress_in_the_reply_language(tmp_path, fake, language, hypotez_bot):
    async with hypotez_bot(spec=spec_in(language, tmp_path), templates_dir=TEMPLATES, model=openai_factory(fake),
                           voice=False) as bot:
        _, texts, _ = await train(bot, FAQ.read_bytes())
        stored = (await bot.services_of().storage.jobs())[0]
    shown = "\n".join(texts)
    for step in OPENAI_STEPS[language]:
        assert step in shown, step
    assert re.search(CHECKED[language], shown), shown
    # the provider's own events are kept without a key and shown as received
    provider = {event["message"] for event in stored["events"] if "reason" not in event}
    assert "Fine-tuning job started" in provider and "(Fine-tuning job started)" in shown
    if language == "ru":
        ours = [text for text in texts if not any(text.endswith(f"({message})") for message in provider)]
        assert len(ours) >= 5
        for text in ours:
            russian_only(text.replace("OpenAI", ""))  # a name, the same in every language


NOT_READY = {
    "ru": "данные не готовы для дообучения: всего 3 примера; для дообучения нужно не меньше 10",
    "en": "the data is not ready for fine-tuning: only 3 examples; fine-tuning needs at least 10",
}


@pytest.mark.parametrize("language", ["ru", "en"])
async def test_the_fine_tuning_data_check_is_worded_in_the_reply_language(tmp_path, fake, language, hypotez_bot):
    few = b"".join(FAQ.read_bytes().splitlines(keepends=True)[:3])
    async with hypotez_bot(spec=spec_in(language, tmp_path), templates_dir=TEMPLATES, model=openai_factory(fake),
                           voice=False) as bot:
        _, texts, result = await train(bot, few)
        stored = (await bot.services_of().storage.jobs())[0]
    assert NOT_READY[language] in result and NOT_READY[language] in texts[-1]
    assert stored["error"] == NOT_READY["en"]
    if language == "ru":
        russian_only(texts[-1])


def test_every_problem_of_the_check_is_ours_and_worded_in_russian():
    bad = [{"messages": [{"role": "robot", "content": "x"}]}, "text", {"messages": "none"},
           {"messages": [{"role": "user", "content": "x", "extra": 1}, {"role": "assistant"}]},
           {"messages": [{"role": "user", "content": 5}, {"role": "assistant", "content": "a"}]}]
    report = check_chat_dataset(bad, context_limit=1)
    reason = Reason("job.data_not_ready", problems=report.problems())
    assert str(reason) == (
        "the data is not ready for fine-tuning: example 1: unknown role 'robot'; example 1: no assistant message; "
        "example 2: not a JSON object; example 3: no 'messages' list; "
        "example 4: unknown message keys ['extra']; example 4: a message needs 'role' and 'content'; "
        "example 5: a message has no text content; "
        "2 examples are longer than the context limit (examples 4, 5); they would be cut; "
        "only 5 examples; fine-tuning needs at least 10")
    ru = builtin_catalog("ru").render(reason)
    assert ru == (
        "данные не готовы для дообучения: пример 1: неизвестная роль 'robot'; пример 1: нет сообщения с ролью "
        "'assistant'; пример 2: не объект JSON; пример 3: нет списка 'messages'; "
        "пример 4: неизвестные ключи сообщения ['extra']; пример 4: у сообщения должны быть 'role' и 'content'; "
        "пример 5: у сообщения нет текста; "
        "2 примера длиннее предела контекста (примеры 4, 5); их обрезали бы; "
        "всего 5 примеров; для дообучения нужно не меньше 10")
    russian_only(ru)
    # kept in a job's JSON and read back, the problems are worded again
    job = Job.new("openai", status=FAILED, error=reason)
    again = Job.from_dict(json.loads(json.dumps(job.to_dict())))
    assert builtin_catalog("ru").render(again.error) == ru
