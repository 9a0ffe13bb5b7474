"""Under load: 500 invocations from 50 users at once, through discord.py's real machinery
(hypotez.testing.BotHarness), on the shipped commands.yaml. Every one is answered, once, without an
error, and cooldowns hold: exactly the allowed number of uses per user succeed."""

from __future__ import annotations

import asyncio
import logging
import random
import re
import sqlite3
from collections import Counter

from support import ROOT

USERS = 50
FEEDBACK_PER_USER = 5  # the spec allows 3 per 60 s per user
ALLOWED_FEEDBACK = 3


def user_id(n: int) -> int:
    return 5_000_000_000_000_000 + n


async def test_500_concurrent_invocations_from_50_users_all_answered_and_cooldowns_hold(tmp_path, caplog, hypotez_bot):
    rng = random.Random(500)
    async with hypotez_bot(spec=ROOT / "commands.yaml", voice=False) as bot:
        invocations = []  # (user number, kind, awaitable)
        for n in range(USERS):
            who = {"author": f"user{n}", "user_id": user_id(n)}
            invocations += [(n, "hi", bot.send("!hi", **who)) for _ in range(2)]
            invocations.append((n, "slash", bot.slash("hi", **who)))
            invocations += [(n, "chat", bot.send(f"вопрос {n}-{k} про погоду", **who)) for k in range(2)]
            invocations += [(n, "feedback", bot.send(f"!feedback отзыв {n}-{k}", **who))
                            for k in range(FEEDBACK_PER_USER)]
        rng.shuffle(invocations)
        assert len(invocations) == 500
        with caplog.at_level(logging.WARNING):
            exchanges = await asyncio.gather(*(call for _, _, call in invocations))
        database = bot.app.services.storage.path

    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text
    saved: Counter[int] = Counter()
    refused: Counter[int] = Counter()
    feedback_numbers = []
    for (n, kind, _), exchange in zip(invocations, exchanges):
        assert len(exchange.messages) == 1, (n, kind, exchange.content)  # no lost reply, none doubled
        text = exchange.content
        assert "💥" not in text and "⚠️" not in text, text
        if kind in ("hi", "slash"):
            assert text.startswith(f"Привет, user{n}!"), text
        elif kind == "chat":
            assert "Я пока не знаю, что ответить" in text, text
        elif "Спасибо за отзыв" in text:
            assert text.startswith(f"Спасибо за отзыв, user{n}!"), text
            saved[n] += 1
            feedback_numbers.append(int(re.search(r"номером (\d+)", text).group(1)))
        else:
            assert "Не так быстро: `!feedback`" in text, text
            refused[n] += 1
    assert all(saved[n] == ALLOWED_FEEDBACK for n in range(USERS)), saved
    assert all(refused[n] == FEEDBACK_PER_USER - ALLOWED_FEEDBACK for n in range(USERS)), refused
    assert sorted(feedback_numbers) == list(range(1, USERS * ALLOWED_FEEDBACK + 1))

    with sqlite3.connect(database) as db:
        per_user = Counter(uid for (uid,) in db.execute("SELECT user_id FROM feedback"))
        answers = db.execute("SELECT count(*) FROM answers").fetchone()[0]
    assert per_user == {str(user_id(n)): ALLOWED_FEEDBACK for n in range(USERS)}
    assert answers == USERS * 2  # every conversational answer remembered for !correct
