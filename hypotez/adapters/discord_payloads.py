"""Discord's JSON shapes, as its gateway and REST API send them: what both the offline harness
(hypotez.testing) and the local Discord test server (tests/fakes/discord_server.py) build."""

from __future__ import annotations

import datetime
from typing import Any


def timestamp() -> str:
    """Now, in the ISO 8601 form Discord's payloads carry."""
    return datetime.datetime.now(datetime.timezone.utc).isoformat()


def user_payload(user_id: int, name: str, bot: bool = False) -> dict[str, Any]:
    return {"id": str(user_id), "username": name, "global_name": name, "discriminator": "0", "avatar": None,
            "bot": bot}
