"""The console's voice channel: spoken answers become audio files whose paths are printed."""

from __future__ import annotations

from pathlib import Path


class ConsoleVoiceGateway:
    """The console's voice channel: spoken answers become audio files whose paths are printed."""

    keeps_files = True

    def __init__(self, folder: Path):
        self.folder = folder
        self.joined: dict[str, str] = {}  # server → the voice channel the bot is in

    async def join(self, guild_id: str, channel_id: str) -> str:
        before = self.joined.get(guild_id)
        self.joined[guild_id] = channel_id
        if before is None:
            return "joined"
        return "already" if before == channel_id else "moved"

    async def leave(self, guild_id: str) -> bool:
        return self.joined.pop(guild_id, None) is not None

    def client(self, guild_id: str) -> None:
        return None

    def source(self, path: Path) -> Path:
        return path  # never played: the console keeps the file and prints where it is
