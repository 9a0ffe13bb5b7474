"""Text to speech: espeak-ng offline (the default, and the fallback of the others), RHVoice offline
(a natural Russian and English voice, when installed), gTTS online.

RHVoice is in Debian's non-free section, which a machine's package sources do not have unless its
owner adds it: ``HYPOTEZ_ALLOW_NONFREE=1 ./dev setup`` does that, with that consent only. Without
RHVoice, ``tts: rhvoice`` speaks with espeak-ng and says so in the log (VoiceService warns at start-up).
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from gtts import gTTS
from gtts.tts import gTTSError

from hypotez.errors import HypotezError
from hypotez.services.voice.audio import require_tool, wav_to_ogg_opus

log = logging.getLogger("hypotez.voice.tts")


@dataclass(frozen=True, slots=True)
class TtsSettings:
    engine: str = "espeak"  # "espeak" or "rhvoice" (offline), or "gtts" (online); all fall back to espeak
    language: str = "ru-RU"  # espeak-ng takes the whole tag (en-us is American), gTTS the language
    speed: int = 150  # espeak-ng words per minute
    max_chars: int = 600
    timeout: float = 30.0
    gtts_endpoint: str | None = None  # for tests and proxies: where gTTS sends its requests
    rhvoice_voice: str | None = None  # None: RHVOICE_VOICES for the language


RHVOICE = "RHVoice-test"  # the command-line synthesiser of Debian's rhvoice package
RHVOICE_PACKAGES = "rhvoice rhvoice-russian rhvoice-english"
RHVOICE_INSTALL = (f"HYPOTEZ_ALLOW_NONFREE=1 ./dev setup, or apt-get install {RHVOICE_PACKAGES} from "
                   "Debian's non-free section")
# Voices under the LGPL (most other RHVoice voices are for non-commercial use only).
RHVOICE_VOICES = {"ru": "aleksandr", "en": "alan"}
# Where Debian's and a source build's voices are; RHVoice speaks an unknown voice name with another voice.
RHVOICE_VOICE_FOLDERS = (Path("/usr/share/RHVoice/voices"), Path("/usr/local/share/RHVoice/voices"))
ESPEAK_DEFAULT_SPEED = 150  # words per minute: what RHVoice's rate 100 % is taken for


class TtsUnavailable(HypotezError):
    """The engine cannot speak here (not installed, no voice for the language): use espeak-ng."""


def rhvoice_problem(settings: TtsSettings) -> str | None:
    """Why RHVoice cannot speak with these settings, or None (a quick check, for start-up too)."""
    if shutil.which(RHVOICE) is None:
        return f"RHVoice is not installed (install it with {RHVOICE_INSTALL})"
    if settings.rhvoice_voice is None and settings.language.split("-")[0].lower() not in RHVOICE_VOICES:
        return (f"RHVoice has no default voice for {settings.language}; set voice.rhvoice_voice "
                f"(defaults: {', '.join(f'{k}: {v}' for k, v in RHVOICE_VOICES.items())})")
    voice = rhvoice_voice(settings)
    installed = sorted(p.name for folder in RHVOICE_VOICE_FOLDERS if folder.is_dir() for p in folder.iterdir())
    if installed and voice.lower() not in {name.lower() for name in installed}:
        return f"the RHVoice voice {voice!r} is not installed (installed: {', '.join(installed)})"
    return None


def rhvoice_voice(settings: TtsSettings) -> str:
    return settings.rhvoice_voice or RHVOICE_VOICES[settings.language.split("-")[0].lower()]


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


def rhvoice(text: str, target: Path, settings: TtsSettings) -> Path:
    """Blocking. Writes ogg/opus speech of ``text`` to ``target``; TtsUnavailable when RHVoice cannot."""
    if (problem := rhvoice_problem(settings)) is not None:
        raise TtsUnavailable(problem)
    voice = rhvoice_voice(settings)
    rate = max(20, min(300, round(settings.speed * 100 / ESPEAK_DEFAULT_SPEED)))
    wav = target.with_suffix(".wav")
    try:
        # The text goes in on stdin: never parsed as options, whatever it starts with.
        result = subprocess.run([shutil.which(RHVOICE) or RHVOICE, "-p", voice, "-r", str(rate), "-o", str(wav)],
                                input=text, capture_output=True, text=True, timeout=settings.timeout)
        if result.returncode != 0 or not wav.is_file() or wav.stat().st_size <= 44:
            raise RuntimeError(f"RHVoice failed (voice {voice!r}): {result.stderr.strip()[:200] or 'no audio'}")
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
    if settings.engine == "rhvoice":
        try:
            return rhvoice(text, folder / f"{name}.ogg", settings), "rhvoice"
        except (TtsUnavailable, RuntimeError, OSError, subprocess.TimeoutExpired) as error:
            log.warning("RHVoice cannot speak, speaking with espeak-ng: %s", error)
    return espeak(text, folder / f"{name}.ogg", settings), "espeak"
