"""Reasons are worded in the reply's language: a Russian bot explains a refusal in Russian, an English
bot in English, through discord.py on the shipped commands.yaml (ru) and its English variant; and the
catalogs agree with each other and with the code."""

import re
from pathlib import Path

import pytest
from support import ADMIN, ROOT, TEMPLATES, TRAINER, english_spec, latin_words

from hypotez.errors import BadArgument, ConfigError
from hypotez.reasons import Reason, Reasons, builtin_catalog, placeholders, read_catalog
from hypotez.reasons import Catalog
from hypotez.reasons import BUILTIN_CATALOGS as BUILTIN_TEMPLATES

# --- the catalogs ------------------------------------------------------------------------------


def test_every_key_exists_in_every_language_with_the_same_placeholders():
    english = read_catalog(BUILTIN_TEMPLATES / "en" / "reasons.yaml")
    for folder in BUILTIN_TEMPLATES.iterdir():
        if folder.name == "en" or not (folder / "reasons.yaml").is_file():
            continue
        other = read_catalog(folder / "reasons.yaml")
        assert sorted(set(english) - set(other)) == [], f"missing in {folder.name}"
        assert sorted(set(other) - set(english)) == [], f"unknown in {folder.name}"
        for key, text in english.items():
            assert placeholders(other[key]) == placeholders(text), (folder.name, key)
    assert (BUILTIN_TEMPLATES / "ru" / "reasons.yaml").is_file()


def _keys_used_in_code() -> set[str]:
    """Every literal key given to Reason(...) in hypotez/ and handlers/, with the f-string families."""
    keys: set[str] = set()
    for folder in (ROOT / "hypotez", ROOT / "handlers"):
        for path in folder.rglob("*.py"):
            keys |= set(re.findall(r'Reason\(\s*"([a-z_]+\.[A-Za-z_.]+)"', path.read_text(encoding="utf-8")))
    keys |= {f"argument.no_{what}_called" for what in ("member", "channel")}
    keys |= {f"argument.no_such_{what}" for what in ("member", "channel")}
    keys |= {f"place.{where}" for where in ("guild", "dm", "servers")}
    return keys


def test_every_key_the_code_raises_is_in_the_english_catalog():
    english = read_catalog(BUILTIN_TEMPLATES / "en" / "reasons.yaml")
    used = _keys_used_in_code()
    assert len(used) > 80
    assert sorted(used - set(english)) == []


def test_a_reason_is_its_english_text_and_keeps_its_facts():
    reason = Reason("argument.not_integer", value="abc")
    assert reason == "'abc' is not a whole number" and reason.params == {"value": "abc"}
    error = BadArgument("times", reason)
    assert error.argument == "times" and error.reason is reason  # typed facts, no dictionary
    assert str(error) == "times: 'abc' is not a whole number"
    assert builtin_catalog("ru").render(error.reason) == "'abc' — не целое число"


def test_russian_plurals_and_nested_reasons():
    ru = builtin_catalog("ru")
    words = [ru.render(Reason("rule.maxLength", limit=n, length=n + 1)) for n in (1, 3, 5, 21, 1500)]
    assert words == ["должно быть не длиннее 1 символа (сейчас 2)", "должно быть не длиннее 3 символов (сейчас 4)",
                     "должно быть не длиннее 5 символов (сейчас 6)", "должно быть не длиннее 21 символа (сейчас 22)",
                     "должно быть не длиннее 1500 символов (сейчас 1501)"]
    assert ru.render(Reason("size.bytes", value=2)) == "2 байта"


def test_a_key_missing_in_a_language_falls_back_to_english(tmp_path):
    (tmp_path / "ru").mkdir()
    (tmp_path / "ru" / "reasons.yaml").write_text('path:\n  parent: "никаких «..»"\n', encoding="utf-8")
    reasons = Reasons(tmp_path, ["ru", "en"])
    assert reasons.catalog("ru").render(Reason("path.parent")) == "никаких «..»"  # the spec's own words
    own = reasons.catalog("ru")  # catalogs are read-only: a translation that lacks a key is another one
    ru = Catalog("ru", {key: text for key, text in own.texts.items() if key != "path.empty"}, own.fallback)
    assert ru.render(Reason("path.empty")) == "the path is empty"


def test_a_broken_catalog_of_the_spec_is_a_clear_error(tmp_path):
    (tmp_path / "ru").mkdir()
    (tmp_path / "ru" / "reasons.yaml").write_text("path: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="reasons catalog .*ru/reasons.yaml cannot be used"):
        Reasons(tmp_path, ["ru", "en"])


def test_a_catalog_may_not_reach_into_parameters(tmp_path):
    bad = tmp_path / "reasons.yaml"
    bad.write_text('path:\n  empty: "{value.__class__}"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="plain names"):
        read_catalog(bad)


# --- through the bot ---------------------------------------------------------------------------

def put_files(bot, tmp_path: Path) -> None:
    data = bot.data_folder()
    (data / "sets").mkdir(parents=True, exist_ok=True)
    (data / "sets" / "bad.jsonl").write_text('{"prompt": "hi", "completion": "hello"}\n{"prompt": "x"}\n{oops\n',
                                             encoding="utf-8")


# (message, what the user has, the Russian reason, the English reason)
CASES = [
    ("!train positive=maybe", TRAINER, "'maybe' — не «да» и не «нет»", "'maybe' is not yes or no"),
    ('!feedback "unclosed', {}, "Кавычка (\"), открытая на 1-м символе, не закрыта",
     'a quote (") opened at character 1 is never closed'),
    ("!archive sets more", TRAINER, "Лишние значения: 'more' не относится ни к одному аргументу",
     "too many values: 'more' does not belong to any argument"),
    ("!feedback " + "я" * 1501, {}, "должно быть не длиннее 1500 символов (сейчас 1501)",
     "must be at most 1500 characters long (got 1501)"),
    ('!language "a b"', ADMIN, "'a b' не подходит под ожидаемый вид", "'a b' does not have the expected form"),
    ("!language de", ADMIN, "«de» — не один из языков этого бота: ru, en (или «сброс»)",
     "'de' is not one of this bot's languages: ru, en (or 'default')"),
    ("!getfile ../x", TRAINER, "«..» запрещено: путь должен оставаться внутри папки данных",
     "'..' is not allowed; the path must stay inside the data folder"),
    ("!getfile /etc/passwd", TRAINER, "абсолютные пути запрещены", "absolute paths are not allowed"),
    ("!getfile ~/x", TRAINER, "пути от домашней папки (~) запрещены", "home-folder paths (~) are not allowed"),
    ("!getfile nothing.txt", TRAINER, "в папке данных нет такого файла или папки",
     "no such file or folder in the data folder"),
    ("!getfile sets", TRAINER, "это папка, а не файл", "this is a folder, not a file"),
    ("!correct 999 better", TRAINER, "У меня нет ответа с id сообщения 999",
     "I have no answer with message id 999: give the id of one of my messages"),
    ("!correct abc better", TRAINER, "'abc' — не id сообщения", "'abc' is not a message id"),
    ("!getfile x", {}, "у вас нет нужной роли или права. Нужна одна из ролей: Trainer",
     "you are not allowed to use this command. It needs one of the roles: Trainer"),
    ("!getfile x", {"dm": True}, "работает только на сервере", "only works in a server channel"),
    ("!test [1, 2", {}, "некорректный JSON: ожидалась запятая (строка 1, столбец 6)",
     "not valid JSON: Expecting ',' delimiter at line 1, column 6"),
    ("!train data=sets/bad.jsonl", TRAINER, "sets/bad.jsonl:2: «completion» нет или он пустой",
     "sets/bad.jsonl:2: 'completion' is missing or empty"),
]


def _id(case):
    return case[0][:30]


def foreign_words(reply: str, language: str, message: str) -> list[str]:
    """Words of the other language in a reply (the user's own message and role names aside)."""
    if language == "ru":
        return latin_words(reply)
    return re.findall("[а-яё]+", reply.replace(message, "").replace("Тренер", ""), re.I)


@pytest.mark.parametrize("language", ["ru", "en"])
@pytest.mark.parametrize("case", CASES, ids=_id)
async def test_the_bot_explains_in_its_language(tmp_path, case, language, hypotez_bot):
    message, who, russian, english = case
    spec = ROOT / "commands.yaml" if language == "ru" else english_spec(tmp_path)
    async with hypotez_bot(spec=spec, templates_dir=TEMPLATES, voice=False) as bot:
        put_files(bot, tmp_path)
        reply = (await bot.send(message, **who)).content
    assert (russian if language == "ru" else english) in reply, reply
    assert foreign_words(reply, language, message) == [], reply


async def test_a_bad_dataset_lists_every_line_in_russian(shipped_bot, tmp_path):
    put_files(shipped_bot, tmp_path)
    reply = (await shipped_bot.send("!train data=sets/bad.jsonl", **TRAINER)).content
    assert "В данных для обучения 2 ошибки; ничего не импортировано" in reply
    assert "sets/bad.jsonl:3: некорректный JSON: ожидалось имя ключа в двойных кавычках (столбец 2)" in reply
    assert latin_words(reply) == [], reply


async def test_a_servers_language_switch_switches_the_reasons(shipped_bot, tmp_path):
    put_files(shipped_bot, tmp_path)
    await shipped_bot.send("!language en", **ADMIN)
    reply = (await shipped_bot.send("!getfile ../x", **TRAINER)).content
    assert "Cannot use the path `../x`: '..' is not allowed" in reply


# --- the argument types the shipped bot does not use: the example spec, switched to Russian -------

EXAMPLE_CASES = [
    ("!roll abc", "'abc' — не целое число", "'abc' is not a whole number"),
    ("!roll 0", "должно быть не меньше 1 (получено 0)", "must be at least 1 (got 0)"),
    ("!roll 2 d8", "'d8' — не один из вариантов: d6, d20", "'d8' is not one of: d6, d20"),
    ("!remind soon hello", "'soon' — не число", "'soon' is not a number"),
    ("!remind 5 x", "должно быть не короче 2 символов", "must be at least 2 characters long"),
    ("!code abc 8", "'abc' не подходит под ожидаемый вид", "'abc' does not have the expected form"),
    ('!vote ["a",1]', "в [1]: должно быть текстом (получено 1)", "at [1]: must be a text (got 1)"),
    ("!secret", "работает только в личных сообщениях", "only works in direct messages"),
]


@pytest.fixture
async def example_bot(hypotez_bot):
    async with hypotez_bot(spec=ROOT / "commands.example.yaml", model=False, voice=False) as harness:
        yield harness


@pytest.mark.parametrize("case", EXAMPLE_CASES, ids=_id)
async def test_every_argument_type_explains_in_the_servers_language(example_bot, case):
    message, russian, english = case
    assert english in (await example_bot.send(message)).content
    await example_bot.send("!language ru", **ADMIN)
    reply = (await example_bot.send(message)).content
    assert russian in reply, reply
    assert latin_words(reply) == [], reply


async def test_unreadable_audio_is_explained_in_the_bots_language(tmp_path, hypotez_bot):
    garbage = [("voice-message.ogg", b"OggS" + b"\0" * 200, "audio/ogg")]
    async with hypotez_bot(spec=english_spec(tmp_path), templates_dir=TEMPLATES) as bot:
        reply = (await bot.send("", attachments=garbage)).content
    assert reply == "🎧 the file is not readable audio (corrupt, truncated or not audio at all)"
    async with hypotez_bot(spec=ROOT / "commands.yaml") as bot:
        reply = (await bot.send("", attachments=garbage)).content
    assert reply == ("🎧 Не удалось обработать аудио: файл не читается как аудио "
                     "(повреждён, обрезан или это вообще не аудио)")


def test_russian_reasons_that_open_a_reply_start_with_a_capital(tmp_path):
    from hypotez.rendering import Renderer

    renderer = Renderer(tmp_path, "ru")
    assert renderer.render("errors/not_found", {"message": "у меня нет ответа с id `abc`"}, "ru") == \
        "🔍 У меня нет ответа с id `abc`."
    assert renderer.render("errors/bad_argument", {"argument": "x", "reason": "не число", "usage": None},
                           "ru") == "⚠️ `x`: не число."
