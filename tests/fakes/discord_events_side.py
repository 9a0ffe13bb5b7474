"""The events side of the local Discord test server: members joining and leaving (GUILD_MEMBER_ADD,
GUILD_MEMBER_REMOVE) and given roles (GUILD_MEMBER_UPDATE), reactions (MESSAGE_REACTION_ADD/REMOVE), and the REST routes the bot's actions
call — roles given and taken, reactions, direct-message channels, a member fetched."""

from __future__ import annotations

import urllib.parse
from typing import Any

from aiohttp import web

from fakes.discord_model import API, json_response
from hypotez.adapters.discord_payloads import timestamp


class EventsSide:
    """A part of :class:`~fakes.discord_server.FakeDiscord`: what tests call, and its routes."""

    def _init_events(self) -> None:
        self.role_changes: list[tuple[str, str, str]] = []  # ("add" | "remove", user id, role id)
        self.bot_reactions: list[tuple[str, str]] = []  # (message id, emoji)
        self.member_roles: dict[str, set[str]] = {}  # user id → role ids given since they joined
        self.dm_users: dict[str, str] = {}  # direct-message channel id → user id

    def add_event_routes(self, router: web.UrlDispatcher) -> None:
        member = API + "/guilds/{guild_id}/members/{user_id}"
        router.add_put(member + "/roles/{role_id}", self.add_member_role)
        router.add_delete(member + "/roles/{role_id}", self.remove_member_role)
        router.add_get(member, self.get_member)
        router.add_put(API + "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me", self.add_reaction)
        router.add_post(API + "/users/@me/channels", self.create_dm)

    # -- driving the bot ----------------------------------------------------------------------------

    def _member_payload(self, name: str) -> dict[str, Any]:
        user = self.user(name)
        roles = sorted(self.member_roles.get(user["id"], set()))
        return {"user": user, "roles": roles, "joined_at": timestamp(), "deaf": False, "mute": False, "flags": 0}

    async def member_join(self, name: str) -> None:
        self.member_count += 1
        await self.dispatch("GUILD_MEMBER_ADD", {**self._member_payload(name), "guild_id": self.guild_id})

    async def member_leave(self, name: str) -> None:
        self.member_count -= 1
        await self.dispatch("GUILD_MEMBER_REMOVE", {"guild_id": self.guild_id, "user": self.user(name)})

    async def member_update(self, name: str, roles: list[str]) -> None:
        """Member ``name`` now has the roles named ``roles`` (GUILD_MEMBER_UPDATE)."""
        user_id = self.user(name)["id"]
        self.member_roles[user_id] = {self.roles[r] for r in roles}
        await self.dispatch("GUILD_MEMBER_UPDATE", {**self._member_payload(name), "guild_id": self.guild_id})

    async def react(self, emoji: str, message_id: str, *, user: str = "ann", channel: str = "general",
                    remove: bool = False) -> None:
        data: dict[str, Any] = {"user_id": self.user(user)["id"], "channel_id": self.channel(channel),
                                "message_id": message_id, "guild_id": self.guild_id,
                                "emoji": {"id": None, "name": emoji}, "burst": False, "type": 0}
        if not remove:
            data.update(member=self._member_payload(user), burst_colors=[])
        await self.dispatch("MESSAGE_REACTION_REMOVE" if remove else "MESSAGE_REACTION_ADD", data)

    def dm_messages(self, user: str) -> list[Any]:
        return [m for channel_id, user_id in self.dm_users.items() if user_id == self.user(user)["id"]
                for m in self.bot_by_channel[channel_id]]

    # -- REST ---------------------------------------------------------------------------------------

    async def add_member_role(self, request: web.Request) -> web.Response:
        info = request.match_info
        self.role_changes.append(("add", info["user_id"], info["role_id"]))
        self.member_roles.setdefault(info["user_id"], set()).add(info["role_id"])
        self._notify()
        return web.Response(status=204)

    async def remove_member_role(self, request: web.Request) -> web.Response:
        info = request.match_info
        self.role_changes.append(("remove", info["user_id"], info["role_id"]))
        self.member_roles.setdefault(info["user_id"], set()).discard(info["role_id"])
        self._notify()
        return web.Response(status=204)

    async def get_member(self, request: web.Request) -> web.Response:
        user_id = request.match_info["user_id"]
        name = next((n for n, u in self.users.items() if u["id"] == user_id), None)
        if name is None:
            return json_response({"message": "Unknown Member", "code": 10007}, status=404)
        return json_response(self._member_payload(name))

    async def add_reaction(self, request: web.Request) -> web.Response:
        info = request.match_info
        self.bot_reactions.append((info["message_id"], urllib.parse.unquote(info["emoji"])))
        self._notify()
        return web.Response(status=204)

    async def create_dm(self, request: web.Request) -> web.Response:
        body = await request.json()
        recipient = str(body["recipient_id"])
        channel_id = next((c for c, u in self.dm_users.items() if u == recipient), None) or self.next_id()
        self.dm_users[channel_id] = recipient
        self.channels[f"dm-{recipient}"] = channel_id
        user = next((u for u in self.users.values() if u["id"] == recipient), {"id": recipient, "username": "?"})
        return json_response({"id": channel_id, "type": 1, "last_message_id": None, "recipients": [user]})
