"""Audio files: type, size and duration checks before any work, and conversion with ffmpeg.

ffmpeg runs as a subprocess (so decoding never holds the bot's GIL) and resamples with a proper
anti-aliasing filter: recognition on its 16 kHz output is markedly better than on audioop's.

A voice message is audio and nothing else. ffmpeg, left to guess, takes a text file for a playlist
(HLS, ffconcat) and opens whatever files or URLs it names; so the container is detected here from
its first bytes, content that is none of the known audio containers is refused before ffmpeg sees it,
and ffmpeg is told that container (``-f``, ``-format_whitelist``) and may open only the local file it
is given (``-protocol_whitelist file``).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import wave
from dataclasses import dataclass
from pathlib import Path

from hypotez.errors import ConfigError, UserInputError
from hypotez.reasons import Reason

AUDIO_SUFFIXES = {".ogg", ".oga", ".opus", ".mp3", ".wav", ".m4a", ".webm", ".flac", ".aac", ".mp4"}
AUDIO_TYPES = ("audio/", "video/webm", "video/mp4", "application/ogg")
PROBE_TIMEOUT = 20
HEAD_BYTES = 64  # enough of a file's start to tell its container
CONVERT_TIMEOUT = 120


class BadAudio(UserInputError):
    """The audio cannot be used: wrong type, too big, too long, corrupt or silent."""

    kind = "bad_audio"


DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_MAX_SECONDS = 300.0


@dataclass(frozen=True, slots=True)
class AudioLimits:
    max_bytes: int = DEFAULT_MAX_BYTES
    max_seconds: float = DEFAULT_MAX_SECONDS


def require_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise ConfigError(f"{name} is not installed", f"install it (Debian: apt-get install {name}); "
                                                      "./dev setup does this for you")
    return path


def is_audio(filename: str, content_type: str | None) -> bool:
    if content_type and content_type.split(";")[0].strip().lower().startswith(AUDIO_TYPES):
        return True
    return Path(filename).suffix.lower() in AUDIO_SUFFIXES


def check_declared(filename: str, content_type: str | None, size: int, limits: AudioLimits) -> None:
    """Checks that need no decoding: type and size."""
    if not is_audio(filename, content_type):
        raise BadAudio(Reason("audio.not_audio", filename=filename,
                              content_type=content_type or Reason("audio.unknown_type")))
    if size == 0:
        raise BadAudio(Reason("audio.empty", filename=filename))
    if size > limits.max_bytes:
        raise BadAudio(Reason("audio.too_big", filename=filename, size=size / 1024 / 1024,
                              limit=limits.max_bytes / 1024 / 1024))


def detect_container(head: bytes) -> str | None:
    """ffmpeg's demuxer for the audio container these first bytes start, or None when they start none
    of the containers voice messages and audio files come in."""
    if head.startswith(b"OggS"):  # Discord voice messages (opus), ogg/vorbis
        return "ogg"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "wav"
    if head.startswith(b"fLaC"):
        return "flac"
    if head[4:8] == b"ftyp":  # MP4 family: m4a, mp4
        return "mov"
    if head.startswith(b"\x1a\x45\xdf\xa3"):  # EBML: webm, mka
        return "matroska"
    if head.startswith(b"ID3"):  # an ID3v2 tag, then MPEG audio
        return "mp3"
    if len(head) >= 2 and head[0] == 0xFF:
        if head[1] & 0xF6 == 0xF0:  # ADTS: 12-bit sync, layer 00
            return "aac"
        if head[1] & 0xE0 == 0xE0 and head[1] & 0x06:  # MPEG audio frame: 11-bit sync, layer set
            return "mp3"
    return None


def check_content(filename: str, head: bytes) -> str:
    """The container of a file from its first bytes; BadAudio when it is no known audio container."""
    container = detect_container(head)
    if container is None:
        raise BadAudio(Reason("audio.not_a_container", filename=filename))
    return container


def container_of(path: Path) -> str:
    with path.open("rb") as stream:
        return check_content(path.name, stream.read(HEAD_BYTES))


def _reading(path: Path) -> list[str]:
    """ffmpeg's (and ffprobe's) options for reading ``path``: its detected container, and no file but
    this one (the ``-i`` that follows names it as ``file:``, so no protocol prefix is read from it)."""
    container = container_of(path)
    return ["-protocol_whitelist", "file", "-format_whitelist", container, "-f", container]


def _url(path: Path) -> str:
    return "file:" + str(path.resolve())


def probe_seconds(path: Path) -> float:
    """The duration ffprobe reads from the file's headers; BadAudio when it cannot read them."""
    ffprobe = require_tool("ffprobe")
    reading = _reading(path)
    try:
        result = subprocess.run([ffprobe, "-v", "error", *reading, "-i", _url(path),
                                 "-show_entries", "format=duration:stream=codec_type", "-of", "json"],
                                capture_output=True, text=True, timeout=PROBE_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise BadAudio(Reason("audio.probe_timeout")) from None
    try:
        info = json.loads(result.stdout or "{}")
    except json.JSONDecodeError:
        info = {}
    streams = [s for s in info.get("streams", []) if s.get("codec_type") == "audio"]
    if result.returncode != 0 or not streams:
        raise BadAudio(Reason("audio.unreadable"))
    try:
        return float(info.get("format", {}).get("duration", "nan"))
    except ValueError:
        return float("nan")


def check_duration(seconds: float, limits: AudioLimits) -> None:
    if seconds == seconds and seconds > limits.max_seconds:  # NaN (unknown) is checked after decoding
        raise BadAudio(Reason("audio.too_long", seconds=seconds, limit=limits.max_seconds))


def to_wav(source: Path, target: Path, limits: AudioLimits) -> float:
    """Decode any supported audio into 16 kHz mono 16-bit WAV (what recognisers want); returns the
    seconds. Decoding stops just past the duration limit, so a file that lied in its headers cannot
    make ffmpeg work for hours."""
    ffmpeg = require_tool("ffmpeg")
    reading = _reading(source)
    try:
        result = subprocess.run([ffmpeg, "-nostdin", "-y", "-v", "error", *reading, "-i", _url(source),
                                 "-t", str(limits.max_seconds + 1), "-vn", "-ac", "1", "-ar", "16000",
                                 "-c:a", "pcm_s16le", "-f", "wav", str(target)],
                                capture_output=True, text=True, timeout=CONVERT_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise BadAudio(Reason("audio.decode_timeout")) from None
    if result.returncode != 0 or not target.exists():
        raise BadAudio(Reason("audio.undecodable"))
    try:
        with wave.open(str(target), "rb") as wav:
            seconds = wav.getnframes() / wav.getframerate()
    except (wave.Error, EOFError):
        raise BadAudio(Reason("audio.undecodable")) from None
    check_duration(seconds, limits)
    if seconds < 0.1:
        raise BadAudio(Reason("audio.too_short"))
    return seconds


def wav_to_ogg_opus(source: Path, target: Path) -> None:
    """What Discord voice messages and discord.py's FFmpegOpusAudio(codec='copy') use."""
    ffmpeg = require_tool("ffmpeg")
    result = subprocess.run([ffmpeg, "-y", "-loglevel", "error", "-i", str(source), "-c:a", "libopus",
                             "-b:a", "48k", str(target)], capture_output=True, text=True, timeout=CONVERT_TIMEOUT)
    if result.returncode != 0:
        raise RuntimeError(f"ffmpeg could not encode the speech: {result.stderr.strip()[:200]}")
