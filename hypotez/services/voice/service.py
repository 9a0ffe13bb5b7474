"""The Voice service: transcribe audio messages, and speak answers in voice channels.

Blocking work runs off the event loop with time-outs: ffprobe, ffmpeg, espeak-ng and the online
engines' HTTP in worker threads (they wait on subprocesses and sockets, releasing the GIL), and
recognition in worker processes (pocketsphinx holds the GIL while it decodes). Temporary files are
always removed.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import multiprocessing
import os
import tempfile
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, Protocol

from hypotez.errors import ConfigError
from hypotez.reasons import Reason
from hypotez.services.datafolder import DataFolder
from hypotez.services.voice.audio import (DEFAULT_MAX_BYTES, DEFAULT_MAX_SECONDS, HEAD_BYTES, AudioLimits,
                                         BadAudio, check_content, check_declared, check_duration, container_of,
                                         probe_seconds, to_wav)
from hypotez.services.voice.playback import Players, VoiceGateway, VoicePermissionError
from hypotez.services.voice.stt import GOOGLE_ENDPOINT, SttSettings, Transcript, recognise_wav
from hypotez.services.voice.tts import TtsSettings, rhvoice_problem, synthesize
from hypotez.services.voice.whisper_model import whisper_missing

log = logging.getLogger("hypotez.voice")

STT_ENGINES = ("whisper", "sphinx", "google")
TTS_ENGINES = ("espeak", "rhvoice", "gtts")
# Recognition workers run at a lower CPU priority than the bot: on a small machine a busy worker
# otherwise competes with the event loop for a core and command replies stall (the 95th percentile
# of `!hi` latency in benchmarks/bench_voice_event_loop.py rose to 1.9-2.5x idle without it).
RECOGNISER_NICENESS = 10


def worker_threads(recognisers: int) -> int:
    """CPU threads for each recognition worker: the cores this process may use, shared between them."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, cores // max(1, recognisers))


def warn_if_whisper_missing(stt: SttSettings) -> None:
    """Tell the operator at start-up, not only the first user who sends a voice message."""
    if (problem := whisper_missing(stt.whisper_model)) is not None:
        fallback = "pocketsphinx (English only)" if stt.language.lower().startswith("en") else "no recogniser"
        when = "offline, " if stt.engine == "google" else ""
        log.warning("voice.stt %s: offline recognition with Whisper is unavailable (%s); %sfalling back to %s",
                    stt.engine, problem, when, fallback)


class AudioUpload(Protocol):
    """An audio file a user sent (an adapter's attachment: :class:`hypotez.invocation.Attachment`)."""

    filename: str
    content_type: str | None
    size: int

    async def read(self) -> bytes: ...


class VoiceService:
    def __init__(self, data: DataFolder, stt: SttSettings, tts: TtsSettings, limits: AudioLimits,
                 work_timeout: float = 120.0, recognisers: int = 1):
        self.data = data
        self.stt = stt
        self.tts = tts
        self.limits = limits
        self.players = Players()
        self.work_timeout = work_timeout
        self.recognisers = recognisers
        self._names = itertools.count(1)
        self._pool: ProcessPoolExecutor | None = None

    @classmethod
    def from_settings(cls, settings: dict[str, Any], data: DataFolder, **kwargs: Any) -> "VoiceService":
        language = str(settings.get("language", "ru-RU"))
        stt_engine = settings.get("stt", "sphinx")
        tts_engine = settings.get("tts", "espeak")
        if stt_engine not in STT_ENGINES:
            raise ConfigError(f"unknown voice.stt engine {stt_engine!r}", f"use one of {', '.join(STT_ENGINES)}")
        if tts_engine not in TTS_ENGINES:
            raise ConfigError(f"unknown voice.tts engine {tts_engine!r}", f"use one of {', '.join(TTS_ENGINES)}")
        recognisers = int(kwargs.get("recognisers", settings.get("recognisers", 1)))
        stt = SttSettings(engine=stt_engine, language=language, sphinx_model=settings.get("sphinx_model"),
                          whisper_model=settings.get("whisper_model"),
                          whisper_threads=int(settings.get("whisper_threads", worker_threads(recognisers))),
                          google_endpoint=settings.get("google_endpoint", GOOGLE_ENDPOINT),
                          google_key=settings.get("google_key"), timeout=float(settings.get("timeout", 30)))
        if stt_engine != "sphinx":
            warn_if_whisper_missing(stt)
        tts = TtsSettings(engine=tts_engine, language=language,
                          speed=int(settings.get("speed", 150)), max_chars=int(settings.get("speak_max_chars", 600)),
                          timeout=float(settings.get("timeout", 30)), gtts_endpoint=settings.get("gtts_endpoint"),
                          rhvoice_voice=settings.get("rhvoice_voice"))
        if tts_engine == "rhvoice" and (problem := rhvoice_problem(tts)) is not None:
            log.warning("voice.tts rhvoice: %s; speaking with espeak-ng meanwhile", problem)
        limits = AudioLimits(max_bytes=int(settings.get("max_bytes", DEFAULT_MAX_BYTES)),
                             max_seconds=float(settings.get("max_seconds", DEFAULT_MAX_SECONDS)))
        kwargs["recognisers"] = recognisers
        return cls(data, stt, tts, limits, **kwargs)

    @property
    def spoken_dir(self) -> Path:
        return self.data.internal / "voice"

    async def _bounded(self, work):
        try:
            return await asyncio.wait_for(work, self.work_timeout)
        except asyncio.TimeoutError:
            raise BadAudio(Reason("audio.work_timeout")) from None

    async def _in_thread(self, function, *args):
        return await self._bounded(asyncio.to_thread(function, *args))

    async def _in_process(self, function, *args):
        if self._pool is None:
            # "spawn": a fork of a process that runs threads (the event loop's workers) can deadlock.
            self._pool = ProcessPoolExecutor(self.recognisers, mp_context=multiprocessing.get_context("spawn"),
                                             initializer=os.nice, initargs=(RECOGNISER_NICENESS,))
        try:
            return await self._bounded(asyncio.get_running_loop().run_in_executor(self._pool, function, *args))
        except BrokenProcessPool:
            log.error("a recognition worker died; starting new ones")
            self._pool = None
            raise BadAudio(Reason("audio.worker_died")) from None

    # -- speech to text ---------------------------------------------------------------------

    async def transcribe(self, audio: AudioUpload | Path) -> Transcript:
        """Check limits first, then decode and recognise. Raises BadAudio with a reason a user can act on."""
        with tempfile.TemporaryDirectory(prefix="hypotez-stt-") as folder:
            work = Path(folder)
            if isinstance(audio, Path):
                check_declared(audio.name, None, audio.stat().st_size, self.limits)
                await asyncio.to_thread(container_of, audio)
                source = audio
            else:
                check_declared(audio.filename, audio.content_type, audio.size, self.limits)
                content = await audio.read()
                if len(content) > self.limits.max_bytes:
                    raise BadAudio(Reason("audio.larger_than", limit=self.limits.max_bytes // 1024 // 1024))
                check_content(audio.filename, content[:HEAD_BYTES])  # audio, not a playlist naming files
                source = work / ("input" + (Path(audio.filename).suffix or ".ogg"))
                await asyncio.to_thread(source.write_bytes, content)
            seconds = await self._in_thread(probe_seconds, source)
            check_duration(seconds, self.limits)
            wav = work / "speech.wav"
            seconds = await self._in_thread(to_wav, source, wav, self.limits)
            return await self._in_process(recognise_wav, wav, seconds, self.stt)

    # -- text to speech ---------------------------------------------------------------------

    async def synthesize(self, text: str, folder: Path | None = None) -> Path:
        name = f"answer-{next(self._names)}-{id(self):x}"
        path, _engine = await asyncio.wait_for(
            asyncio.to_thread(synthesize, text, folder or self.spoken_dir, name, self.tts), self.work_timeout)
        return path

    async def speak(self, gateway: VoiceGateway, guild_id: str, text: str,
                    channel_id: str | None = None) -> Path | None:
        """Speak ``text`` in the server's voice channel (joining ``channel_id`` if the bot is in none),
        after what is already queued there.

        Returns the audio file when the gateway keeps files (the console), None when it was queued for
        playing (Discord: the file is removed after playing)."""
        keep = getattr(gateway, "keeps_files", False)
        client = None if keep else gateway.client(guild_id)
        if not keep and (client is None or not client.is_connected()):
            if channel_id is None:
                return None
            try:
                await gateway.join(guild_id, channel_id)
            except VoicePermissionError as error:
                log.warning("cannot speak in %s: %s", channel_id, error)
                return None
            client = gateway.client(guild_id)
            if client is None:
                return None
        path = await self.synthesize(text, gateway.folder if keep else None)  # type: ignore[attr-defined]
        if keep:
            return path
        self.players.player(guild_id, client, gateway.source).enqueue(path)
        return None

    async def leave(self, gateway: VoiceGateway, guild_id: str) -> bool:
        await self.players.stop(guild_id)
        return await gateway.leave(guild_id)

    async def aclose(self) -> None:
        await self.players.stop_all()
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

