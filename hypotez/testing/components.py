"""The harness's hands for components: press a button, pick from a select menu, fill a form, use a
context menu. Each builds the interaction payload Discord would send and hands it to discord.py's
gateway parser (``parse_interaction_create``), so the bot's dynamic items, listeners and app-command
tree dispatch it as they would on Discord."""

from __future__ import annotations

from typing import Any, Iterable

import discord

from hypotez.testing.fake_http import Exchange, SentMessage
from hypotez.testing.payloads import APPLICATION_ID, BOT_ID, GUILD_ID, timestamp, user_payload

COMPONENT_TYPES = {2: "button", 3: "select", 5: "user_select", 6: "role_select", 8: "channel_select"}


def components_of(message: SentMessage) -> list[dict[str, Any]]:
    return [item for row in message.components for item in row.get("components", [])]


def find_component(message: SentMessage, name: str) -> dict[str, Any]:
    """A component of ``message`` by its label, emoji or placeholder (what a person sees)."""
    for item in components_of(message):
        emoji = (item.get("emoji") or {}).get("name")
        if name in (item.get("label"), emoji, item.get("placeholder"), item.get("custom_id")):
            return item
    shown = [i.get("label") or (i.get("emoji") or {}).get("name") or i.get("placeholder") for i in components_of(message)]
    raise LookupError(f"message {message.id} has no component {name!r}; it has: {shown}")


class ComponentDriving:
    """Mixed into BotHarness."""

    bot: Any
    http: Any

    def _message_payload(self, message: SentMessage) -> dict[str, Any]:
        return {"id": message.id, "channel_id": message.channel_id, "content": message.text,
                "author": self.http.bot_user, "timestamp": timestamp(), "edited_timestamp": None, "tts": False,
                "mention_everyone": False, "mentions": [], "mention_roles": [], "embeds": message.embeds,
                "pinned": False, "type": 0, "flags": message.flags, "attachments": [],
                "components": message.components}

    def _interaction(self, kind: int, data: dict[str, Any], *, author: str, user_id: int, roles: Iterable[str],
                     permissions: Iterable[str], guild: int | None, message: SentMessage | None) -> dict[str, Any]:
        interaction_id = self.next_id()  # type: ignore[attr-defined]
        payload: dict[str, Any] = {
            "id": str(interaction_id), "application_id": str(APPLICATION_ID), "type": kind,
            "token": f"interaction-token-{interaction_id}", "version": 1, "locale": "ru",
            "app_permissions": str(discord.Permissions.all().value), "entitlements": [],
            "authorizing_integration_owners": {}, "context": 0 if guild else 1,
            "attachment_size_limit": 10 * 1024 * 1024, "data": data,
        }
        if guild is not None:
            server = self.server(guild)  # type: ignore[attr-defined]
            channel_id = self.channel_of(guild)  # type: ignore[attr-defined]
            member = self._member(user_id, author, roles, permissions, False, server)  # type: ignore[attr-defined]
            member_object = discord.Member(data=member, guild=server, state=self.bot._connection)
            server._add_member(member_object)
            payload.update(guild_id=str(guild), channel_id=str(channel_id), guild_locale="ru",
                           channel={"id": str(channel_id), "type": 0, "name": "general", "guild_id": str(guild),
                                    "position": 0, "permission_overwrites": []},
                           member={**member, "permissions": str(member_object.guild_permissions.value)})
        else:
            channel_id = self.next_id()  # type: ignore[attr-defined]
            payload.update(channel_id=str(channel_id), user=user_payload(user_id, author),
                           channel={"id": str(channel_id), "type": 1, "recipients": [user_payload(user_id, author)]})
        if message is not None:
            payload["message"] = self._message_payload(message)
            self.http.interaction_messages[payload["id"]] = message.id
        return payload

    async def _dispatch(self, payload: dict[str, Any]) -> Exchange:
        before = len(self.http.sent)
        interaction_id = int(payload["id"])
        self.bot.component_uses.expect(interaction_id)
        origin = self.http.origin.set(payload["id"])
        try:
            self.bot._connection.parse_interaction_create(payload)
        finally:
            self.http.origin.reset(origin)
        await self.bot.component_uses.wait(interaction_id)
        exchange = Exchange([m for m in self.http.sent[before:] if m.origin == payload["id"]])
        exchange.modal = self.http.modals.pop(payload["id"], None)
        return exchange

    async def press(self, message: SentMessage | Exchange, label: str, *, author: str = "ann",
                    user_id: int = 4_000_000_000_000_001, roles: Iterable[str] = (), permissions: Iterable[str] = (),
                    guild: int | None = GUILD_ID) -> Exchange:
        """Press the button labelled ``label`` (or showing that emoji) on ``message`` (a sent message,
        or an exchange: its last message with components). What the bot answered; ``.modal`` is the
        form it opened, if any; an edit of the message is in ``message.edits``."""
        target = _with_components(message)
        item = find_component(target, label)
        data = {"custom_id": item["custom_id"], "component_type": item["type"]}
        return await self._dispatch(self._interaction(3, data, author=author, user_id=user_id, roles=roles,
                                                      permissions=permissions, guild=guild, message=target))

    async def pick(self, message: SentMessage | Exchange, select: str, *values: str, author: str = "ann",
                   user_id: int = 4_000_000_000_000_001, roles: Iterable[str] = (), permissions: Iterable[str] = (),
                   guild: int | None = GUILD_ID) -> Exchange:
        """Pick ``values`` (option values; ids for user, role and channel menus) in the select menu
        ``select`` (its placeholder or custom id) of ``message``."""
        target = _with_components(message)
        item = find_component(target, select)
        data = {"custom_id": item["custom_id"], "component_type": item["type"], "values": list(values)}
        return await self._dispatch(self._interaction(3, data, author=author, user_id=user_id, roles=roles,
                                                      permissions=permissions, guild=guild, message=target))

    async def fill(self, modal: dict[str, Any] | Exchange, *, author: str = "ann",
                   user_id: int = 4_000_000_000_000_001, roles: Iterable[str] = (), permissions: Iterable[str] = (),
                   guild: int | None = GUILD_ID, **values: str) -> Exchange:
        """Submit the form ``modal`` (an exchange's ``.modal``) with ``values`` by input name."""
        form = modal.modal if isinstance(modal, Exchange) else modal
        if form is None:
            raise LookupError("the bot opened no form")
        known = [c["custom_id"] for row in form.get("components", []) for c in row.get("components", [])]
        unknown = set(values) - set(known)
        if unknown:
            raise LookupError(f"the form has no input {sorted(unknown)}; it has {known}")
        rows = [{"type": 1, "components": [{"type": 4, "custom_id": name, "value": values.get(name, "")}]}
                for name in known]
        data = {"custom_id": form["custom_id"], "components": rows}
        return await self._dispatch(self._interaction(5, data, author=author, user_id=user_id, roles=roles,
                                                      permissions=permissions, guild=guild, message=None))

    async def context_menu(self, name: str, *, message: SentMessage | None = None, text: str = "",
                           target_user: tuple[int, str] | None = None, author: str = "ann",
                           user_id: int = 4_000_000_000_000_001, roles: Iterable[str] = (),
                           permissions: Iterable[str] = (), guild: int | None = GUILD_ID) -> Exchange:
        """Use the context menu ``name`` on a message (one the bot sent, ``message``, or a user's with
        ``text``) or on a user (``target_user``: id and name)."""
        resolved: dict[str, Any] = {}
        if target_user is not None:
            target_id, target_name = target_user
            resolved["users"] = {str(target_id): user_payload(target_id, target_name)}
            kind = 2
        else:
            if message is None:  # a message some user wrote
                message_id, channel = str(self.next_id()), str(self.channel_of(guild or GUILD_ID))  # type: ignore[attr-defined]
                body = {"id": message_id, "channel_id": channel, "content": text,
                        "author": user_payload(4_000_000_000_000_009, "someone"), "timestamp": timestamp(),
                        "edited_timestamp": None, "tts": False, "mention_everyone": False, "mentions": [],
                        "mention_roles": [], "embeds": [], "pinned": False, "type": 0, "flags": 0,
                        "attachments": [], "components": []}
            else:
                body = self._message_payload(message)
            target_id = int(body["id"])
            resolved["messages"] = {body["id"]: body}
            kind = 3
        data = {"id": str(self.next_id()), "name": name, "type": kind, "target_id": str(target_id),  # type: ignore[attr-defined]
                "resolved": resolved}
        return await self._dispatch(self._interaction(2, data, author=author, user_id=user_id, roles=roles,
                                                      permissions=permissions, guild=guild, message=None))

    def give_bot_role(self, name: str, *, position: int, permissions: Iterable[str] = ("manage_roles",),
                      guild: int = GUILD_ID) -> None:
        """Give the bot a role (its place in the server's hierarchy, and what it may do)."""
        server = self.server(guild)  # type: ignore[attr-defined]
        role_id = self._role_id(f"bot:{name}")  # type: ignore[attr-defined]
        value = discord.Permissions(**{p: True for p in permissions}).value
        server._add_role(discord.Role(guild=server, state=self.bot._connection, data={
            "id": str(role_id), "name": name, "permissions": str(value), "position": position, "color": 0,
            "hoist": False, "managed": False, "mentionable": False}))
        me = server.get_member(BOT_ID)
        if me is not None:
            me._roles.add(role_id)

    def role(self, name: str, *, position: int = 1, guild: int = GUILD_ID) -> int:
        """A role of the server by name (made the first time), at ``position`` in the hierarchy."""
        server = self.server(guild)  # type: ignore[attr-defined]
        role_id = self._role_id(name)  # type: ignore[attr-defined]
        if server.get_role(role_id) is None:
            server._add_role(discord.Role(guild=server, state=self.bot._connection, data={
                "id": str(role_id), "name": name, "permissions": "0", "position": position, "color": 0,
                "hoist": False, "managed": False, "mentionable": True}))
        return role_id


def _with_components(message: SentMessage | Exchange) -> SentMessage:
    if isinstance(message, SentMessage):
        return message
    found = [m for m in message.messages if m.components]
    if not found:
        raise LookupError("the bot's answer has no components")
    return found[-1]
