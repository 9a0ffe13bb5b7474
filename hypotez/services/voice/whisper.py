"""Offline speech to text with faster-whisper (CTranslate2, int8 on the CPU), in many languages.

Like pocketsphinx, Whisper holds a core for seconds per message, so it runs in the recognition worker
processes, and each worker loads the model once and keeps it (:func:`whisper_recogniser`).

A message is first cut down to its speech (Silero VAD, shipped in faster-whisper's wheel): with no
speech, there is no text at all. Short speech is decoded with a shortened window (whisper_short);
longer speech, or a short decode that looks unsure, goes through faster-whisper's standard decode
(30 s windows, temperature fallback, the previous window's text not used as a prompt so that a
hallucination does not spread). Either way the guards of whisper_guards judge what was heard.
"""

from __future__ import annotations

import functools
import logging
import threading
import wave
from pathlib import Path

import numpy as np

from hypotez.reasons import Reason
from hypotez.services.voice.whisper_guards import (COMPRESSION_RATIO, LOG_PROB, NO_SPEECH_PROB, Heard,
                                                   believable_text, token_budget)
from hypotez.services.voice.whisper_model import INSTALL_HINT, WhisperModelMissing, model_folder
from hypotez.services.voice.whisper_short import SHORT_MAX_SECONDS, decode_short, speech_only

log = logging.getLogger("hypotez.voice.whisper")

SAMPLE_RATE = 16000  # what Whisper's feature extractor takes, and what audio.to_wav writes
BEAM_SIZE = 5
# Retries at higher temperatures when a decode fails Whisper's checks; fewer than Whisper's six, as
# each retry costs a whole decode and the last ones rarely turn noise into right words.
TEMPERATURES = (0.0, 0.2, 0.4, 0.6)
RECOGNISERS_KEPT = 2  # models a worker keeps (~150 MB each); settings name one, tests may use two


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
        with self._lock:  # a model decodes one message at a time
            speech = speech_only(self._model, samples)
            if speech.size == 0:
                return ""
            speech_seconds = speech.size / SAMPLE_RATE
            if speech_seconds <= SHORT_MAX_SECONDS:
                heard = decode_short(self._model, speech, language, BEAM_SIZE, token_budget(speech_seconds))
                if heard is not None:
                    return believable_text([heard], seconds)
                log.info("the short decode looked unsure; decoding the whole message")
            return believable_text(self._standard(samples, language), seconds)

    def _standard(self, samples: np.ndarray, language: str) -> list[Heard]:
        segments, _info = self._model.transcribe(
            samples, language=language, beam_size=BEAM_SIZE, temperature=list(TEMPERATURES),
            vad_filter=True, condition_on_previous_text=False, no_speech_threshold=NO_SPEECH_PROB,
            log_prob_threshold=LOG_PROB, compression_ratio_threshold=COMPRESSION_RATIO,
            max_new_tokens=token_budget(len(samples) / SAMPLE_RATE))
        # segments is a generator: the decoding happens while it is read.
        return [Heard(s.text, s.start, s.end, s.no_speech_prob, s.avg_logprob, s.compression_ratio)
                for s in segments]


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
