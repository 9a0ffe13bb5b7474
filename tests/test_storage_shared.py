"""Two bot processes on one PostgreSQL database: a model trained by one answers in the other, and a
server's language switched in one holds in the other — without a restart (LISTEN/NOTIFY). Each bot has
a data folder of its own, as two machines would."""

from __future__ import annotations

import asyncio
import io
import tarfile
import time

import pytest
from support import ADMIN, FAQ, SHIPPED_SPEC, TRAINER

from hypotez.services.datafolder import DataFolder
from hypotez.services.model.backends.local import LocalModelService
from hypotez.services.model.retrieval import RetrievalModel
from hypotez.services.model.datasets import Example
from hypotez.services.model_sharing import unpack
from hypotez.services.storage import Storage
from hypotez.testing import GUILD_ID

QUESTION = "Как тебя зовут?"
TRAINED = "Меня зовут hypotez."
RETRAINED = "Теперь меня зовут Гипотеза."


async def eventually(check, seconds: float = 10.0):
    """Wait until ``check()`` (async) returns something true; that value."""
    deadline = time.monotonic() + seconds
    while True:
        value = await check()
        if value or time.monotonic() > deadline:
            return value
        await asyncio.sleep(0.05)


@pytest.fixture
def two_bots(hypotez_bot, postgres_url, monkeypatch, tmp_path):
    monkeypatch.setenv("HYPOTEZ_DATABASE_URL", postgres_url)

    def make(name: str):
        return hypotez_bot(spec=SHIPPED_SPEC, voice=False, data_dir=tmp_path / name)
    return make


async def test_a_model_trained_by_one_process_answers_in_the_other_without_a_restart(two_bots):
    async with two_bots("first") as first, two_bots("second") as second:
        assert (await second.send(QUESTION)).content != TRAINED  # loaded: no model yet
        await first.send("!train", attachments=[("faq.jsonl", FAQ.read_bytes(), "application/octet-stream")],
                         **TRAINER)
        await first.settle()
        assert (await first.send(QUESTION)).content == TRAINED

        async def second_answers(expected: str) -> bool:
            return (await second.send(QUESTION)).content == expected

        assert await eventually(lambda: second_answers(TRAINED))
        # The second bot answers from its own copy, unpacked into its own data folder.
        assert (second.app.services.model.models_dir(str(GUILD_ID)) / "v1" / "model.joblib").is_file()
        retrain = f'{{"prompt": "{QUESTION}", "completion": "{RETRAINED}"}}\n'.encode()
        await first.send("!train", attachments=[("new.jsonl", retrain, "application/octet-stream")], **TRAINER)
        await first.settle()
        assert await eventually(lambda: second_answers(RETRAINED))
        assert "версия `v2`" in (await second.send("!model")).content


async def test_a_language_switched_in_one_process_holds_in_the_other(two_bots):
    async with two_bots("first") as first, two_bots("second") as second:
        assert (await second.send("!hi")).content.startswith("Привет")  # read, and cached
        assert "English" in (await first.send("!language en", **ADMIN)).content

        async def english() -> bool:
            return (await second.send("!hi")).content.startswith("Hi")

        assert await eventually(english)
        await first.send("!language default", **ADMIN)

        async def russian() -> bool:
            return (await second.send("!hi")).content.startswith("Привет")

        assert await eventually(russian)


def test_another_storages_setting_changes_are_heard_and_its_own_are_not(postgres_url):
    writer, reader = Storage(postgres_url), Storage(postgres_url)
    heard_by_reader, heard_by_writer = [], []
    try:
        reader.watch(lambda tenant, key: heard_by_reader.append((tenant, key)))
        writer.watch(lambda tenant, key: heard_by_writer.append((tenant, key)))
        writer.set_setting_sync("model.current", "v2", tenant="10")
        writer.set_setting_sync("active", "faq")
        deadline = time.monotonic() + 10
        while len(heard_by_reader) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert heard_by_reader == [("10", "model.current"), ("", "active")]
        assert heard_by_writer == []
    finally:
        writer.close()
        reader.close()


def test_an_archive_cannot_write_outside_its_folder(tmp_path):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        info = tarfile.TarInfo("../escaped.txt")
        info.size = 3
        archive.addfile(info, io.BytesIO(b"bad"))
    with pytest.raises(tarfile.TarError):
        unpack(buffer.getvalue(), tmp_path / "models" / "v1")
    assert not (tmp_path / "models" / "escaped.txt").exists() and not (tmp_path / "models" / "v1").exists()
    assert [p.name for p in (tmp_path / "models").iterdir()] == []  # nothing half-unpacked left behind


async def test_a_model_trained_before_models_were_shared_is_published_when_loaded(postgres_url, tmp_path):
    storage = Storage(postgres_url)
    try:
        old = LocalModelService(DataFolder(tmp_path / "old").ensure(), storage)
        model = RetrievalModel.fit([Example(QUESTION, TRAINED)])
        model.save(old.models_dir("10") / "v1")  # as an earlier version left it: a folder, nothing stored
        storage.set_setting_sync("model.current", "v1", tenant="10")
        assert await old.reply(QUESTION, tenant="10") == TRAINED
        assert storage.models.versions_sync("local", tenant="10") == ["v1"]
        elsewhere = LocalModelService(DataFolder(tmp_path / "elsewhere").ensure(), storage)
        assert await elsewhere.reply(QUESTION, tenant="10") == TRAINED
        assert (elsewhere.models_dir("10") / "v1" / "model.joblib").is_file()
    finally:
        storage.close()
