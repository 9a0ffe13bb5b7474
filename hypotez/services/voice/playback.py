"""Playing speech in voice channels: one queue per server, answers in order, none cut off.

The player talks to a voice-client-like object (``play(source, after=...)``, ``is_playing()``,
``is_connected()``, ``stop()``, ``disconnect()``): discord.py's VoiceClient in production, a fake at the
same boundary in tests. The gateway that owns the clients makes the sources they play from files
(Discord: :func:`hypotez.adapters.discord_audio.ffmpeg_source`). Every file is deleted once played,
skipped or dropped. Nothing here knows Discord.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any, Callable, Protocol

from hypotez.errors import HypotezError

log = logging.getLogger("hypotez.voice.playback")

# A file → the audio source a voice client plays (the client's own type: discord.py's AudioSource).
SourceFactory = Callable[[Path], Any]


class VoiceClientLike(Protocol):
    def play(self, source: Any, *, after: Callable[[Exception | None], Any] | None = None) -> None: ...

    def is_playing(self) -> bool: ...

    def is_connected(self) -> bool: ...

    def stop(self) -> None: ...

    async def disconnect(self, *, force: bool = False) -> None: ...


class VoiceGateway(Protocol):
    """What an adapter offers for voice. Discord: discord.py's voice clients; console: audio files."""

    async def join(self, guild_id: str, channel_id: str) -> str: ...

    async def leave(self, guild_id: str) -> bool: ...

    def client(self, guild_id: str) -> VoiceClientLike | None: ...

    def source(self, path: Path) -> Any:
        """The audio source this gateway's clients play ``path`` from."""


class VoicePermissionError(HypotezError):
    """The bot may not connect to or speak in the channel."""

    def __init__(self, missing: list[str], channel: str):
        self.missing = missing
        self.channel = channel
        super().__init__(f"missing {', '.join(missing)} in {channel}")


class VoiceConnectError(HypotezError):
    """The bot could not connect to the voice channel (time-out, missing library, Discord refused).
    ``reason`` is a :class:`~hypotez.reasons.Reason` (English in ``str(error)``), worded in the reply's
    language by the handler."""

    def __init__(self, channel: str, reason: str):
        self.channel = channel
        self.reason = reason
        super().__init__(f"could not connect to {channel}: {reason}")


class GuildPlayer:
    def __init__(self, client: VoiceClientLike, make_source: SourceFactory):
        self.client = client
        self.make_source = make_source
        self.queue: asyncio.Queue[Path] = asyncio.Queue()
        self.task: asyncio.Task | None = None
        self.played: list[Path] = []

    def enqueue(self, path: Path) -> None:
        self.queue.put_nowait(path)
        if self.task is None or self.task.done():
            self.task = asyncio.create_task(self._worker())

    async def _worker(self) -> None:
        loop = asyncio.get_running_loop()
        while not self.queue.empty():
            path = self.queue.get_nowait()
            try:
                if not self.client.is_connected():
                    continue
                finished = asyncio.Event()

                def after(error: Exception | None) -> None:  # called from discord.py's player thread
                    if error:
                        log.warning("playback error: %s", error)
                    loop.call_soon_threadsafe(finished.set)

                source = self.make_source(path)
                self.client.play(source, after=after)
                await finished.wait()
                self.played.append(path)
            except Exception:
                log.exception("could not play %s", path)
            finally:
                path.unlink(missing_ok=True)

    async def clear(self) -> None:
        """Drop what is queued, stop what is playing, remove every file."""
        while not self.queue.empty():
            self.queue.get_nowait().unlink(missing_ok=True)
        if self.client.is_playing():
            self.client.stop()
        if self.task is not None:
            try:
                await asyncio.wait_for(self.task, 10)
            except (asyncio.TimeoutError, asyncio.CancelledError):
                self.task.cancel()


class Players:
    """One GuildPlayer per server, bound to the voice client the gateway has for it."""

    def __init__(self) -> None:
        self._players: dict[str, GuildPlayer] = {}

    def player(self, guild_id: str, client: VoiceClientLike, make_source: SourceFactory) -> GuildPlayer:
        player = self._players.get(guild_id)
        if player is None or player.client is not client:
            player = self._players[guild_id] = GuildPlayer(client, make_source)
        return player

    async def stop(self, guild_id: str) -> None:
        player = self._players.pop(guild_id, None)
        if player is not None:
            await player.clear()

    async def stop_all(self) -> None:
        for guild_id in list(self._players):
            await self.stop(guild_id)
