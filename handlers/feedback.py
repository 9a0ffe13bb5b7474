"""Feedback and corrections: what users tell the bot about its answers, stored in SQLite."""

from __future__ import annotations

from typing import TypedDict

from hypotez import Invocation, Response
from hypotez.errors import BadArgument, NotFound
from hypotez.reasons import Reason

RECENT_FEEDBACK = 5


class FeedbackSaved(TypedDict):
    id: int
    text: str


class FeedbackEntry(TypedDict):
    id: int
    user: str
    text: str
    created: str


class FeedbackLatest(TypedDict):
    entries: list[FeedbackEntry]


class CorrectionSaved(TypedDict):
    id: int
    message_id: str
    prompt: str
    answer: str
    correction: str


async def feedback(invocation: Invocation,
                   feedback_text: str | None = None) -> Response[FeedbackSaved] | Response[FeedbackLatest]:
    storage = invocation.services.storage
    if feedback_text and feedback_text.strip():
        feedback_id = await storage.add_feedback(
            invocation.author.id, invocation.author.shown_name, feedback_text.strip(),
            invocation.place.guild_id, invocation.place.channel_id,
        )
        return Response(data={"id": feedback_id, "text": feedback_text.strip()}, template="saved")
    recent = await storage.latest_feedback(RECENT_FEEDBACK)
    if not recent:
        return Response(template="empty")
    return Response(data={"entries": [{"id": f.id, "user": f.user_name, "text": f.text, "created": f.created}
                                      for f in recent]}, template="latest")


async def correct(invocation: Invocation, message_id: str | None = None,
                  correction: str = "") -> Response[CorrectionSaved]:
    """Record a better answer for one of the bot's earlier messages.

    The message is named by its id, or, on Discord, by replying to it (then no id is needed)."""
    storage = invocation.services.storage
    target = (message_id or "").strip()
    if not target.isdigit() and invocation.reference_id:
        # "!correct better answer" sent as a reply: the first word was part of the correction.
        correction = f"{target} {correction}".strip() if target else correction
        target = invocation.reference_id
    if not target:
        raise BadArgument("message_id", Reason("correct.which"))
    if not target.isdigit():
        raise BadArgument("message_id", Reason("correct.not_an_id", value=target))
    if not correction.strip():
        raise BadArgument("correction", Reason("correct.no_correction"))
    answer = await storage.find_answer(target)
    if answer is None:
        raise NotFound("answer", Reason("correct.unknown_answer", id=target))
    correction_id = await storage.add_correction(target, invocation.author.id, answer.prompt, answer.answer,
                                                 correction.strip())
    return Response(data={"id": correction_id, "message_id": target, "prompt": answer.prompt,
                          "answer": answer.answer, "correction": correction.strip()})


RATINGS = {"good": "👍", "bad": "👎"}


class Rated(TypedDict):
    id: int
    rating: str
    mark: str
    message_id: str
    prompt: str
    answer: str


class Taught(TypedDict):
    id: int
    question: str
    answer: str


async def rate(invocation: Invocation, rating: str, target: str | None = None) -> Response[Rated]:
    """Store a 👍 or 👎 on one of the bot's answers (the buttons under its answers run this), as
    feedback that names the answer. The answer is the message the button is on, or ``target`` (its id)."""
    storage = invocation.services.storage
    target = (target or invocation.reference_id or "").strip()
    if not target:
        raise BadArgument("target", Reason("correct.which"))
    answer = await storage.find_answer(target)
    if answer is None:
        raise NotFound("answer", Reason("correct.unknown_answer", id=target))
    mark = RATINGS[rating]
    feedback_id = await storage.add_feedback(
        invocation.author.id, invocation.author.shown_name, f"{mark} answer {target}: {answer.prompt} → {answer.answer}",
        invocation.place.guild_id, invocation.place.channel_id,
    )
    return Response(data={"id": feedback_id, "rating": rating, "mark": mark, "message_id": target,
                          "prompt": answer.prompt, "answer": answer.answer})


async def teach(invocation: Invocation, question: str, answer: str) -> Response[Taught]:
    """Keep a question someone asked with the answer it should get (\"Train on this\" on their message):
    stored as a correction, so `!train corrections=yes` trains on it."""
    storage = invocation.services.storage
    target = invocation.reference_id or ""
    correction_id = await storage.add_correction(target, invocation.author.id, question.strip(), "", answer.strip())
    return Response(data={"id": correction_id, "question": question.strip(), "answer": answer.strip()})
