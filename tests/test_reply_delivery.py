"""Replies reach the user whatever their text: through discord.py's real machinery (BotHarness) on the
shipped commands.yaml, long answers with code fences are split and sent (the splitter used to loop
forever on them, freezing the bot for everyone)."""

import json
from pathlib import Path

import pytest

from deadline import deadline
from hypotez.testing import BotHarness
from hypotez.text import DISCORD_LIMIT, FENCE

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "commands.yaml"
TRAINER = {"roles": ["Trainer"]}


@pytest.fixture
async def bot(tmp_path):
    async with BotHarness.from_spec(SPEC, data_dir=tmp_path / "data", voice_factory=lambda *a: None) as harness:
        yield harness


def assert_sendable(messages) -> None:
    assert messages, "nothing was sent"
    for message in messages:
        assert message.content.strip()
        assert len(message.content) <= DISCORD_LIMIT
        assert message.content.count(FENCE) % 2 == 0, message.content[:200]


async def test_feedback_holding_a_code_fence_then_a_long_line_is_listed(bot):
    entry = "```" + "ab " * 490
    for n in range(3):
        await bot.send(f"!feedback {entry}", user_id=5_000 + n)
    with deadline(10):  # the splitter looping never gives the event loop back: only a signal stops it
        latest = await bot.send("!feedback")
    assert_sendable(latest.messages)
    assert latest.content.count("ab ab ab") >= 3 and "Последние отзывы" in latest.content


async def test_a_role_less_test_of_a_fenced_long_line_is_answered(bot):
    case = "```" + "слово " * 319 + "слово"
    content = "!test " + json.dumps([case], ensure_ascii=False)
    assert 1_900 <= len(content) <= 2_000
    with deadline(10):
        reply = await bot.send(content)
    assert_sendable(reply.messages)
    assert "Проверка модели" in reply.content and "(нет ответа)" in reply.content


async def test_a_trained_answer_that_starts_with_a_fence_is_sent(bot):
    answer = "```" + "ab " * 800
    examples = "\n".join(json.dumps({"prompt": p, "completion": answer}, ensure_ascii=False)
                         for p in ("покажи код", "пример кода", "код пожалуйста"))
    await bot.send("!train", attachments=[("code.jsonl", examples.encode(), "application/octet-stream")], **TRAINER)
    await bot.settle(60)
    with deadline(10):
        reply = await bot.send("покажи код")
    assert_sendable(reply.messages)
    assert len(reply.messages) == 2 and reply.content.count("ab ") >= 790
