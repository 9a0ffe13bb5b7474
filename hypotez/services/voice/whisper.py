"""Offline speech to text with faster-whisper (CTranslate2, int8 on the CPU), in many languages.

Like pocketsphinx, Whisper holds a core for seconds per message, so it runs in the recognition worker
processes, and each worker loads the model once and keeps it (:func:`whisper_recogniser`).

Whisper was trained on subtitles: on noise, music or speech it cannot make out it *invents* fluent
text ("Продолжение следует...", "ДИНАМИЧНАЯ МУЗЫКА", a phrase repeated to the end of the window).
A bot that answers what it heard must not answer invented words, so:

* voice activity detection (Silero VAD, shipped in faster-whisper's wheel) removes everything that
  is not speech before decoding; audio with no speech gives no text at all;
* each segment is checked as Whisper itself does it, but the verdict is kept: a segment that is
  probably not speech (no-speech probability above 0.6 with a low log-probability) or repeats itself
  (gzip compression ratio above 2.4, even after the temperature fallback) is dropped;
* text is bounded by the duration it came from (no one says 7 words or 30 characters a second), and
  the decoder may not produce more tokens than that duration can hold, so a loop stops early;
* the previous segment's text does not prompt the next one (a hallucination does not spread).
"""

from __future__ import annotations

import functools
import logging
import math
import threading
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from hypotez.reasons import Reason
from hypotez.services.voice.whisper_model import INSTALL_HINT, WhisperModelMissing, model_folder

log = logging.getLogger("hypotez.voice.whisper")

SAMPLE_RATE = 16000  # what Whisper's feature extractor takes, and what audio.to_wav writes
BEAM_SIZE = 5
# Whisper's own thresholds (openai/whisper's transcribe defaults).
NO_SPEECH_PROB = 0.6
LOG_PROB = -1.0
COMPRESSION_RATIO = 2.4
# Retries at higher temperatures when a decode fails those checks; fewer than Whisper's six, as
# each retry costs a whole decode and the last ones rarely turn noise into right words.
TEMPERATURES = (0.0, 0.2, 0.4, 0.6)
# The fastest natural speech is about 5 words (Russian) and 20 characters a second; above these
# bounds a segment's text cannot have been said in its time.
MAX_WORDS_PER_SECOND = 6.0
MAX_CHARS_PER_SECOND = 30.0
SLACK_WORDS = 2
SLACK_CHARS = 12
# Tokens per second of audio the decoder may write (Russian takes about 7 for fast speech), within
# the 448 tokens Whisper's decoder holds for a 30 s window.
TOKENS_PER_SECOND = 12
WINDOW_SECONDS = 30
MAX_TOKENS = 440
RECOGNISERS_KEPT = 2  # models a worker keeps (~150 MB each); settings name one, tests may use two


@dataclass(frozen=True, slots=True)
class Heard:
    """One decoded segment and the facts the guards judge it by."""

    text: str
    start: float
    end: float
    no_speech_prob: float
    avg_logprob: float
    compression_ratio: float


def rejection(segment: Heard) -> str | None:
    """Why a segment is taken for a hallucination, or None when it is believable."""
    if segment.no_speech_prob > NO_SPEECH_PROB and segment.avg_logprob < LOG_PROB:
        return f"probably not speech (no-speech probability {segment.no_speech_prob:.2f})"
    if segment.compression_ratio > COMPRESSION_RATIO:
        return f"repetitive (compression ratio {segment.compression_ratio:.2f})"
    if too_long(segment.text, segment.end - segment.start):
        return f"too long for {segment.end - segment.start:.1f} s of audio"
    return None


def too_long(text: str, seconds: float) -> bool:
    seconds = max(seconds, 0.0)
    return (len(text.split()) > MAX_WORDS_PER_SECOND * seconds + SLACK_WORDS
            or len(text) > MAX_CHARS_PER_SECOND * seconds + SLACK_CHARS)


def believable_text(segments: list[Heard], seconds: float) -> str:
    """The text of the segments that pass the guards, or "" when nothing believable was heard."""
    kept = []
    for segment in segments:
        if (why := rejection(segment)) is not None:
            log.info("dropped a recognised segment, %s: %r", why, segment.text[:120])
        else:
            kept.append(segment.text.strip())
    text = " ".join(" ".join(kept).split())
    if too_long(text, seconds):  # the segments' times lie outside the audio: a broken decode
        log.info("dropped a transcript too long for %.1f s of audio: %r", seconds, text[:120])
        return ""
    return text


def token_budget(seconds: float) -> int:
    return min(MAX_TOKENS, 10 + math.ceil(TOKENS_PER_SECOND * min(seconds, WINDOW_SECONDS)))


def whisper_language(tag: str) -> str:
    """Whisper's language code of a tag such as ``ru-RU``."""
    return tag.split("-")[0].lower()


class WhisperRecogniser:
    """One loaded Whisper model, reused for every message a worker recognises."""

    def __init__(self, folder: Path, threads: int):
        try:
            from faster_whisper import WhisperModel  # heavy (CTranslate2, onnxruntime): only in workers
        except ImportError:
            raise WhisperModelMissing(Reason("audio.whisper_not_installed", install=INSTALL_HINT)) from None
        log.info("loading the Whisper model %s (%d threads)", folder, threads)
        try:
            self._model = WhisperModel(str(folder), device="cpu", compute_type="int8", cpu_threads=threads,
                                       local_files_only=True)
        except (RuntimeError, ValueError, OSError) as error:  # files there, but not a model it can read
            raise WhisperModelMissing(Reason("audio.whisper_unloadable", folder=str(folder),
                                             problem=str(error).strip()[:200])) from None
        self.folder = folder
        self.languages = frozenset(self._model.supported_languages)
        # A worker runs one task at a time; the lock keeps the model to one decode if that changes.
        self._lock = threading.Lock()

    def transcribe(self, samples: np.ndarray, language: str) -> str:
        """The believable text of 16 kHz mono float32 ``samples`` (may be "")."""
        seconds = len(samples) / SAMPLE_RATE
        with self._lock:
            segments, _info = self._model.transcribe(
                samples, language=language, beam_size=BEAM_SIZE, temperature=list(TEMPERATURES),
                vad_filter=True, condition_on_previous_text=False, no_speech_threshold=NO_SPEECH_PROB,
                log_prob_threshold=LOG_PROB, compression_ratio_threshold=COMPRESSION_RATIO,
                max_new_tokens=token_budget(seconds))
            # segments is a generator: the decoding happens while it is read, so inside the lock.
            heard = [Heard(s.text, s.start, s.end, s.no_speech_prob, s.avg_logprob, s.compression_ratio)
                     for s in segments]
        return believable_text(heard, seconds)


# A per-process cache of loaded models, as for pocketsphinx's decoders (stt.sphinx_decoder): finding
# and checking the model (SHA-256 of the joined file) and loading it happen once per worker, not once
# per message. Failures are not cached, so a model installed while the bot runs is used on the next
# message.
@functools.lru_cache(maxsize=RECOGNISERS_KEPT)
def whisper_recogniser(user_folder: str | None, cache: str | None, threads: int) -> WhisperRecogniser:
    return WhisperRecogniser(model_folder(user_folder, Path(cache) if cache else None), threads)


def whisper_cache_info() -> dict[str, int | None]:
    """Models loaded (misses), reused (hits) and kept (currsize) by this process, as a picklable dict."""
    return whisper_recogniser.cache_info()._asdict()


def wav_samples(wav: Path) -> np.ndarray:
    """The samples of a 16 kHz mono 16-bit WAV (what audio.to_wav writes) as float32 in [-1, 1)."""
    with wave.open(str(wav), "rb") as source:
        if (source.getframerate(), source.getnchannels(), source.getsampwidth()) != (SAMPLE_RATE, 1, 2):
            raise ValueError(f"{wav.name} is not 16 kHz mono 16-bit audio")
        frames = source.readframes(source.getnframes())
    return np.frombuffer(frames, dtype="<i2").astype(np.float32) / 32768.0
