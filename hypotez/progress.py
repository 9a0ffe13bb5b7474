"""Reporting a background job in the channel it was started from: one progress message, edited as the
job moves, and the result posted when it ends.

A command that starts a job declares the outcomes ``progress``, ``finished`` and ``failed`` in its
``reply`` mapping. Where the job reports is kept with the job (:data:`NOTIFY`), so a job resumed after a
restart edits the same progress message and posts its result in the same channel.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from hypotez.errors import BadReply
from hypotez.invocation import EditableMessage, Invocation
from hypotez.reasons import Reason

log = logging.getLogger("hypotez.progress")

# The key in a job's ``extra`` that says where it reports (see :func:`notify_target`).
NOTIFY = "notify"
WORDED_FIELDS = ("status", "last_event", "error", "hint")


def job_template_data(invocation: Invocation, data: dict[str, Any]) -> dict[str, Any]:
    """A job's template data with its status, latest event, why it failed and what to do in the reply's
    language."""
    return {**data, **{name: invocation.word(data[name]) for name in WORDED_FIELDS if name in data}}


def notify_target(invocation: Invocation) -> dict[str, Any]:
    """What a resumed job needs to report where this invocation would have: the command (its templates),
    the channel, the server, the language and who asked."""
    return {"command": invocation.command.name, "channel_id": invocation.place.channel_id,
            "channel_name": invocation.place.channel_name, "guild_id": invocation.place.guild_id,
            "language": invocation.language, "user_id": invocation.author.id,
            "user_name": invocation.author.shown_name}


class JobProgress:
    """Listens to a job (the Model service calls :meth:`update` on every change)."""

    def __init__(self, invocation: Invocation, message: EditableMessage | None = None, *, ready: bool = False):
        self.invocation = invocation
        self.message = message
        self.ready = asyncio.Event()
        if ready:
            self.ready.set()
        self.lock = asyncio.Lock()
        self.last_text = ""

    def render(self, key: str, job: Any) -> str:
        try:
            return self.invocation.render(key, job_template_data(self.invocation, job.template_data()))
        except BadReply as error:  # a template that fails: its place in the log, a short note in the channel
            log.error("%s", error)
            return self.invocation.word(Reason("template.job_failed", job=job.id))

    async def update(self, job: Any) -> None:
        await self.ready.wait()
        outbox = self.invocation.outbox
        if outbox is None:
            return
        async with self.lock:
            text = self.render("progress", job)
            if self.message is not None and text != self.last_text:
                try:
                    await self.message.edit(text)
                except Exception as error:  # e.g. the message was deleted while the bot was down
                    log.warning("could not edit the progress message of %s (%s): posting a new one", job.id, error)
                    self.message = None
            if self.message is None:
                self.message = await outbox.send(text)
                target = job.extra.get(NOTIFY)
                if isinstance(target, dict):  # saved with the job's next update
                    target["message_id"] = self.message.id
            self.last_text = text
            if job.done:
                await outbox.send(self.render("finished" if job.status == "succeeded" else "failed", job))
