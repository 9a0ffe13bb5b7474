"""Text to speech: gTTS online, espeak-ng offline and as the fallback when gTTS fails."""

from __future__ import annotations

import logging
import subprocess
from dataclasses import dataclass
from pathlib import Path

from gtts import gTTS
from gtts.tts import gTTSError

from hypotez.services.voice.audio import require_tool, wav_to_ogg_opus

log = logging.getLogger("hypotez.voice.tts")


@dataclass(frozen=True, slots=True)
class TtsSettings:
    engine: str = "espeak"  # "espeak" (offline) or "gtts" (online, falls back to espeak)
    language: str = "ru-RU"  # espeak-ng takes the whole tag (en-us is American), gTTS the language
    speed: int = 150  # espeak-ng words per minute
    max_chars: int = 600
    timeout: float = 30.0
    gtts_endpoint: str | None = None  # for tests and proxies: where gTTS sends its requests


class _EndpointGTTS(gTTS):
    """gTTS that sends its requests to a configured endpoint instead of translate.google.com."""

    def __init__(self, *args, endpoint: str, **kwargs):
        super().__init__(*args, **kwargs)
        self._endpoint = endpoint

    def _prepare_requests(self):
        prepared = super()._prepare_requests()
        for request in prepared:
            request.prepare_url(self._endpoint, None)
        return prepared


def cut(text: str, max_chars: int) -> str:
    """Long answers are cut at a sentence or word boundary so speech does not go on for minutes."""
    text = " ".join(text.split())
    if len(text) <= max_chars:
        return text
    window = text[:max_chars]
    for mark in (". ", "! ", "? ", "; ", ", ", " "):
        index = window.rfind(mark)
        if index > max_chars // 2:
            return window[: index + 1].strip()
    return window


def espeak(text: str, target: Path, settings: TtsSettings) -> Path:
    """Blocking. Writes ogg/opus speech of ``text`` to ``target``."""
    binary = require_tool("espeak-ng")
    wav = target.with_suffix(".wav")
    try:
        result = subprocess.run([binary, "-v", settings.language.lower(), "-s", str(settings.speed),
                                 "-w", str(wav), "--", text], capture_output=True, text=True,
                                timeout=settings.timeout)
        if result.returncode != 0:
            raise RuntimeError(f"espeak-ng failed: {result.stderr.strip()[:200]}")
        wav_to_ogg_opus(wav, target)
    finally:
        wav.unlink(missing_ok=True)
    return target


def gtts(text: str, target: Path, settings: TtsSettings) -> Path:
    """Blocking. Writes mp3 speech of ``text`` to ``target``."""
    kwargs = {"lang": settings.language.split("-")[0], "timeout": settings.timeout}
    speech = _EndpointGTTS(text, endpoint=settings.gtts_endpoint, **kwargs) if settings.gtts_endpoint \
        else gTTS(text, **kwargs)
    partial = target.with_suffix(".partial")
    try:
        with partial.open("wb") as out:
            speech.write_to_fp(out)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def synthesize(text: str, folder: Path, name: str, settings: TtsSettings) -> tuple[Path, str]:
    """Blocking. Returns the audio file and the engine that made it."""
    text = cut(text, settings.max_chars)
    if not text:
        raise ValueError("nothing to say")
    folder.mkdir(parents=True, exist_ok=True)
    if settings.engine == "gtts":
        try:
            return gtts(text, folder / f"{name}.mp3", settings), "gtts"
        except (gTTSError, OSError, ValueError, AssertionError) as error:
            log.warning("gTTS failed, speaking offline with espeak-ng: %s", error)
    return espeak(text, folder / f"{name}.ogg", settings), "espeak"
