"""Speech to text with SpeechRecognition: Google's web recogniser online, pocketsphinx offline.

Offline recognition uses the US-English model that ships in pocketsphinx's wheel (it recognises
clearly better than the older one bundled with SpeechRecognition); other languages need a model folder
(``sphinx_model`` with ``acoustic-model``, ``language-model.lm.bin`` and
``pronounciation-dictionary.dict``), or the online recogniser. Offline recognition is rough: clear,
slow speech works best.

pocketsphinx holds the GIL while it decodes (seconds for a voice message), so :func:`recognise_wav`
is meant to run in a worker process, never in the bot's own. Each worker loads a model once and
keeps its decoder for every later message (:func:`sphinx_decoder`).
"""

from __future__ import annotations

import functools
import logging
import os
import threading
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pocketsphinx
import speech_recognition as sr
from pocketsphinx import pocketsphinx as sphinx_api

from hypotez.services.voice.audio import BadAudio
from hypotez.reasons import Reason

log = logging.getLogger("hypotez.voice.stt")

GOOGLE_ENDPOINT = "http://www.google.com/speech-api/v2/recognize"
# Root-mean-square level (of 32,768) under which a recording is taken as silence: recognisers invent
# words from pure noise, so silence is refused before recognition.
SILENCE_RMS = 40.0


@dataclass(frozen=True, slots=True)
class Transcript:
    text: str
    engine: str
    language: str
    seconds: float


@dataclass(frozen=True, slots=True)
class SttSettings:
    engine: str = "sphinx"  # "sphinx" (offline) or "google" (online, falls back to sphinx)
    language: str = "ru-RU"
    sphinx_model: str | None = None  # a folder with another language's model
    google_endpoint: str = GOOGLE_ENDPOINT
    google_key: str | None = None
    timeout: float = 30.0


# The sample format pocketsphinx's models are trained on: 16 kHz, mono, 16-bit little-endian.
SPHINX_RATE = 16000
SPHINX_WIDTH = 2
# Distinct models a worker keeps decoders for (the English one takes ~95 MB of memory); settings name
# one model at a time, so more than one only happens in tests.
SPHINX_MODELS_KEPT = 4


class SphinxDecoder:
    """One loaded pocketsphinx model and its decoder, reused for every utterance.

    Decodes exactly as SpeechRecognition's ``recognize_sphinx`` does (the same configuration and
    calls), so transcripts do not change; only the model is not loaded again for each message."""

    def __init__(self, hmm: str, lm: str, dictionary: str):
        # The same checks and messages as recognize_sphinx: a wrong sphinx_model folder says what is missing.
        if not os.path.isdir(hmm):
            raise sr.RequestError(f'missing PocketSphinx language model parameters directory: "{hmm}"')
        if not os.path.isfile(lm):
            raise sr.RequestError(f'missing PocketSphinx language model file: "{lm}"')
        if not os.path.isfile(dictionary):
            raise sr.RequestError(f'missing PocketSphinx phoneme dictionary file: "{dictionary}"')
        config = sphinx_api.Config()
        config.set_string("-hmm", hmm)
        config.set_string("-lm", lm)
        config.set_string("-dict", dictionary)
        config.set_string("-logfn", os.devnull)  # pocketsphinx logs to stderr otherwise
        try:
            self._decoder = sphinx_api.Decoder(config)
        except (RuntimeError, ValueError) as error:  # files present but not a model pocketsphinx can read
            raise sr.RequestError(f"cannot load the PocketSphinx model {hmm!r}: {error}") from None
        # A decoder holds the state of the utterance it decodes: never two at once. A worker process
        # runs one task at a time; the lock keeps that true if recognition is ever run in threads.
        self._lock = threading.Lock()

    def decode(self, raw: bytes) -> str | None:
        """The best hypothesis for one whole utterance of 16 kHz mono 16-bit raw audio, or None."""
        with self._lock:
            self._decoder.start_utt()  # starts from a clean state: nothing of the last utterance is kept
            try:
                self._decoder.process_raw(raw, False, True)  # search on, as one full utterance
            finally:
                self._decoder.end_utt()  # also after an error, so the next start_utt works
            hypothesis = self._decoder.hyp()
        return hypothesis.hypstr if hypothesis is not None else None


# A per-process cache of loaded models, like a compiled regex: loading one costs ~0.6 s of CPU per
# message (that was most of the time for a short voice message), and the model is read-only once
# loaded. It lives in each recognition worker process; failures are not cached (lru_cache does not
# keep exceptions), so a fixed model folder loads on the next message; a model replaced in the same
# folder is read when the workers start again (a restart of the bot). cache_info().misses counts the
# models loaded.
@functools.lru_cache(maxsize=SPHINX_MODELS_KEPT)
def sphinx_decoder(hmm: str, lm: str, dictionary: str) -> SphinxDecoder:
    log.info("loading the pocketsphinx model %s", hmm)
    return SphinxDecoder(hmm, lm, dictionary)


def sphinx_cache_info() -> dict[str, int | None]:
    """How many models this process has loaded (misses) and reused (hits), and keeps (currsize).

    A plain function returning a dict (functools' CacheInfo does not pickle), so a test can ask a
    worker process."""
    return sphinx_decoder.cache_info()._asdict()


def recognise_sphinx(audio: sr.AudioData, language: tuple[str, str, str]) -> str:
    """Raises sr.UnknownValueError when nothing was recognised, sr.RequestError when the model does not load."""
    decoder = sphinx_decoder(*language)
    text = decoder.decode(audio.get_raw_data(convert_rate=SPHINX_RATE, convert_width=SPHINX_WIDTH))
    if text is None:
        raise sr.UnknownValueError()
    return text


def _sphinx_language(settings: SttSettings) -> tuple[str, str, str] | None:
    if settings.sphinx_model:
        folder = Path(settings.sphinx_model)
        return (str(folder / "acoustic-model"), str(folder / "language-model.lm.bin"),
                str(folder / "pronounciation-dictionary.dict"))
    if settings.language.lower().startswith("en"):
        folder = Path(pocketsphinx.get_model_path()) / "en-us"
        return str(folder / "en-us"), str(folder / "en-us.lm.bin"), str(folder / "cmudict-en-us.dict")
    return None  # no offline model for this language


def loudness(wav: Path) -> float:
    """The root-mean-square level of a 16-bit WAV file."""
    with wave.open(str(wav), "rb") as source:
        samples = np.frombuffer(source.readframes(source.getnframes()), dtype="<i2")
    if samples.size == 0:
        return 0.0
    return float(np.sqrt(np.mean(samples.astype(np.float64) ** 2)))


def recognise_wav(wav: Path, seconds: float, settings: SttSettings) -> Transcript:
    """Blocking, and holds the GIL while decoding: run it in a worker process. Raises BadAudio when
    nothing can be recognised."""
    if loudness(wav) < SILENCE_RMS:
        raise BadAudio(Reason("audio.no_speech"))
    recognizer = sr.Recognizer()
    recognizer.operation_timeout = settings.timeout
    with sr.AudioFile(str(wav)) as source:
        audio = recognizer.record(source)
    online_problem = None
    if settings.engine == "google":
        try:
            text = recognizer.recognize_google(audio, key=settings.google_key, language=settings.language,
                                               endpoint=settings.google_endpoint)
            return Transcript(_clean(text), "google", settings.language, seconds)
        except sr.UnknownValueError:
            raise BadAudio(Reason("audio.no_speech")) from None
        except (sr.RequestError, OSError) as error:  # OSError: a socket time-out SpeechRecognition lets through
            log.warning("online recognition failed, trying offline: %s", error)
            online_problem = str(error)
    language = _sphinx_language(settings)
    if language is None:
        if online_problem:
            raise BadAudio(Reason("audio.online_unavailable", problem=online_problem, language=settings.language))
        raise BadAudio(Reason("audio.english_only", language=settings.language))
    try:
        text = recognise_sphinx(audio, language)
    except sr.UnknownValueError:
        raise BadAudio(Reason("audio.no_speech")) from None
    except sr.RequestError as error:
        raise BadAudio(Reason("audio.offline_failed", detail=str(error))) from None
    text = _clean(text)
    if not text:
        raise BadAudio(Reason("audio.no_speech"))
    offline_language = settings.language if settings.sphinx_model else "en-US"
    return Transcript(text, "sphinx", offline_language, seconds)


def _clean(text: str) -> str:
    return " ".join(text.split())
