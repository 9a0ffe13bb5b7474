"""Who may read the data folder, and what of it they can reach, through the real commands (BotHarness on
the shipped commands.yaml): a command anyone may run never shows a data-folder file, every file a command
reads is capped before it is read, file commands have cooldowns, and the bot's own state folder
(DATA/.hypotez/) is never listed, archived or trained on."""

import json
import zipfile
from pathlib import Path

import pytest
from support import ROOT

from hypotez.registry import load_spec

SPEC = ROOT / "commands.yaml"
TRAINER = {"roles": ["Trainer"]}
SECRET_PROMPT = "what is the launch code"
SECRET_ANSWER = "PRIVATE-ANSWER-4471"


@pytest.fixture
def data(bot) -> Path:
    root = bot.data_folder()
    (root / "datasets").mkdir(parents=True, exist_ok=True)
    (root / "datasets" / "private.json").write_text(
        json.dumps([{"input": SECRET_PROMPT, "expected": SECRET_ANSWER}]), encoding="utf-8")
    return root


# --- a command anyone may run never reveals data-folder content ---------------------------------


async def test_anyone_tests_inline_json_but_a_data_folder_file_needs_a_trainer(bot, data):
    inline = await bot.send('!test [{"input": "hello", "expected": "hi"}]')
    assert "🧪" in inline.content and "hello" in inline.content

    by_position = await bot.send("!test datasets/private.json")
    by_name = await bot.send("!test file=datasets/private.json")
    by_slash = await bot.slash("test", file="datasets/private.json")
    for reply in (by_position, by_name, by_slash):
        assert SECRET_PROMPT not in reply.content and SECRET_ANSWER not in reply.content, reply.content
    assert "не JSON-список" in by_position.content and "`!test file=datasets/private.json`" in by_position.content
    for reply in (by_name, by_slash):
        assert "⛔ Вам нельзя использовать `!test`: аргумент `file` могут указывать не все" in reply.content, \
            reply.content
        assert "Нужна одна из ролей: Trainer, Тренер" in reply.content

    trainer = await bot.send("!test file=datasets/private.json", **TRAINER)
    assert f"1. {SECRET_PROMPT} →" in trainer.content


async def test_a_refused_user_learns_nothing_about_which_files_exist(bot, data):
    exists = await bot.send("!test file=datasets/private.json")
    missing = await bot.send("!test file=datasets/nothing-here.json")
    assert exists.content == missing.content


async def test_a_test_file_over_its_size_cap_is_refused_before_reading(bot, data):
    big = data / "datasets" / "big.json"
    with big.open("wb") as stream:  # sparse: 350 MB that take no disk
        stream.truncate(350 * 1024 * 1024)
    reply = await bot.send("!test file=datasets/big.json", **TRAINER)
    assert "`datasets/big.json` нельзя использовать: файл весит 350,0 МБ; здесь можно не больше 5,0 МБ" \
        in reply.content, reply.content


async def test_a_training_file_over_its_size_cap_is_refused_before_reading(bot, data):
    with (data / "datasets" / "big.jsonl").open("wb") as stream:
        stream.truncate(1100 * 1000 * 1000)
    reply = await bot.send("!train data=datasets/big.jsonl", **TRAINER)
    assert "datasets/big.jsonl: файл весит 1.1 ГБ; можно не больше 1 ГБ" in reply.content, reply.content


def test_every_shipped_command_that_reads_or_writes_files_has_a_cooldown():
    spec = load_spec(SPEC)
    touching = [c for c in spec.commands if any(a.type in ("path", "attachment") for a in c.arguments)]
    assert {c.name for c in touching} >= {"train", "test", "getfile", "archive", "select_dataset"}
    assert [c.name for c in touching if c.cooldown is None] == []


async def test_select_dataset_is_rate_limited(bot, data):
    replies = [await bot.send("!select_dataset datasets", **TRAINER) for _ in range(3)]
    assert all("📚" in r.content for r in replies[:2])
    assert replies[2].content.startswith("⏳ Не так быстро: `!select_dataset`"), replies[2].content
    assert len(list((data / "archives").glob("*.zip"))) == 2


# --- the bot's own state folder is never reached -----------------------------------------------


async def test_training_on_the_whole_data_folder_never_reads_the_bots_state(bot, data):
    (data / "datasets" / "faq.jsonl").write_text(
        "".join(json.dumps({"prompt": f"question {i}", "completion": f"answer {i}"}) + "\n" for i in range(10)))
    (data / "datasets" / "private.json").unlink()
    first = await bot.send("!train data_dir=.", **TRAINER)
    await bot.settle()
    second = await bot.send("!train data_dir=.", **TRAINER)
    await bot.settle()
    internal = bot.app.services.data.internal
    assert list(internal.rglob("*.jsonl")), "the jobs keep their examples in the state folder"
    for reply in (first, second):
        assert "10 примеров из ./" in reply.messages[0].content, reply.messages[0].content


async def test_select_dataset_and_archive_of_the_root_leave_the_state_folder_out(bot, data):
    (data / "datasets" / "private.json").unlink()
    (data / "datasets" / "one.csv").write_text("prompt,completion\nhi,bye\n")
    await bot.send("!train data=datasets/one.csv", **TRAINER)
    await bot.settle()
    internal = bot.app.services.data.internal
    assert any(p.is_file() for p in internal.rglob("*"))

    selected = await bot.send("!select_dataset .", **TRAINER)
    assert "(1 файл)" in selected.content, selected.content
    archived = await bot.send("!archive .", **TRAINER)
    assert "1 файл" in archived.content, archived.content
    for archive in (data / "archives").glob("*.zip"):
        assert zipfile.ZipFile(archive).namelist() == ["datasets/one.csv"]
