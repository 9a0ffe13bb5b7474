"""No reply ever pings: `@everyone`, `@here`, role and user mentions in any reply — messages, edits,
slash-command follow-ups and their edits, error replies — go out with every mention disabled.

The assertions are on what discord.py actually sent: the fake Discord HTTP API records each request."""

from __future__ import annotations

import json

from support import ROOT

from hypotez.testing import CHANNEL_ID

ROLE_ID = 1_000_000_000_000_777
USER_ID = 4_000_000_000_000_999
PING = f"@everyone @here <@&{ROLE_ID}> <@{USER_ID}> <@!{USER_ID}>"
TRAINER = {"roles": ["Trainer"]}


def _pings_dataset(prompt: str) -> bytes:
    return (json.dumps({"prompt": prompt, "completion": f"зову всех: {PING}"}, ensure_ascii=False) + "\n").encode()


async def test_no_reply_of_any_kind_can_ping_anyone(tmp_path, hypotez_bot):
    async with hypotez_bot(spec=ROOT / "commands.yaml", voice=False) as bot:
        # Training by message and by slash command: a started message, progress edits, the result.
        await bot.send("!train", attachments=[("pings.jsonl", _pings_dataset("кто здесь"), "application/json")],
                       **TRAINER)
        await bot.settle()
        await bot.slash("train", attachments={"file": ("more.jsonl", _pings_dataset("а кто там"), None)},
                        **TRAINER)
        await bot.settle()
        # A conversational answer that is full of mentions (the model learned it).
        assert PING in (await bot.send("кто здесь")).content
        # User text shown back: a feedback listing, by message and by slash command.
        await bot.send(f"!feedback {PING}", user_id=1)
        assert PING in (await bot.send("!feedback", user_id=2)).content
        await bot.slash("feedback", feedback_text=PING, user_id=3)
        assert PING in (await bot.slash("feedback", user_id=4)).content
        # Error replies that quote what the user typed.
        assert "@everyone" in (await bot.send(f"!help {PING}")).content
        assert "@everyone" in (await bot.send(f"!correct {PING} исправление", **TRAINER)).content
        assert "@everyone" in (await bot.slash("correct", message_id="@everyone", correction="x", **TRAINER)).content
        await bot.send("!@everyone")
        # A send that forgets allowed_mentions is covered by the bot's own default.
        await bot.bot.get_channel(CHANNEL_ID).send(PING)

    with_content = []
    for request in bot.http.requests:
        body = request.json or {}
        if request.path.startswith("/interactions/"):
            # A slash command's immediate response (callback type 4) is a message like any other.
            body = body.get("data") or {}
        if body.get("content"):
            with_content.append((request.method, request.path.split("/")[1], body))
    kinds = {(method, root) for method, root, _ in with_content}
    assert kinds == {("POST", "channels"), ("PATCH", "channels"), ("POST", "interactions"), ("POST", "webhooks"),
                     ("PATCH", "webhooks")}
    assert sum("@everyone" in body["content"] for _, _, body in with_content) >= 8
    for _, _, body in with_content:
        mentions = body.get("allowed_mentions")
        assert mentions is not None and mentions.get("parse") == [], body
        assert not mentions.get("users") and not mentions.get("roles") and not mentions.get("replied_user"), body


STATIC_SPEC = """
bot: {language: en, slash: false}
commands:
  shout:
    description: The same text for everyone, full of mentions (answered without running the pipeline)
    text: "attention @everyone @here"
  shout_file:
    description: The same, from a template file
    reply: shout
"""


async def test_static_replies_cannot_ping_either(tmp_path, hypotez_bot):
    (tmp_path / "templates" / "en").mkdir(parents=True)
    (tmp_path / "templates" / "en" / "shout.j2").write_text(PING)
    (tmp_path / "commands.yaml").write_text(STATIC_SPEC)
    async with hypotez_bot(spec=tmp_path / "commands.yaml", model=False, voice=False) as bot:
        command = bot.app.dispatcher.find("shout")
        assert bot.app.dispatcher.static_reply(command, None, "") is not None  # the short cut is taken
        assert (await bot.send("!shout")).content == "attention @everyone @here"
        assert (await bot.send("!shout_file")).content == PING
    bodies = [request.json for request in bot.http.requests if (request.json or {}).get("content")]
    assert len(bodies) == 2
    for body in bodies:
        assert body["allowed_mentions"] == {"parse": []}, body
