"""The shipped bot end to end through discord.py's real command machinery (offline), with the real
commands.yaml (language ru) and templates: every shipped command, prefix and slash."""

import zipfile

import discord
import pytest
from support import FAQ, ROOT

from hypotez.adapters.discord_inbound import permission_names

SPEC = ROOT / "commands.yaml"
TRAINER = {"roles": ["Trainer"]}


@pytest.fixture
def data(bot):
    return bot.data_folder()


async def test_hi_greets_the_caller_by_name(bot):
    reply = await bot.send("!hi", author="Маша")
    assert reply.content.startswith("Привет, Маша!")
    assert "`!help`" in reply.content


async def test_aliases_and_case_reach_the_same_command(bot):
    expected = (await bot.send("!hi")).content
    assert (await bot.send("!привет")).content == expected
    assert (await bot.send("!HI")).content == expected


async def test_instruction_comes_from_its_template(bot):
    reply = await bot.send("!instruction")
    assert "Как пользоваться hypotez" in reply.content
    assert "!select_dataset" in reply.content


async def test_feedback_is_saved_and_listed(bot):
    saved = await bot.send("!feedback отвечает   слишком медленно")
    assert "Записал его под номером 1" in saved.content
    latest = await bot.send("!feedback")
    assert "#1 ann: отвечает   слишком медленно" in latest.content


async def test_feedback_without_any_yet(bot):
    reply = await bot.send("!feedback")
    assert "Отзывов пока нет" in reply.content




async def trained(bot):
    await bot.send("!train", attachments=[("faq.jsonl", FAQ.read_bytes(), "application/jsonl")], **TRAINER)
    await bot.settle()


async def test_correct_by_message_id_stores_the_original_answer(bot):
    await trained(bot)
    answer = await bot.send("как тебя зовут?")
    assert answer.content == "Меня зовут hypotez."
    reply = await bot.send(f"!correct {answer.messages[0].id} Я — hypotez!", **TRAINER)
    assert "Исправление №1 записано" in reply.content
    assert "Вопрос: как тебя зовут?" in reply.content and "Стало: Я — hypotez!" in reply.content
    [correction] = await bot.services_of().storage.corrections()
    assert (correction.prompt, correction.answer, correction.correction) == (
        "как тебя зовут?", "Меня зовут hypotez.", "Я — hypotez!")


async def test_correct_by_replying_to_the_answer(bot):
    await trained(bot)
    answer = await bot.send("what is your name")
    reply = await bot.send("!correct I am hypotez, a learning bot", reply_to=answer.messages[0].id, **TRAINER)
    assert "Стало: I am hypotez, a learning bot" in reply.content


async def test_command_replies_cannot_be_corrected(bot):
    hi = await bot.send("!hi")
    reply = await bot.send(f"!correct {hi.messages[0].id} лучше", **TRAINER)
    assert f"нет ответа с id сообщения {hi.messages[0].id}" in reply.content


async def test_correct_an_unknown_message(bot):
    reply = await bot.send("!correct 42 что-то", **TRAINER)
    assert "нет ответа с id сообщения 42" in reply.content


async def test_getfile_attaches_the_file(bot, data):
    (data / "notes").mkdir()
    (data / "notes" / "a.txt").write_text("содержимое")
    reply = await bot.send("!getfile notes/a.txt", **TRAINER)
    assert "`notes/a.txt`" in reply.content
    assert [(f.filename, f.data) for f in reply.files] == [("a.txt", "содержимое".encode())]


async def test_archive_zips_a_folder_into_the_archives(bot, data):
    (data / "set").mkdir()
    (data / "set" / "one.jsonl").write_text('{"prompt": "a", "completion": "b"}\n')
    reply = await bot.send("!archive set", **TRAINER)
    assert "упакована" in reply.content and "1 файл" in reply.content
    [archive] = (data / "archives").glob("set-*.zip")
    assert zipfile.ZipFile(archive).namelist() == ["one.jsonl"]


async def test_select_dataset_remembers_and_archives_it(bot, data):
    (data / "bad").mkdir()
    (data / "bad" / "x.csv").write_text("prompt,completion\nhi,bye\n")
    reply = await bot.send("!select_dataset bad positive=no", **TRAINER)
    assert "отрицательных" in reply.content
    assert await bot.services_of().storage.get_setting("active_dataset.negative") == "bad"
    assert list((data / "archives").glob("bad-*.zip"))


async def test_help_lists_every_command_with_usage(bot):
    reply = await bot.send("!help")
    for usage in ("!hi", "!feedback [feedback_text]", "!test [test_data] [file]", "!model", "!correct <message_id> <correction>",
                  "!getfile <file_path>", "!archive <directory>",
                  "!select_dataset <path_to_dir_positive> [positive=yes|no]"):
        assert f"`{usage}`" in reply.content


async def test_help_for_one_command(bot):
    reply = await bot.send("!help getfile")
    assert "Использование: `!getfile <file_path>`" in reply.content
    assert "роли Trainer, Тренер" in reply.content


# --- user errors -----------------------------------------------------------------------------


async def test_unknown_command_suggests_a_close_one(bot):
    reply = await bot.send("!feedbak")
    assert "Команды `!feedbak` нет" in reply.content and "`!feedback`" in reply.content


async def test_missing_argument_says_which_and_shows_usage(bot):
    reply = await bot.send("!archive", **TRAINER)
    assert "нужен аргумент `directory`" in reply.content
    assert "Использование: `!archive <directory>`" in reply.content


async def test_bad_argument_names_the_argument_and_the_reason(bot, data):
    (data / "d").mkdir()
    (data / "d" / "f").write_text("x")
    reply = await bot.send("!select_dataset d positive=maybe", **TRAINER)
    assert "`positive`" in reply.content and "'maybe' — не «да» и не «нет»" in reply.content


async def test_too_long_feedback_is_refused(bot):
    reply = await bot.send("!feedback " + "я" * 1600)
    assert "не длиннее 1500 символов" in reply.content
    assert await bot.services_of().storage.latest_feedback() == []


async def test_privileged_command_without_role_is_refused(bot, data):
    (data / "secret.txt").write_text("x")
    reply = await bot.send("!getfile secret.txt")
    assert "Вам нельзя использовать `!getfile`" in reply.content
    assert reply.files == []


async def test_discord_permission_grants_privileged_commands(bot, data):
    (data / "f.txt").write_text("x")
    reply = await bot.send("!getfile f.txt", permissions=["manage_guild"])
    assert [f.filename for f in reply.files] == ["f.txt"]


async def test_server_only_command_in_direct_messages(bot):
    reply = await bot.send("!archive .", dm=True)
    assert "работает только на сервере" in reply.content


async def test_cooldown_refuses_the_fourth_feedback_in_a_minute(bot):
    for n in range(3):
        assert "Спасибо" in (await bot.send(f"!feedback отзыв {n}")).content
    reply = await bot.send("!feedback ещё один")
    assert "Не так быстро" in reply.content
    assert len(await bot.services_of().storage.latest_feedback(10)) == 3


async def test_path_outside_the_data_folder_is_refused(bot, tmp_path):
    (tmp_path / "outside.txt").write_text("секрет")
    reply = await bot.send("!getfile ../outside.txt", **TRAINER)
    assert "нельзя использовать" in reply.content and reply.files == []


async def test_everyone_in_an_argument_never_pings(bot):
    reply = await bot.send("!feedback @everyone @here <@&123> <@456> срочно")
    latest = await bot.send("!feedback")
    assert "@everyone" in latest.content
    for message in reply.messages + latest.messages:
        assert message.allowed_mentions == {"parse": []}


async def test_long_replies_are_split_at_2000_characters(bot):
    for n in range(5):
        await bot.send(f"!feedback {n} " + "слово " * 240, user_id=5_000 + n)
    reply = await bot.send("!feedback")
    assert len(reply.messages) >= 2
    assert all(len(m.content) <= 2000 for m in reply.messages)
    assert all(m.allowed_mentions == {"parse": []} for m in reply.messages)


# --- slash commands: same declaration, same replies -----------------------------------------


async def test_slash_hi_matches_the_prefix_command(bot):
    assert (await bot.slash("hi")).content == (await bot.send("!hi")).content


async def test_slash_help_for_a_command_matches(bot):
    assert (await bot.slash("help", command="archive")).content == (await bot.send("!help archive")).content


async def test_slash_feedback_is_stored(bot):
    reply = await bot.slash("feedback", feedback_text="через слэш")
    assert "Спасибо за отзыв" in reply.content
    [entry] = await bot.services_of().storage.latest_feedback()
    assert entry.text == "через слэш"


async def test_slash_getfile_with_role_attaches(bot, data):
    (data / "r.txt").write_text("slash")
    reply = await bot.slash("getfile", file_path="r.txt", **TRAINER)
    assert [f.data for f in reply.files] == [b"slash"]


async def test_slash_refuses_without_permission(bot, data):
    (data / "r.txt").write_text("slash")
    assert (await bot.slash("getfile", file_path="r.txt")).content == (await bot.send("!getfile r.txt")).content


async def test_slash_boolean_and_path_validation(bot, data):
    (data / "good").mkdir()
    (data / "good" / "a.jsonl").write_text("{}\n")
    reply = await bot.slash("select_dataset", path_to_dir_positive="good", positive=True, **TRAINER)
    assert "положительных" in reply.content


async def test_slash_commands_are_generated_for_every_command(bot):
    names = {c.name for c in bot.bot.tree.get_commands(type=discord.AppCommandType.chat_input)}
    assert names == {c.name for c in bot.app.spec.commands if c.slash}
    select = bot.bot.tree.get_command("select_dataset").to_dict(bot.bot.tree)
    options = {o["name"]: o for o in select["options"]}
    assert options["path_to_dir_positive"]["required"] is True
    assert options["positive"]["type"] == 5 and options["positive"].get("required", False) is False
    assert all(len(o["description"]) <= 100 for o in select["options"])


def test_permission_names_are_discord_py_names_and_worked_out_once_per_value():
    value = discord.Permissions(administrator=True, manage_guild=True, send_messages=True).value
    assert permission_names(value) == {"administrator", "manage_guild", "send_messages"}
    assert permission_names(value) is permission_names(value)
    assert permission_names(0) == frozenset()
