"""What the operator's endpoint (hypotez.observability) reads of a running Discord bot: the gateway's
latency per shard, whether every shard is connected, and whether the storage answers."""

from __future__ import annotations

from typing import Any, Iterable

import discord

from hypotez.observability.metrics import Metrics
from hypotez.observability.server import HealthCheck, ObservabilityServer

HEALTH_SETTING = "health_probe"  # a setting nobody writes: reading it is a round trip to the database


def gateway_latencies(bot: discord.Client) -> Iterable[tuple[int | None, float]]:
    if isinstance(bot, discord.AutoShardedClient):
        return list(bot.latencies)
    return [(None, bot.latency)]


async def gateway_problem(bot: discord.Client) -> str | None:
    """None when the bot is connected to Discord's gateway (every shard it runs, when sharded)."""
    if bot.is_closed():
        return "the bot is shutting down"
    if not bot.is_ready():
        return "not connected to Discord's gateway yet (no READY received)"
    if isinstance(bot, discord.AutoShardedClient):
        shards = bot.shards
        expected = list(bot.shard_ids) if bot.shard_ids is not None else list(range(bot.shard_count or 0))
        down = [shard_id for shard_id in expected if shard_id not in shards or shards[shard_id].is_closed()]
        if down:
            return f"shard(s) {', '.join(map(str, down))} not connected to Discord's gateway"
        return None
    ws = bot.ws
    if ws is None or not ws.open:
        return "not connected to Discord's gateway (reconnecting)"
    return None


def observability_server(bot: Any, metrics: Metrics | None, host: str, port: int) -> ObservabilityServer:
    """The endpoint for ``bot``: its metrics, and health = gateway connected + storage answering."""
    storage = bot.app.services.storage

    async def storage_problem() -> str | None:
        await storage.get_setting(HEALTH_SETTING)
        return None

    async def gateway() -> str | None:
        return await gateway_problem(bot)

    if metrics is not None:
        metrics.watch_gateway(lambda: gateway_latencies(bot))
    return ObservabilityServer(metrics, HealthCheck({"gateway": gateway, "storage": storage_problem}),
                               host=host, port=port)
