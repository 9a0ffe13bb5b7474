"""The shipped bot's interactive parts, through discord.py's real machinery: 👍/👎 under its answers
store feedback on that answer (per server), and the context menus "Correct this answer" (the seed's
`!correct` without ids) and "Train on this" open forms whose submissions become training data."""

from pathlib import Path

import pytest

SPEC = Path(__file__).resolve().parent.parent / "commands.yaml"
OTHER_SERVER = 1_000_000_000_000_777


@pytest.fixture
async def bot(hypotez_bot):
    async with hypotez_bot(spec=SPEC, voice=False) as harness:
        yield harness


async def test_answers_carry_thumbs_that_store_feedback_on_that_answer(bot):
    answer = await bot.send("как погода?")
    [message] = answer.messages
    assert [[c.get("emoji", {}).get("name") for c in row["components"]] for row in message.components] == [["👍", "👎"]]
    up = await bot.press(answer, "👍", author="Маша")
    assert up.messages[0].ephemeral
    assert up.content.startswith("Спасибо за оценку 👍, Маша!")
    down = await bot.press(answer, "👎", author="Петя", user_id=4_000_000_000_000_005)
    assert down.content.startswith("Спасибо за оценку 👎, Петя!")
    stored = await bot.services_of().storage.latest_feedback(5)
    assert [f.text.split(":")[0] for f in stored] == [f"👎 answer {message.id}", f"👍 answer {message.id}"]
    assert stored[0].text.endswith("как погода? → " + message.content)
    assert await bot.services_of(OTHER_SERVER).storage.latest_feedback(5) == []  # each server its own


async def test_thumbs_on_another_servers_answer_find_nothing_there(bot):
    answer = await bot.send("как погода?")
    press = await bot.press(answer, "👍", guild=OTHER_SERVER)
    assert press.messages[0].ephemeral and "У меня нет ответа" in press.content
    assert await bot.services_of(OTHER_SERVER).storage.latest_feedback(5) == []


async def test_correct_this_answer_from_the_context_menu(bot):
    answer = await bot.send("как тебя зовут?")
    refused = await bot.context_menu("Correct this answer", message=answer.messages[0])
    assert refused.messages[0].ephemeral and "Trainer" in refused.content and refused.modal is None
    opened = await bot.context_menu("Correct this answer", message=answer.messages[0], roles=["Trainer"])
    assert opened.modal["title"] == "Исправить ответ"
    too_long = await bot.fill(opened, roles=["Trainer"], correction="я" * 1801)
    assert too_long.messages[0].ephemeral and "не длиннее 1800" in too_long.content
    saved = await bot.fill(opened, roles=["Trainer"], correction="Я — hypotez.")
    assert saved.messages[0].ephemeral and "Исправление №1 записано" in saved.content
    [correction] = await bot.services_of().storage.corrections()
    assert (correction.message_id, correction.prompt, correction.correction) == (
        answer.messages[0].id, "как тебя зовут?", "Я — hypotez.")


async def test_train_on_this_keeps_a_users_question_with_its_answer(bot):
    opened = await bot.context_menu("Train on this", text="сколько стоит подписка?", roles=["Тренер"])
    saved = await bot.fill(opened, roles=["Тренер"], answer="Подписка бесплатна.")
    assert "Вопрос: сколько стоит подписка?" in saved.content
    [correction] = await bot.services_of().storage.corrections()
    assert (correction.prompt, correction.answer, correction.correction) == (
        "сколько стоит подписка?", "", "Подписка бесплатна.")
    trained = await bot.send("!train corrections=yes", roles=["Trainer"])
    assert "corrections" in trained.content or "исправлен" in trained.content
    await bot.settle(60)
    assert "Подписка бесплатна." in (await bot.send("сколько стоит подписка?")).content
