"""Servers are separate: a bot invited to two servers keeps each one's feedback, corrections, remembered
answers, datasets, training jobs, models and files to itself, through the real commands (discord.py's
machinery, the shipped commands.yaml); direct messages have their own narrow scope; `bot.tenancy:
shared` shares everything, as a bot for one community spread over several servers wants."""

import json
import zipfile
from pathlib import Path

import pytest
from support import FAQ, ROOT

from hypotez.reasons import Reason
from hypotez.testing import GUILD_ID, BotHarness

TRAINER = {"roles": ["Trainer"]}
OTHER = 2_000_000_000_000_001  # a second server the bot is in
QUESTION = "как тебя зовут?"
TRAINED = "Меня зовут hypotez."


def faq() -> list[tuple[str, bytes, str]]:
    return [("faq.jsonl", FAQ.read_bytes(), "application/octet-stream")]


def spec_with(tmp_path: Path, settings: str) -> Path:
    """The shipped spec with ``settings`` added under ``bot:`` (its templates beside it)."""
    text = (ROOT / "commands.yaml").read_text(encoding="utf-8")
    text = text.replace("bot:\n", "bot:\n" + settings, 1)
    path = tmp_path / "commands.yaml"
    path.write_text(text, encoding="utf-8")
    (tmp_path / "templates").symlink_to(ROOT / "templates")
    return path


async def test_feedback_of_one_server_is_not_listed_on_another_or_in_direct_messages(bot):
    await bot.send("!feedback секрет второго сервера", guild=OTHER, user_id=21)
    assert "секрет второго сервера" not in (await bot.send("!feedback", user_id=22)).content
    assert "секрет второго сервера" not in (await bot.send("!feedback", dm=True, user_id=21)).content
    assert "секрет второго сервера" in (await bot.send("!feedback", guild=OTHER, user_id=22)).content


async def test_a_model_trained_on_one_server_does_not_answer_on_another(bot):
    await bot.send("!train", attachments=faq(), guild=OTHER, **TRAINER)
    await bot.settle()
    assert (await bot.send(QUESTION, guild=OTHER)).content == TRAINED
    assert (await bot.send(QUESTION)).content != TRAINED
    assert (await bot.send(QUESTION, dm=True)).content != TRAINED
    assert "ещё не обучена" in (await bot.send("!model")).content
    assert "версия `v1`" in (await bot.send("!model", guild=OTHER)).content
    cases = json.dumps([{"input": QUESTION, "expected": TRAINED}], ensure_ascii=False)
    assert "точность 0%" in (await bot.send("!test " + cases)).content
    assert "точность 100%" in (await bot.send("!test " + cases, guild=OTHER)).content


async def test_correct_on_one_server_cannot_edit_another_servers_answers(bot):
    await bot.send("!train", attachments=faq(), guild=OTHER, **TRAINER)
    await bot.settle()
    answer = await bot.send(QUESTION, guild=OTHER)
    answer_id = answer.messages[0].id
    refused = await bot.send(f"!correct {answer_id} чужое исправление", **TRAINER)
    assert f"нет ответа с id сообщения {answer_id}" in refused.content
    saved = await bot.send(f"!correct {answer_id} своё исправление", guild=OTHER, **TRAINER)
    assert "своё исправление" in saved.content
    storage = bot.app.services.storage
    assert [c.correction for c in await storage.corrections(tenant=str(OTHER))] == ["своё исправление"]
    assert await storage.corrections(tenant=str(GUILD_ID)) == []


async def test_each_server_sees_only_its_own_part_of_the_data_folder(bot):
    mine, theirs = bot.data_folder(), bot.data_folder(OTHER)
    assert mine != theirs and mine.parent == theirs.parent
    (theirs / "datasets").mkdir(parents=True)
    (theirs / "datasets" / "private.jsonl").write_text('{"prompt": "a", "completion": "b"}\n')
    (mine / "datasets").mkdir(parents=True)
    (mine / "datasets" / "own.jsonl").write_text('{"prompt": "c", "completion": "d"}\n')

    refused = await bot.send("!getfile datasets/private.jsonl", **TRAINER)
    assert not refused.files and "private.jsonl" in refused.content
    got = await bot.send("!getfile datasets/private.jsonl", guild=OTHER, **TRAINER)
    assert [f.filename for f in got.files] == ["private.jsonl"]
    # no path climbs from one server's folder into another's
    climb = await bot.send(f"!getfile ../{theirs.name}/datasets/private.jsonl", **TRAINER)
    assert not climb.files

    archived = await bot.send("!archive datasets", **TRAINER)
    assert "1 файл," in archived.content
    [zip_path] = (mine / "archives").glob("*.zip")
    assert zipfile.ZipFile(zip_path).namelist() == ["own.jsonl"]
    assert not (theirs / "archives").exists()


async def test_the_active_dataset_is_chosen_per_server(bot):
    theirs = bot.data_folder(OTHER)
    (theirs / "good").mkdir(parents=True)
    (theirs / "good" / "faq.jsonl").write_bytes(FAQ.read_bytes())
    assert "(1 файл)" in (await bot.send("!select_dataset good", guild=OTHER, **TRAINER)).content
    refused = await bot.send("!train", **TRAINER)  # this server chose nothing
    assert "Не на чем обучать" in refused.content
    started = await bot.send("!train", guild=OTHER, **TRAINER)
    assert "Обучение начато" in started.content
    await bot.settle()
    assert (await bot.send(QUESTION, guild=OTHER)).content == TRAINED


async def test_direct_messages_have_no_data_folder_and_their_own_feedback(bot):
    (bot.data_folder() / "x.json").write_text('["как тебя зовут?"]')
    # Naming a file takes a role, and roles exist only on a server: a direct message is refused...
    refused = await bot.send("!test file=x.json", dm=True)
    assert "бывают только на сервере" in refused.content and "как тебя зовут" not in refused.content
    # ...and below the checks, a direct message's services have no data folder at all
    from hypotez.errors import PathRefused
    direct = bot.services_of(None).data
    with pytest.raises(PathRefused) as refusal:
        direct.resolve("x.json")
    assert refusal.value.reason == Reason("path.direct_message")
    with pytest.raises(PathRefused):
        direct.create_unique("archives", "x", ".zip", lambda stream: None)
    await bot.send("!feedback отзыв в личке", dm=True, user_id=11)
    assert "отзыв в личке" not in (await bot.send("!feedback", dm=True, user_id=12)).content
    assert "отзыв в личке" not in (await bot.send("!feedback", user_id=13)).content
    assert "отзыв в личке" in (await bot.send("!feedback", dm=True, user_id=11)).content


async def test_direct_messages_are_answered_by_the_home_servers_model_read_only(tmp_path, hypotez_bot):
    spec = spec_with(tmp_path, f'  home_server: "{GUILD_ID}"\n')
    async with hypotez_bot(spec=spec, voice=False) as bot:
        await bot.send("!train", attachments=faq(), **TRAINER)
        await bot.settle()
        assert (await bot.send(QUESTION, dm=True)).content == TRAINED
        assert (await bot.send(QUESTION, guild=OTHER)).content != TRAINED  # other servers still have their own
        cases = json.dumps([{"input": QUESTION, "expected": TRAINED}], ensure_ascii=False)
        assert "точность 100%" in (await bot.send("!test " + cases, dm=True)).content


async def test_a_shared_bot_shares_everything_between_servers(tmp_path, hypotez_bot):
    spec = spec_with(tmp_path, "  tenancy: shared\n")
    async with hypotez_bot(spec=spec, voice=False) as bot:
        await bot.send("!feedback общий отзыв", guild=OTHER, user_id=21)
        assert "общий отзыв" in (await bot.send("!feedback", user_id=22)).content
        await bot.send("!train", attachments=faq(), guild=OTHER, **TRAINER)
        await bot.settle()
        assert (await bot.send(QUESTION)).content == TRAINED
        assert (await bot.send(QUESTION, dm=True)).content == TRAINED
        assert bot.data_folder() == bot.data_folder(OTHER) == (tmp_path / "data").resolve()


# -- a database and data folder from before servers were separated ---------------------------------

OLD_SCHEMA = """
CREATE TABLE feedback (id INTEGER PRIMARY KEY AUTOINCREMENT, created REAL NOT NULL, user_id TEXT NOT NULL,
    user_name TEXT NOT NULL, guild_id TEXT, channel_id TEXT, text TEXT NOT NULL);
CREATE TABLE answers (message_id TEXT PRIMARY KEY, created REAL NOT NULL, channel_id TEXT, user_id TEXT,
    prompt TEXT NOT NULL, answer TEXT NOT NULL);
CREATE TABLE corrections (id INTEGER PRIMARY KEY AUTOINCREMENT, created REAL NOT NULL, message_id TEXT NOT NULL,
    user_id TEXT NOT NULL, prompt TEXT NOT NULL, answer TEXT NOT NULL, correction TEXT NOT NULL);
CREATE TABLE jobs (id TEXT PRIMARY KEY, created REAL NOT NULL, updated REAL NOT NULL, status TEXT NOT NULL,
    data TEXT NOT NULL);
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


async def make_single_server_data(data: Path, feedback_servers: list[int]) -> None:
    """The data folder of an older, single-server hypotez: its database (without tenants), one trained
    model at the old place, the active dataset setting, and files at the top of the data folder."""
    import sqlite3

    from hypotez.services.datafolder import DataFolder
    from hypotez.services.model.backends.local import LocalModelService
    from hypotez.services.model.datasets import read_file
    from hypotez.services.storage import Storage

    folder = DataFolder(data).ensure()
    folder.internal.mkdir()
    with sqlite3.connect(folder.internal / "hypotez.sqlite3") as db:
        db.executescript(OLD_SCHEMA)
        for server in feedback_servers:
            db.execute("INSERT INTO feedback (created, user_id, user_name, guild_id, channel_id, text) "
                       "VALUES (1, 'u', 'ann', ?, 'c', ?)", (str(server), f"старый отзыв {server}"))
        db.execute("""INSERT INTO settings VALUES ('active_dataset.positive', '"datasets"')""")
    (data / "datasets").mkdir()
    (data / "datasets" / "faq.jsonl").write_bytes(FAQ.read_bytes())
    storage = Storage(folder.internal / "hypotez.sqlite3")
    model = LocalModelService(folder, storage)
    await model.train(read_file(FAQ, "faq.jsonl", True))
    await model.wait_idle()
    storage.close()
    assert (folder.internal / "models" / "local" / "v1").is_dir()


async def test_a_single_server_database_and_data_folder_are_handed_to_their_server(tmp_path, hypotez_bot):
    data = tmp_path / "data"
    await make_single_server_data(data, [GUILD_ID])
    async with hypotez_bot(spec=ROOT / "commands.yaml", data_dir=data, voice=False) as bot:
        assert (await bot.send(QUESTION)).content == TRAINED  # its model
        assert f"старый отзыв {GUILD_ID}" in (await bot.send("!feedback")).content
        assert [f.filename for f in (await bot.send("!getfile datasets/faq.jsonl", **TRAINER)).files] == ["faq.jsonl"]
        assert "Обучение начато" in (await bot.send("!train", **TRAINER)).content  # its active dataset
        await bot.settle()
        assert "версия `v2`" in (await bot.send("!model")).content
        # ...and none of it is another server's
        assert (await bot.send(QUESTION, guild=OTHER)).content != TRAINED
        assert "старый отзыв" not in (await bot.send("!feedback", guild=OTHER)).content
        assert not (await bot.send("!getfile datasets/faq.jsonl", guild=OTHER, **TRAINER)).files
    assert not (data / "datasets").exists() and (data / "servers" / str(GUILD_ID) / "datasets" / "faq.jsonl").is_file()
    # a second start finds nothing left to move and keeps working
    async with hypotez_bot(spec=ROOT / "commands.yaml", data_dir=data, voice=False) as bot:
        assert (await bot.send(QUESTION)).content == TRAINED


async def test_data_naming_several_servers_stays_aside_until_adopted(tmp_path, caplog, hypotez_bot):
    from hypotez.cli import main

    data = tmp_path / "data"
    await make_single_server_data(data, [GUILD_ID, OTHER])
    async with hypotez_bot(spec=ROOT / "commands.yaml", data_dir=data, voice=False) as bot:
        assert (await bot.send(QUESTION)).content != TRAINED
        assert (await bot.send(QUESTION, guild=OTHER)).content != TRAINED
    assert "hypotez adopt SERVER_ID" in caplog.text and str(OTHER) in caplog.text
    assert (data / "datasets" / "faq.jsonl").is_file()  # nothing moved

    assert main(["adopt", str(OTHER), "--spec", str(ROOT / "commands.yaml"), "--data", str(data)]) == 0
    async with hypotez_bot(spec=ROOT / "commands.yaml", data_dir=data, voice=False) as bot:
        assert (await bot.send(QUESTION, guild=OTHER)).content == TRAINED
        assert "старый отзыв" in (await bot.send("!feedback", guild=OTHER)).content
        assert (await bot.send(QUESTION)).content != TRAINED


def test_adopt_refuses_what_is_not_a_server_id(tmp_path, capsys):
    from hypotez.cli import main

    assert main(["adopt", "../x", "--spec", str(ROOT / "commands.yaml"), "--data", str(tmp_path)]) == 2
    assert "is not a server id" in capsys.readouterr().err


# -- a training job resumed after a restart reports where it was started ------------------------------

async def test_a_resumed_job_edits_its_progress_message_and_posts_its_result(tmp_path, hypotez_bot):
    data = tmp_path / "data"
    async with hypotez_bot(spec=ROOT / "commands.yaml", data_dir=data, voice=False) as bot:
        started = await bot.send("!train", attachments=faq(), guild=OTHER, **TRAINER)
        job_id = started.content.split("`")[1]
        await bot.settle()
        progress = next(m for m in bot.sent if m.content.startswith(f"⏳ `{job_id}`"))
        storage = bot.app.services.storage
        # The bot is killed while the job runs: the job is stored as running, with where it reports.
        job = await storage.get_job(job_id)
        assert job["extra"]["notify"]["message_id"] == progress.id
        storage.save_job_sync(job_id, "running", {**job, "status": "running", "progress": 0.4, "finished": None},
                              tenant=str(OTHER))

    async with hypotez_bot(spec=ROOT / "commands.yaml", data_dir=data, voice=False) as bot:
        await bot.settle()
        channel = str(BotHarness.channel_of(OTHER))
        edits = [r for r in bot.http.requests
                 if r.method == "PATCH" and r.path == f"/channels/{channel}/messages/{progress.id}"]
        assert edits and "100%" in edits[-1].json["content"] and job_id in edits[-1].json["content"]
        [result] = [m for m in bot.sent if m.content.startswith(f"✅ Обучение `{job_id}` завершено")]
        assert result.channel_id == channel and "`v2`" in result.content
        assert (await bot.send(QUESTION, guild=OTHER)).content == TRAINED
        assert (await bot.send(QUESTION)).content != TRAINED  # still that server's model only


async def test_a_resumed_job_whose_progress_message_is_gone_posts_a_new_one(tmp_path, hypotez_bot):
    data = tmp_path / "data"
    async with hypotez_bot(spec=ROOT / "commands.yaml", data_dir=data, voice=False) as bot:
        job_id = (await bot.send("!train", attachments=faq(), **TRAINER)).content.split("`")[1]
        await bot.settle()
        storage = bot.app.services.storage
        job = await storage.get_job(job_id)
        job["extra"]["notify"]["message_id"] = "999"  # deleted while the bot was down
        storage.save_job_sync(job_id, "running", {**job, "status": "running"}, tenant=str(GUILD_ID))

    restarted = hypotez_bot(spec=ROOT / "commands.yaml", data_dir=data, voice=False)
    restarted.http.missing_messages.add("999")
    async with restarted as bot:
        await bot.settle()
        assert any(m.content.startswith(f"⏳ `{job_id}`") for m in bot.sent)
        assert any(m.content.startswith(f"✅ Обучение `{job_id}`") for m in bot.sent)
