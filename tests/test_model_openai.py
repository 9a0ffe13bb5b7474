"""The openai backend against a local fake of OpenAI's HTTP API, driven by the real openai client."""

import asyncio
import dataclasses
import json
from pathlib import Path

import pytest
from fakes.openai_server import running_fake

from hypotez.errors import ConfigError
from hypotez.services.datafolder import DataFolder
from hypotez.services.model import create_model_service
from hypotez.services.model.datasets import Example, read_file
from hypotez.services.model.finetune_check import check_chat_dataset, default_epochs
from hypotez.services.model.backends.openai import ModelUnavailable, OpenAIModelService
from hypotez.services.storage import Storage

FAQ = Path(__file__).parent / "data" / "model" / "faq.jsonl"


@pytest.fixture
async def fake():
    async with running_fake() as server:
        yield server


@pytest.fixture
def folder(tmp_path):
    return DataFolder(tmp_path / "data").ensure()


def make(folder, fake, **settings):
    storage = Storage(folder.internal / "db.sqlite3")
    base = {"backend": "openai", "api_key": "sk-test", "base_url": fake.url, "poll_interval": 0.01,
            "max_poll_interval": 0.05, "max_retries": 3}
    return create_model_service({**base, **settings}, folder, storage), storage


async def run_training(service, examples):
    seen = []

    async def listener(job):
        seen.append((job.status, job.events[-1]["message"] if job.events else ""))

    job = await service.train(examples, listener=listener)
    await asyncio.wait_for(service.wait_idle(), 20)
    return job, seen


async def test_examples_mode_sends_the_nearest_examples_as_few_shot(folder, fake):
    service, storage = make(folder, fake, mode="examples", system_prompt="Be brief.")
    await service.start()
    await run_training(service, read_file(FAQ, "faq.jsonl"))
    answer = await service.reply("как тебя зовут?")
    assert answer == "[gpt-4o-mini] Меня зовут hypotez."
    messages = fake.chats[-1]["messages"]
    assert messages[0] == {"role": "system", "content": "Be brief."}
    assert {"role": "assistant", "content": "Меня зовут hypotez."} in messages
    assert messages[-1] == {"role": "user", "content": "как тебя зовут?"}
    await service.aclose()
    storage.close()


async def test_fine_tune_success_switches_to_the_fine_tuned_model(folder, fake):
    service, storage = make(folder, fake, mode="fine_tune")
    await service.start()
    job, seen = await run_training(service, read_file(FAQ, "faq.jsonl"))
    stored = await storage.get_job(job.id)
    assert stored["status"] == "succeeded"
    assert stored["model_id"].startswith("ft:gpt-4o-mini-2024-07-18:org-fake:hypotez")
    assert stored["extra"]["epochs"] == 10 and stored["extra"]["tokens"] > 0  # 10 examples → 100 // 10 epochs
    assert stored["extra"]["estimated_cost"] > 0
    messages = [m for _, m in seen]
    assert any("Fine-tuning job started" in m for m in messages)
    assert any("uploaded as file-" in m for m in messages)
    uploaded = next(iter(fake.files.values())).decode().splitlines()
    assert json.loads(uploaded[0])["messages"][-1] == {"role": "assistant", "content": "Отлично, спасибо! Чем помочь?"}
    create = next(body for method, path, body in fake.requests if path == "/v1/fine_tuning/jobs")
    assert create["method"]["type"] == "supervised" and create["method"]["supervised"]["hyperparameters"]["n_epochs"] == 10
    answer = await service.reply("hello")
    assert answer.startswith("[ft:gpt-4o-mini-2024-07-18:org-fake:hypotez")
    await service.aclose()
    storage.close()


async def test_failed_job_reports_the_providers_error(folder, fake):
    fake.job_statuses = ["validating_files", "failed"]
    service, storage = make(folder, fake, mode="fine_tune")
    await service.start()
    job, _ = await run_training(service, read_file(FAQ, "faq.jsonl"))
    stored = await storage.get_job(job.id)
    assert stored["status"] == "failed" and stored["error"] == "Training file has invalid examples"
    assert (await service.state()).remote_model is None
    await service.aclose()
    storage.close()


async def test_cancelled_job(folder, fake):
    fake.job_statuses = ["queued", "cancelled"]
    service, storage = make(folder, fake, mode="fine_tune")
    await service.start()
    job, _ = await run_training(service, read_file(FAQ, "faq.jsonl"))
    assert (await storage.get_job(job.id))["status"] == "cancelled"
    await service.aclose()
    storage.close()


async def test_429_and_5xx_are_retried(folder, fake):
    fake.faults = {"files": [429, 500], "jobs.retrieve": [503, 429], "chat": [500]}
    service, storage = make(folder, fake, mode="fine_tune")
    await service.start()
    job, _ = await run_training(service, read_file(FAQ, "faq.jsonl"))
    assert (await storage.get_job(job.id))["status"] == "succeeded"
    assert (await service.reply("hi")).startswith("[ft:")
    assert all(not v for v in fake.faults.values())
    await service.aclose()
    storage.close()


async def test_a_refusal_to_create_the_job_suggests_examples_mode(folder, fake):
    fake.refuse_jobs = "Fine-tuning is not available for your organization."
    service, storage = make(folder, fake, mode="fine_tune")
    await service.start()
    job, _ = await run_training(service, read_file(FAQ, "faq.jsonl"))
    stored = await storage.get_job(job.id)
    assert stored["status"] == "failed"
    assert "refused to create the fine-tuning job: Fine-tuning is not available" in stored["error"]
    assert "'examples'" in stored["hint"]
    await service.aclose()
    storage.close()


async def test_a_restart_in_the_middle_of_a_job_polls_it_again(folder, fake):
    fake.job_statuses = ["validating_files", "queued", "running"] + ["running"] * 3 + ["succeeded"]
    service, storage = make(folder, fake, mode="fine_tune", poll_interval=0.2, max_poll_interval=0.2)
    await service.start()
    job = await service.train(read_file(FAQ, "faq.jsonl"))
    for _ in range(200):
        stored = await storage.get_job(job.id)
        if stored.get("remote_id"):
            break
        await asyncio.sleep(0.02)
    await service.aclose()  # the bot stops while the provider is still training
    storage.close()
    assert (Storage(folder.internal / "db.sqlite3").get_job_sync(job.id))["status"] in ("running", "validating")
    restarted, storage2 = make(folder, fake, mode="fine_tune")
    await restarted.start()
    await asyncio.wait_for(restarted.wait_idle(), 20)
    stored = await storage2.get_job(job.id)
    assert stored["status"] == "succeeded"
    assert len([1 for _, path, _ in fake.requests if path == "/v1/fine_tuning/jobs"]) == 1  # not created twice
    await restarted.aclose()
    storage2.close()


async def test_too_few_examples_are_refused_before_any_upload(folder, fake):
    service, storage = make(folder, fake, mode="fine_tune")
    await service.start()
    job, _ = await run_training(service, [Example("q", "a")])
    stored = await storage.get_job(job.id)
    assert stored["status"] == "failed" and "at least 10" in stored["error"]
    assert fake.files == {}
    await service.aclose()
    storage.close()


async def test_provider_down_while_chatting_is_a_clear_error(folder, fake):
    fake.faults = {"chat": [500] * 10}
    service, storage = make(folder, fake, mode="examples", max_retries=1)
    await service.start()
    with pytest.raises(ModelUnavailable, match="did not answer"):
        await service.reply("hello")
    await service.aclose()
    storage.close()


async def test_a_provider_that_keeps_failing_the_poll_fails_the_job_without_a_second_backoff(folder, fake):
    # max_retries=0: the client does not retry, so each failed request is one failed poll; the poll
    # waits its interval after it (no backoff of its own on top of the client's).
    fake.faults = {"jobs.retrieve": [503] * 7}
    service, storage = make(folder, fake, mode="fine_tune", max_retries=0, max_poll_failures=6,
                            poll_interval=0.05, max_poll_interval=10)
    await service.start()
    started = asyncio.get_running_loop().time()
    job, _ = await run_training(service, read_file(FAQ, "faq.jsonl"))
    elapsed = asyncio.get_running_loop().time() - started
    stored = await storage.get_job(job.id)
    assert stored["status"] == "failed" and "kept failing" in stored["error"]
    assert fake.faults["jobs.retrieve"] == []  # every poll reached the provider: 7 failed in a row
    assert elapsed < 3, elapsed  # six intervals of 0.05 s, not 0.05 s doubled six times (6.3 s)
    await service.aclose()
    storage.close()


def test_the_backend_is_chosen_by_name_and_an_unknown_one_is_refused(folder, fake):
    storage = Storage(folder.internal / "x.sqlite3")
    local = create_model_service({}, folder, storage)
    assert local.backend_name == "local" and local.threshold == 0.55
    remote = create_model_service({"backend": "openai", "api_key": "sk-test", "base_url": fake.url,
                                   "few_shot": 2}, folder, storage)
    assert isinstance(remote, OpenAIModelService) and remote.settings.few_shot == 2
    with pytest.raises(dataclasses.FrozenInstanceError):
        remote.settings.few_shot = 3
    with pytest.raises(ConfigError, match="unknown model backend 'remote'") as error:
        create_model_service({"backend": "remote"}, folder, storage)
    assert "'local' or 'openai'" in error.value.hint
    storage.close()


def test_missing_api_key_is_a_config_error(folder, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    with pytest.raises(ConfigError, match="needs an API key"):
        create_model_service({"backend": "openai"}, folder, Storage(folder.internal / "x.sqlite3"))


def test_data_checks_follow_the_guide():
    good = [{"messages": [{"role": "user", "content": f"q{i}"}, {"role": "assistant", "content": "a"}]}
            for i in range(12)]
    report = check_chat_dataset(good, price_per_million=3.0)
    assert report.ok and report.epochs == default_epochs(12) == 8
    bad = good[:3] + [{"messages": [{"role": "robot", "content": "x"}]}, "text",
                      {"messages": [{"role": "user", "content": "x", "extra": 1}, {"role": "assistant"}]}]
    report = check_chat_dataset(bad)
    assert not report.ok
    assert report.errors == {"unrecognized_role": 1, "example_missing_assistant_message": 1, "data_type": 1,
                             "message_unrecognized_key": 1, "message_missing_key": 1}
    assert "fine-tuning needs at least 10" in report.problems()[-1]
    long = [{"messages": [{"role": "user", "content": "слово " * 300}, {"role": "assistant", "content": "a"}]}] * 10
    assert check_chat_dataset(long, context_limit=100).too_long == list(range(1, 11))


async def test_corrections_become_dpo_preference_pairs(folder, fake):
    service, storage = make(folder, fake, mode="fine_tune", method="dpo", base_model="gpt-4.1-mini-2025-04-14")
    await service.start()
    examples = []
    for i in range(10):  # what !train corrections=yes builds: the correction, and the earlier answer as negative
        examples += [Example(f"вопрос {i}", f"правильный ответ {i}"), Example(f"вопрос {i}", f"ошибка {i}", False)]
    job, _ = await run_training(service, examples)
    stored = await storage.get_job(job.id)
    assert stored["status"] == "succeeded" and stored["extra"]["method"] == "dpo"
    create = next(body for method, path, body in fake.requests if path == "/v1/fine_tuning/jobs")
    assert create["method"]["type"] == "dpo" and create["model"] == "gpt-4.1-mini-2025-04-14"
    first = json.loads(next(iter(fake.files.values())).decode().splitlines()[0])
    assert first == {"input": {"messages": [{"role": "user", "content": "вопрос 0"}]},
                     "preferred_output": [{"role": "assistant", "content": "правильный ответ 0"}],
                     "non_preferred_output": [{"role": "assistant", "content": "ошибка 0"}]}
    await service.aclose()
    storage.close()


def test_key_and_base_url_come_from_the_environment(folder, fake, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env")
    monkeypatch.setenv("OPENAI_BASE_URL", fake.url)
    storage = Storage(folder.internal / "db.sqlite3")
    service = create_model_service({"backend": "openai"}, folder, storage)
    assert isinstance(service, OpenAIModelService)
    assert service.client.api_key == "sk-from-env" and str(service.client.base_url).rstrip("/") == fake.url
    storage.close()


async def test_train_on_discord_answers_with_tokens_and_cost_at_once(tmp_path, fake, hypotez_bot):

    def model_factory(spec, data, storage):
        return create_model_service({"backend": "openai", "mode": "fine_tune", "api_key": "sk-test",
                                           "base_url": fake.url, "poll_interval": 0.01,
                                           "max_poll_interval": 0.05}, data, storage)

    root = Path(__file__).resolve().parent.parent
    async with hypotez_bot(spec=root / "commands.yaml", model=model_factory, voice=False) as bot:
        reply = await bot.send("!train", attachments=[("faq.jsonl", FAQ.read_bytes(), None)], roles=["Trainer"])
        started = reply.messages[0].content
        assert fake.files == {}  # the summary comes from the local checks, before any upload
        job = (await bot.services_of().storage.jobs())[0]
        assert f"{job['extra']['tokens']} токен" in started and "10 эпох" in started and "примерно $" in started
        await bot.settle(20)
        assert "✅" in bot.sent[-1].content and "ft:gpt-4o-mini" in bot.sent[-1].content
        assert (await bot.send("hello")).content.startswith("[ft:gpt-4o-mini")
