"""Running the bot against Discord: the running bot (slash commands synced in the background), and
clear messages when Discord refuses the token or the Message Content intent."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import discord

from hypotez.adapters.discord_bot import HypotezBot
from hypotez.adapters.discord_endpoint import TEST_SERVER_ENV, TestServer
from hypotez.adapters.discord_gateway import SlashSync
from hypotez.adapters.discord_observe import observability_server
from hypotez.adapters.discord_shards import IdentifyTurns, identify_lock_for, sharded
from hypotez.app import App
from hypotez.collector import Collector
from hypotez.observability.metrics import Metrics
from hypotez.adapters.discord_needs import missing_intent_message, missing_permissions, missing_permissions_message
from hypotez.declaration.needs import spec_needs
from hypotez.redaction import redact_logs

log = logging.getLogger("hypotez.discord")


class RunningBot(HypotezBot):
    """The bot of ``hypotez run``: its slash commands are synced with Discord in the background.
    ``collector``: the process's tuned garbage collector, settled once the bot is ready."""

    slash_sync: SlashSync | None = None

    def __init__(self, app: App, *, collector: Collector | None = None, **kwargs: Any):
        super().__init__(app, **kwargs)
        self.collector = collector

    async def setup_hook(self) -> None:
        await super().setup_hook()
        # In the background: start-up never waits on it, and a failed sync is retried.
        self.slash_sync = SlashSync(self.sync_slash_commands)
        self.slash_sync.start()

    async def close(self) -> None:
        if self.slash_sync is not None:
            await self.slash_sync.stop()
        await super().close()

    async def on_ready(self) -> None:
        log.info("logged in as %s; prefix %r", self.user, self.app.spec.settings.prefix)
        for guild in self.guilds:
            self.check_permissions(guild)
        if self.collector is not None:  # start-up is over: what it built lives as long as the process
            self.collector.settle()

    async def on_guild_join(self, guild: discord.Guild) -> None:
        self.check_permissions(guild)

    def check_permissions(self, guild: discord.Guild) -> None:
        """One warning per server where the bot lacks a permission the spec needs, naming the commands."""
        if guild.me is None:
            return
        needs = spec_needs(self.app.spec)
        missing = missing_permissions(needs, guild.me.guild_permissions)
        if missing:
            log.warning("%s", missing_permissions_message(needs, f"{guild.name} ({guild.id})", missing,
                                                          self.application_id))


INVALID_TOKEN = ("Discord refused the token (DISCORD_TOKEN). Get a new one at "
                 "https://discord.com/developers/applications → your application → Bot → Reset Token, "
                 "and put it in .env as DISCORD_TOKEN=...")

async def _run(app: App, token: str, *, test_server: TestServer | None = None,
               metrics_address: tuple[str, int] | None = None, **kwargs: Any) -> int:
    if test_server is not None:
        # Tests only: Discord's hosts resolve to a local test server (see discord_endpoint).
        log.warning("connecting to the Discord test server at %s instead of Discord (%s is set)",
                    test_server.address, TEST_SERVER_ENV)
        kwargs["connector"] = test_server.connector()
    bot_class = kwargs.pop("bot_class", RunningBot)
    if kwargs.get("shard_count") is not None:  # some of the bot's shards: their IDENTIFYs take turns
        bot_class = sharded(bot_class)
        kwargs["identify_turns"] = IdentifyTurns(identify_lock_for(app, token))
    bot = bot_class(app, **kwargs)
    endpoint = None
    if metrics_address is not None:  # /metrics and /healthz, on this loop, before the bot logs in
        metrics = app.observer if isinstance(app.observer, Metrics) else None
        endpoint = observability_server(bot, metrics, *metrics_address)
        try:
            await endpoint.start()
        except OSError as error:
            log.error("cannot serve metrics on %s:%d (%s): choose another --metrics-port", *metrics_address,
                      error.strerror or error)
            await app.aclose()
            return 1
    try:
        async with bot:
            await bot.start(token)
    except discord.LoginFailure:
        log.error(INVALID_TOKEN)
        return 1
    except discord.PrivilegedIntentsRequired:
        log.error(missing_intent_message(spec_needs(app.spec)))
        return 1
    finally:
        if endpoint is not None:
            await endpoint.stop()
        await app.aclose()
    return 0


def run_bot(app: App, token: str, *, test_server: TestServer | None = None, **kwargs: Any) -> int:
    """Run the bot until it is stopped. ``metrics_address`` (host, port): serve /metrics and /healthz."""
    # The token never reaches a log line: discord.py's debug output, tracebacks, our own messages.
    unredact = redact_logs([token])
    try:
        return asyncio.run(_run(app, token, test_server=test_server, **kwargs))
    except KeyboardInterrupt:
        return 0
    finally:
        unredact()
