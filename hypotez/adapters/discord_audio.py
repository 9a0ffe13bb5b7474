"""What a voice channel on Discord plays: discord.py's FFmpeg audio sources for the files the Voice
service synthesises (Ogg Opus is passed through as it is, anything else is decoded to PCM)."""

from __future__ import annotations

from pathlib import Path

import discord


def ffmpeg_source(path: Path) -> discord.AudioSource:
    if path.suffix == ".ogg":
        return discord.FFmpegOpusAudio(str(path), codec="copy")
    return discord.FFmpegPCMAudio(str(path))
