"""The embedded model: real training on a small Russian + English dataset, negatives, the fallback,
persistence across restarts, and the data checks."""

import asyncio
import json
from pathlib import Path

import pytest

from hypotez.services.datafolder import DataFolder
from hypotez.services.model import DatasetError, Example
from hypotez.services.model.backends.local import LocalModelService
from hypotez.services.model.datasets import read_bytes, read_file, read_folder
from hypotez.services.model.jobs import RUNNING
from hypotez.services.storage import Storage

DATA = Path(__file__).parent / "data" / "model"
BAD = DATA / "bad"


@pytest.fixture
def folder(tmp_path):
    return DataFolder(tmp_path / "data").ensure()


@pytest.fixture
async def service(folder):
    storage = Storage(folder.internal / "db.sqlite3")
    model = LocalModelService(folder, storage)
    await model.start()
    yield model
    await model.aclose()
    storage.close()


async def train(service, examples):
    events = []

    async def listener(job):
        events.append((job.status, job.progress))

    job = await service.train(examples, listener=listener)
    await service.wait_idle()
    return job, events


async def test_after_training_close_questions_get_the_trained_answer(service):
    job, events = await train(service, read_file(DATA / "faq.jsonl", "faq.jsonl"))
    assert events[-1] == ("succeeded", 1.0)
    assert [status for status, _ in events[:-1]] == [RUNNING] * (len(events) - 1)
    assert await service.reply("как тебя зовут") == "Меня зовут hypotez."
    assert await service.reply("Привет! как дела") == "Отлично, спасибо! Чем помочь?"
    assert await service.reply("what's your name?") == "My name is hypotez."
    assert await service.reply("where is the ofice") == "The office is at 1 Main Street."


async def test_far_questions_get_no_answer_so_the_fallback_is_used(service):
    await train(service, read_file(DATA / "faq.jsonl", "faq.jsonl"))
    assert await service.reply("квантовая хромодинамика глюонов") is None
    assert await service.reply("zebra xylophone") is None


async def test_an_untrained_model_has_no_answer(service):
    assert await service.reply("привет") is None
    assert (await service.status())["model_id"] is None


async def test_a_negative_answer_is_never_given_for_its_prompt(service):
    await train(service, read_file(DATA / "faq.jsonl", "faq.jsonl"))
    assert await service.reply("Сколько стоит подписка?") == "Подписка стоит 300 рублей в месяц."
    await train(service, read_file(DATA / "negative.csv", "negative.csv", positive=False))
    answer = await service.reply("Сколько стоит подписка?")
    assert answer != "Подписка стоит 300 рублей в месяц."
    # the answer is still given for other questions that have it
    assert await service.reply("How much is the subscription?") == "The subscription costs 5 dollars a month."


async def test_a_correction_replaces_the_wrong_answer(service):
    await train(service, read_file(DATA / "faq.jsonl", "faq.jsonl"))
    await train(service, [Example("Как тебя зовут?", "Я — hypotez, бот-ученик.", True),
                          Example("Как тебя зовут?", "Меня зовут hypotez.", False)])
    assert await service.reply("как тебя зовут") == "Я — hypotez, бот-ученик."


async def test_the_model_survives_a_restart(folder, service):
    job, _ = await train(service, read_file(DATA / "faq.jsonl", "faq.jsonl"))
    storage = Storage(folder.internal / "db.sqlite3")
    restarted = LocalModelService(folder, storage)
    await restarted.start()
    assert (await restarted.state()).model_id == job.model_id == "v1"
    assert await restarted.reply("как тебя зовут") == "Меня зовут hypotez."
    storage.close()


async def test_an_unfinished_job_resumes_after_a_restart(folder):
    storage = Storage(folder.internal / "db.sqlite3")
    first = LocalModelService(folder, storage)
    first._lock = asyncio.Lock()
    await first._lock.acquire()  # the job is queued behind a lock that never opens: "the bot dies"
    job = await first.train(read_file(DATA / "faq.jsonl", "faq.jsonl"))
    await first.aclose()
    assert (await storage.get_job(job.id))["status"] == "queued"
    second = LocalModelService(folder, storage)
    await second.start()
    await second.wait_idle()
    assert (await storage.get_job(job.id))["status"] == "succeeded"
    assert await second.reply("как тебя зовут") == "Меня зовут hypotez."
    storage.close()


async def test_only_negative_examples_fail_clearly_and_keep_the_old_model(service):
    await train(service, read_file(DATA / "faq.jsonl", "faq.jsonl"))
    state = await service.state()
    state.model = state.model_id = None
    job, events = await train(service, [Example("a", "b", False)])
    assert events[-1][0] == "failed"
    stored = await service.storage.get_job(job.id)
    assert "only negative examples" in stored["error"]


async def test_evaluate_scores_cases_with_expected_outputs(service):
    await train(service, read_file(DATA / "faq.jsonl", "faq.jsonl"))
    report = await service.evaluate([("как тебя зовут", "Меня зовут hypotez."),
                                     ("where is the office", "Somewhere else."), ("непонятно что", None)])
    assert report["scored"] == 2 and report["correct"] == 1 and report["accuracy"] == 0.5
    assert [p.input for p in report["mismatches"]] == ["where is the office"]
    assert report["predictions"][2].output is None


async def test_training_does_not_block_the_event_loop(folder):
    # The lexical index on 20,000 examples (encoding them with the sentence encoder takes minutes here;
    # tests/test_model_paraphrase.py checks that encoding does not block the loop either).
    storage = Storage(folder.internal / "db.sqlite3")
    service = LocalModelService(folder, storage, encoder="none")
    await service.start()
    examples = [Example(f"вопрос номер {i} про тему {i % 97}", f"ответ {i}") for i in range(20_000)]
    ticks = 0

    async def ticker():
        nonlocal ticks
        while True:
            await asyncio.sleep(0.005)
            ticks += 1

    task = asyncio.create_task(ticker())
    await train(service, examples)
    task.cancel()
    assert ticks > 5
    assert await service.reply("вопрос номер 123 про тему 26") == "ответ 123"
    await service.aclose()
    storage.close()


# --- the data checks -------------------------------------------------------------------------

BAD_FILES = {
    "broken_json.jsonl": ["broken_json.jsonl:2: not valid JSON: Expecting value (column 31)"],
    "chat_bad_role.jsonl": ["chat_bad_role.jsonl:1: message 1 has an unknown role 'robot' (use system, user or assistant)"],
    "chat_empty.jsonl": ["chat_empty.jsonl:1: 'messages' must be a non-empty list"],
    "chat_no_assistant.jsonl": ["chat_no_assistant.jsonl:1: no assistant message: each example needs at least one answer"],
    "chat_no_content.jsonl": ["chat_no_content.jsonl:1: message 2 (assistant) has no content"],
    "csv_bad_rows.csv": ["csv_bad_rows.csv:3: 'completion' is missing or empty",
                         "csv_bad_rows.csv:4: more values than columns (a comma inside a value needs quotes)"],
    "csv_wrong_header.csv": ["csv_wrong_header.csv:1: the header must have 'prompt' and 'completion' columns "
                             "(found ['question', 'answer'])"],
    "empty_prompt.jsonl": ["empty_prompt.jsonl:3: 'prompt' is missing or empty"],
    "json_item_missing.json": ["json_item_missing.json:1: item 2: 'completion' is missing or empty"],
    "json_not_list.json": ["json_not_list.json:1: a .json file must hold a list of examples ([{...}, {...}])"],
    "missing_completion.jsonl": ["missing_completion.jsonl:1: 'completion' is missing or empty"],
    "not_object.jsonl": ["not_object.jsonl:1: expected a JSON object, got list"],
    "not_utf8.jsonl": ["not_utf8.jsonl:1: not UTF-8 text"],
    "positive_not_bool.jsonl": ["positive_not_bool.jsonl:1: 'positive' must be true or false"],
    "unknown_key.jsonl": ["unknown_key.jsonl:1: unknown keys ['colour']; expected 'prompt' and 'completion'"],
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_each_bad_line_is_located(name):
    with pytest.raises(DatasetError) as error:
        read_file(BAD / name, name)
    assert error.value.problems == BAD_FILES[name]


def test_the_corpus_is_complete():
    assert {p.name for p in BAD.iterdir()} == set(BAD_FILES)


def test_only_the_first_twenty_problems_are_listed_then_a_count():
    data = b"".join(b'{"prompt": "x"}\n' for _ in range(35))
    with pytest.raises(DatasetError) as error:
        read_bytes(data, "many.jsonl")
    assert len(error.value.problems) == 20 and error.value.more == 15
    assert "… and 15 more" in error.value.message


def test_a_folder_with_one_bad_file_imports_nothing(tmp_path):
    (tmp_path / "good.jsonl").write_text('{"prompt": "a", "completion": "b"}\n')
    (tmp_path / "bad.jsonl").write_text('{"prompt": "a"}\n')
    with pytest.raises(DatasetError) as error:
        read_folder(tmp_path, "set")
    assert error.value.problems == ["set/bad.jsonl:1: 'completion' is missing or empty"]


def test_every_accepted_format(tmp_path):
    (tmp_path / "a.jsonl").write_text(json.dumps({"messages": [
        {"role": "system", "content": "s"}, {"role": "user", "content": "q1"}, {"role": "assistant", "content": "a1"},
        {"role": "user", "content": "q2"}, {"role": "assistant", "content": "a2"}]}) + "\n")
    (tmp_path / "b.csv").write_text("prompt,completion,positive\nq3,a3,no\n")
    (tmp_path / "c.json").write_text(json.dumps([{"prompt": "q4", "completion": "a4"}]))
    examples = read_folder(tmp_path, "set")
    assert [(e.prompt, e.completion, e.positive) for e in examples] == [
        ("q1", "a1", True), ("q2", "a2", True), ("q3", "a3", False), ("q4", "a4", True)]
