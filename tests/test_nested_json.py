"""JSON nested deeper than the decoder can follow is a bad line like any other, located and worded in
the reply's language, through the real commands (BotHarness on the shipped commands.yaml)."""


import pytest

from hypotez.services.model.datasets import DatasetError, read_bytes

TRAINER = {"roles": ["Trainer"]}
GOOD = b'{"prompt": "hi", "completion": "hello"}\n'


@pytest.mark.parametrize("name, content, where", [
    ("deep.jsonl", GOOD + b"[" * 2000 + b"\n" + GOOD, "deep.jsonl:2:"),
    ("deep.jsonl", GOOD + b'{"prompt": ' + b"[" * 5000 + b"\n", "deep.jsonl:2:"),
    ("deep.json", b'[\n{"prompt": "hi", "completion": "hello"},\n' + b"[" * 2000 + b"\n]", "deep.json:3:"),
    ("deep.json", b"[" * 2000, "deep.json:1:"),
])
async def test_a_training_file_nested_too_deeply_is_a_located_bad_line(bot, name, content, where):
    reply = await bot.send("!train", attachments=[(name, content, "application/octet-stream")], **TRAINER)
    assert "💥" not in reply.content, reply.content
    assert f"{where} в JSON слишком глубокая вложенность" in reply.content, reply.content
    assert "ничего не импортировано" in reply.content


async def test_a_training_file_in_the_data_folder_nested_too_deeply_is_a_located_bad_line(bot):
    folder = bot.data_folder() / "sets"
    folder.mkdir(parents=True)
    (folder / "deep.jsonl").write_bytes(GOOD + b"[" * 3000)
    for text in ("!train data=sets/deep.jsonl", "!train data_dir=sets"):
        reply = await bot.send(text, **{**TRAINER, "user_id": 4_000_000_000_000_100 + len(text)})
        assert "sets/deep.jsonl:2: в JSON слишком глубокая вложенность" in reply.content, reply.content


@pytest.mark.parametrize("text", ["[" * 1500, '[{"input": ' + "[" * 1500, '"' + "x" * 10 + '"' + "]" * 1500])
async def test_test_with_json_nested_too_deeply_says_so(bot, text):
    reply = await bot.send("!test " + text)
    assert "💥" not in reply.content, reply.content
    assert reply.content.startswith("⚠️"), reply.content


async def test_test_with_json_nested_too_deeply_names_the_problem(bot):
    reply = await bot.send("!test " + "[" * 1500)
    assert "`test_data`: в JSON слишком глубокая вложенность" in reply.content, reply.content


async def test_a_test_file_nested_too_deeply_names_the_file(bot):
    (bot.data_folder() / "cases.json").write_text("[" * 1500)
    reply = await bot.send("!test file=cases.json", **TRAINER)
    assert "cases.json: в JSON слишком глубокая вложенность" in reply.content, reply.content


def test_the_english_reason_is_located_too():
    with pytest.raises(DatasetError) as error:
        read_bytes(GOOD + b"[" * 2000 + b"\n", "deep.jsonl")
    assert error.value.problems[0].key == "dataset.at_line"
    assert "deep.jsonl:2: the JSON is nested too deeply" in str(error.value)
