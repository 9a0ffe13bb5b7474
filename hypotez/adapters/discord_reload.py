"""Hot reload on Discord: after the registry is swapped, the bot's prefix and slash commands are rebuilt
from it, by the same function as at start-up (hypotez.adapters.discord_install; slash commands re-synced
with Discord only when their shape changed), and a rejected change is posted in the spec's admin channel."""

from __future__ import annotations

import functools
import logging
from pathlib import Path
from typing import Any

import discord

from hypotez.adapters.discord_bot import HypotezBot
from hypotez.adapters.discord_commands import prefix_command, slash_command
from hypotez.adapters.discord_run import RunningBot, run_bot
from hypotez.adapters.discord_sending import send_parts
from hypotez.adapters.discord_install import builders, install_commands
from hypotez.app import App
from hypotez.collector import Collector
from hypotez.reload import DEFAULT_INTERVAL, Reloader, ReloadResult, Watcher
from hypotez.declaration.model import Spec

log = logging.getLogger("hypotez.discord")


def admin_channel(bot: HypotezBot, wanted: str) -> Any:
    """The text channel the spec names (by id, #name or name) in any server the bot is in."""
    name = wanted.strip().lstrip("#")
    for guild in bot.guilds:
        channel = guild.get_channel(int(name)) if name.isdigit() else \
            discord.utils.get(guild.text_channels, name=name)
        if channel is not None:
            return channel
    return None


def attach_reloader(bot: HypotezBot, reloader: Reloader, collector: Collector | None = None) -> None:
    """Rebuild the bot's commands after every swap; post rejected changes in the admin channel.
    ``collector``: the process's tuned garbage collector, settled again after a swap."""

    def rebuild(old: Spec, new: Spec) -> Any:
        before = bot.slash_shape_hash()
        install_commands(bot, bot.app.registry, *builders(bot.app, prefix_command, slash_command))
        if bot.scheduler is not None:  # a schedule added or retimed is seen now, not at the loop's next look
            bot.scheduler.wake()
        if collector is not None:  # the replaced spec is freed, the new one frozen
            collector.settle()
        if bot.slash_shape_hash() != before:
            return bot.sync_slash_commands()
        return None

    async def tell_admins(result: ReloadResult) -> None:
        wanted = bot.app.spec.settings.admin_channel
        if result.ok or not wanted:
            return
        channel = admin_channel(bot, wanted)
        if channel is None:
            log.warning("admin channel %r (bot.admin_channel) not found in any server of the bot", wanted)
            return
        await send_parts(channel.send, "⚠️ " + result.report(), [])

    reloader.swap_hooks.append(rebuild)
    reloader.listeners.append(tell_admins)


class WatchingBot(RunningBot):
    """The bot of ``hypotez run --watch``: it reloads the spec whenever the files change."""

    def __init__(self, app: App, *, spec_path: Path, interval: float = DEFAULT_INTERVAL, **kwargs: Any):
        super().__init__(app, **kwargs)
        self.reloader = Reloader(app, spec_path)
        attach_reloader(self, self.reloader, self.collector)
        self.watcher = Watcher(self.reloader.watched_paths(), self.reloader.reload, interval)

    async def setup_hook(self) -> None:
        await super().setup_hook()
        self.watcher.start()
        log.info("watching %s for changes", ", ".join(str(p) for p in self.watcher.paths))

    async def close(self) -> None:
        await self.watcher.stop()
        await super().close()


def run_watching_bot(app: App, token: str, spec_path: Path, interval: float = DEFAULT_INTERVAL,
                     **options: Any) -> int:
    return run_bot(app, token, bot_class=functools.partial(WatchingBot, spec_path=spec_path, interval=interval),
                   **options)
