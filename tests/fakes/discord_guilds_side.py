"""Several servers (guilds) and shards on the local Discord test server: a part of
:class:`~fakes.discord_server.FakeDiscord`.

``add_guild`` puts another server, with its own channels, on a chosen shard (its id is picked so that
Discord's rule, ``(guild_id >> 22) % shard_count``, lands it there). A session that identified with
``shard: [id, count]`` receives READY and GUILD_CREATE for the servers of its shard only, and only the
events of those servers (events without a server — direct messages — go to shard 0), as on Discord.
``/gateway/bot`` says how many shards to run and the identify concurrency (``max_concurrency``)."""

from __future__ import annotations

import itertools
from typing import Any, Iterable

# A guild id's shard is (id >> 22) % count: ids are made of a shifted counter (as snowflakes are of time).
_SNOWFLAKE_BASE = 1_300_000_000_000 >> 1


class GuildsSide:
    """Servers besides the first one, and which session hears which server."""

    def _init_guilds(self, shards: int = 1, max_concurrency: int = 1) -> None:
        self.shard_count_hint = shards  # what /gateway/bot recommends
        self.max_concurrency = max_concurrency
        self.guild_names: dict[str, str] = {self.guild_id: "Test Server"}
        self.channel_guild: dict[str, str] = {}  # channel id → its server (absent: the first server)
        self._guild_counter = itertools.count(_SNOWFLAKE_BASE)

    def add_guild(self, name: str, channels: Iterable[str], *, shard: tuple[int, int] | None = None) -> str:
        """Another server with ``channels`` (names unique across servers); ``shard=(id, count)``: on that
        shard when the bot runs ``count`` shards. Returns its id."""
        while True:
            guild_id = next(self._guild_counter) << 22
            if shard is None or (guild_id >> 22) % shard[1] == shard[0]:
                break
        guild = str(guild_id)
        self.guild_names[guild] = name
        for channel in channels:
            if channel in self.channels:
                raise ValueError(f"channel #{channel} exists already: channel names are unique across servers")
            self.channels[channel] = self.next_id()
            self.channel_guild[self.channels[channel]] = guild
        return guild

    def guild_of(self, channel_id: str) -> str:
        return self.channel_guild.get(channel_id, self.guild_id)

    @staticmethod
    def shard_of(guild_id: str | int, shard_count: int) -> int:
        return (int(guild_id) >> 22) % shard_count

    def guilds_on(self, shard: list[int] | None) -> list[str]:
        """The servers a session with ``shard`` ([id, count], None: unsharded) receives."""
        if shard is None:
            return list(self.guild_names)
        return [g for g in self.guild_names if self.shard_of(g, shard[1]) == shard[0]]

    def hears(self, shard: list[int] | None, data: dict[str, Any]) -> bool:
        """Whether a session on ``shard`` receives an event carrying ``data``."""
        if shard is None:
            return True
        guild_id = data.get("guild_id") if isinstance(data, dict) else None
        if guild_id is None:
            return shard[0] == 0  # direct messages and the like: shard 0, as on Discord
        return self.shard_of(guild_id, shard[1]) == shard[0]

    def shards_identified(self) -> list[tuple[int, int]]:
        """(shard id, count) of every IDENTIFY that carried a shard, in order."""
        return [tuple(entry["shard"]) for entry in self.connections("identify") if entry.get("shard")]
