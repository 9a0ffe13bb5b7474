"""The test server's component interactions: a user presses a button or picks from a select menu on a
bot message, submits a form the bot opened, or uses a context menu — INTERACTION_CREATE of types 3, 5
and 2 (user and message commands) on the gateway, answered through the same callback route."""

from __future__ import annotations

import secrets
from typing import Any

from fakes.discord_model import Interaction, Message


def component(message: Message, name: str) -> dict[str, Any]:
    """The component of ``message`` labelled ``name`` (or showing that emoji, or with that placeholder)."""
    for row in message.components:
        for item in row.get("components", []):
            if name in (item.get("label"), (item.get("emoji") or {}).get("name"), item.get("placeholder")):
                return item
    raise LookupError(f"message {message.id} has no component {name!r}: {message.components}")


class ComponentsSide:
    """Mixed into FakeDiscord (which has the world: users, channels, the gateway)."""

    commands: dict[str, dict[str, Any]]
    interactions: dict[str, Interaction]

    def _base(self, kind: int, channel_id: str, user: str, data: dict[str, Any]) -> tuple[Interaction, dict[str, Any]]:
        interaction = Interaction(self.next_id(), secrets.token_urlsafe(24), str(data.get("name") or data.get(  # type: ignore[attr-defined]
            "custom_id")), channel_id)
        self.interactions[interaction.id] = interaction
        everyone_and_member = str((1 << 11) | (1 << 31) | (1 << 10) | (1 << 15))
        payload = {
            "id": interaction.id, "application_id": self.application_id, "type": kind,  # type: ignore[attr-defined]
            "token": interaction.token, "version": 1, "guild_id": self.guild_id, "channel_id": channel_id,  # type: ignore[attr-defined]
            "channel": {"id": channel_id, "type": 0, "name": "general", "guild_id": self.guild_id,  # type: ignore[attr-defined]
                        "position": 0, "permission_overwrites": []},
            "member": {**self._member(user), "user": self.user(user), "permissions": everyone_and_member},  # type: ignore[attr-defined]
            "locale": "ru", "guild_locale": "ru", "app_permissions": str((1 << 53) - 1), "entitlements": [],
            "authorizing_integration_owners": {"0": self.guild_id}, "context": 0,  # type: ignore[attr-defined]
            "attachment_size_limit": 10 * 1024 * 1024, "data": data,
        }
        return interaction, payload

    async def press(self, message: Message, name: str, *, user: str = "ann", values: list[str] | None = None) -> Interaction:
        """A user presses the button ``name`` on ``message`` (or picks ``values`` in the select menu ``name``)."""
        item = component(message, name)
        data: dict[str, Any] = {"custom_id": item["custom_id"], "component_type": item["type"]}
        if values is not None:
            data["values"] = values
        interaction, payload = self._base(3, message.channel_id, user, data)
        interaction.message_id = message.id
        payload["message"] = self._message_payload(message)  # type: ignore[attr-defined]
        await self.dispatch("INTERACTION_CREATE", payload)  # type: ignore[attr-defined]
        return interaction

    async def submit(self, opened: Interaction, *, user: str = "ann", **values: str) -> Interaction:
        """A user submits the form the bot opened in answer to ``opened``, with ``values`` by input id."""
        form = opened.modal
        if form is None:
            raise LookupError(f"the bot opened no form in answer to interaction {opened.id}")
        rows = [{"type": 1, "components": [{"type": 4, "custom_id": item["custom_id"],
                                            "value": values.get(item["custom_id"], "")}]}
                for row in form.get("components", []) for item in row.get("components", [])]
        interaction, payload = self._base(5, opened.channel_id, user, {"custom_id": form["custom_id"],
                                                                       "components": rows})
        await self.dispatch("INTERACTION_CREATE", payload)  # type: ignore[attr-defined]
        return interaction

    async def context_menu(self, name: str, message: Message, *, user: str = "ann") -> Interaction:
        """A user uses the message context menu ``name`` (Apps → name) on ``message``."""
        command = self.commands.get(name)
        if command is None:
            raise LookupError(f"context menu {name!r} was never synced (synced: {sorted(self.commands)})")
        data = {"id": command["id"], "name": name, "type": 3, "target_id": message.id,
                "resolved": {"messages": {message.id: self._message_payload(message)}}}  # type: ignore[attr-defined]
        interaction, payload = self._base(2, message.channel_id, user, data)
        await self.dispatch("INTERACTION_CREATE", payload)  # type: ignore[attr-defined]
        return interaction
