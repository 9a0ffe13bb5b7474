"""Why a training job failed is kept as a reason key and its facts, so the train_failed reply and !model
word it in the reply's language (Russian on the shipped commands.yaml, English on its English variant),
through discord.py's real machinery; a provider's own message is shown as received; jobs stored as plain
text by older versions still show their text."""

import json

import pytest
from fakes.openai_server import running_fake
from support import ADMIN, FAQ, ROOT, TEMPLATES, TRAINER, attachment, openai_factory, spec_in

from hypotez.reasons import Reason
from hypotez.services.model.jobs import FAILED, Job


async def failed_reply(bot, message: str = "!train positive=no") -> str:
    """Start a job that fails and return the train_failed message posted when it ends."""
    await bot.send(message, attachments=attachment("faq.jsonl", FAQ.read_bytes()), **TRAINER)
    await bot.settle()
    return bot.sent[-1].content


# --- the local backend: a failure we name ------------------------------------------------------

ONLY_NEGATIVES = {
    "ru": "❌ Обучение `{id}` не удалось: в данных только отрицательные примеры: добавьте хотя бы один "
          "положительный.\nЧто делать: проверьте данные и попробуйте снова; пока работает прежняя модель.",
    "en": "❌ Training `{id}` failed: the data has only negative examples: add at least one positive example.\n"
          "What to do: check the data and try again; the previous model is still in use.",
}


@pytest.mark.parametrize("language", ["ru", "en"])
async def test_a_failed_job_is_explained_in_the_reply_language(tmp_path, language, hypotez_bot):
    async with hypotez_bot(spec=spec_in(language, tmp_path), templates_dir=TEMPLATES, voice=False) as bot:
        text = await failed_reply(bot)
        job = (await bot.services_of().storage.jobs())[0]
        assert text == ONLY_NEGATIVES[language].format(id=job["id"])
        status = (await bot.send("!model")).content
    reason = ONLY_NEGATIVES[language].split(": ", 1)[1].split(".\n")[0]
    assert f"({reason})" in status


async def test_the_stored_reason_is_worded_again_when_the_server_changes_language(tmp_path, hypotez_bot):
    async with hypotez_bot(spec=ROOT / "commands.yaml", templates_dir=TEMPLATES, voice=False) as bot:
        await failed_reply(bot)
        stored = (await bot.services_of().storage.jobs())[0]
        # the English text stays beside the key, for older versions and for people reading the database
        assert stored["error"] == "the data has only negative examples: add at least one positive example"
        assert stored["error_reason"] == {"$reason": "job.only_negatives", "params": {}}
        await bot.send("!language en", **ADMIN)
        status = (await bot.send("!model")).content
    assert "(the data has only negative examples: add at least one positive example)" in status


async def test_a_job_stored_as_plain_text_still_shows_its_text(tmp_path, hypotez_bot):
    async with hypotez_bot(spec=ROOT / "commands.yaml", templates_dir=TEMPLATES, voice=False) as bot:
        storage = bot.services_of().storage
        old = Job.new("local", status=FAILED, error="an old failure, in English", hint="try again")
        await storage.save_job(old.id, old.status, {k: v for k, v in old.to_dict().items()})
        status = (await bot.send("!model")).content
        assert f"`{old.id}` — не удалось (an old failure, in English)" in status
        # a reason key this version does not know (written by a newer one): the text beside it is shown
        newer = Job.new("local", status=FAILED, error="a newer failure")
        data = {**newer.to_dict(), "error_reason": {"$reason": "job.from_the_future", "params": {"x": 1}},
                "created": old.created + 1}
        await storage.save_job(newer.id, newer.status, data)
        status = (await bot.send("!model")).content
    assert f"`{newer.id}` — не удалось (a newer failure)" in status


def test_a_reason_survives_the_round_trip_through_json_with_nested_reasons():
    job = Job.new("local", status=FAILED)
    job.error = Reason("job.data_not_ready", problems="only 3 examples")
    job.hint = Reason("attachment.refused", filename="x", reason=Reason("argument.not_integer", value="a"))
    again = Job.from_dict(json.loads(json.dumps(job.to_dict())))
    assert isinstance(again.error, Reason) and again.error.key == "job.data_not_ready"
    assert again.error == "the data is not ready for fine-tuning: only 3 examples"
    assert again.hint.params["reason"].key == "argument.not_integer"


# --- the openai backend: the provider's own words stay as received -----------------------------


@pytest.fixture
async def fake():
    async with running_fake() as server:
        yield server


PROVIDER_CASES = [
    ("failed", None, "ru", "не удалось: ошибка сервиса модели: Training file has invalid examples.\nЧто делать: "
                           "исправьте данные, о которых говорит ошибка, и обучите заново"),
    ("failed", None, "en", "failed: Training file has invalid examples.\nWhat to do: fix the data the error names"),
    ("cancelled", None, "ru", "не удалось: задача дообучения отменена."),
    ("cancelled", None, "en", "failed: the fine-tuning job was cancelled."),
    (None, "Fine-tuning is not available.", "ru",
     "не удалось: сервис модели отказался создать задачу дообучения: Fine-tuning is not available.\nЧто делать: "
     "укажите bot.model.mode: 'examples'"),
    (None, "Fine-tuning is not available.", "en",
     "failed: the provider refused to create the fine-tuning job: Fine-tuning is not available.\nWhat to do: "
     "set bot.model.mode to 'examples'"),
]


@pytest.mark.parametrize("status, refusal, language, expected", PROVIDER_CASES)
async def test_a_providers_failure_is_worded_around_its_own_message(tmp_path, fake, status, refusal, language,
                                                                      expected, hypotez_bot):
    if status:
        fake.job_statuses = ["validating_files", status]
    fake.refuse_jobs = refusal
    async with hypotez_bot(spec=spec_in(language, tmp_path), templates_dir=TEMPLATES, model=openai_factory(fake),
                           voice=False) as bot:
        text = await failed_reply(bot, "!train")
    assert expected in text
