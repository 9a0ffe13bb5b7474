"""Speech to text: Whisper offline (hypotez.services.voice.whisper: Russian, English and most other
languages), Google's web recogniser online (through SpeechRecognition), pocketsphinx offline as the
light English fallback.

``stt: whisper`` needs ``hypotez[offline]`` (faster-whisper and the shipped model); without it,
English falls back to pocketsphinx and other languages get a reply saying what to install.
``stt: google`` falls back to Whisper when it is installed, else to pocketsphinx.

pocketsphinx uses the US-English model that ships in pocketsphinx's wheel (it recognises
clearly better than the older one bundled with SpeechRecognition); other languages need a model folder
(``sphinx_model`` with ``acoustic-model``, ``language-model.lm.bin`` and
``pronounciation-dictionary.dict``), or the online recogniser. Offline recognition is rough: clear,
slow speech works best.

Both offline recognisers hold a core for seconds per voice message (pocketsphinx the GIL too), so
:func:`recognise_wav` is meant to run in a worker process, never in the bot's own. Each worker loads
a model once and keeps it for every later message (:func:`sphinx_decoder`, :func:`whisper_recogniser`).
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

from hypotez.reasons import Reason
from hypotez.services.voice.audio import BadAudio
from hypotez.services.voice.whisper import wav_samples, whisper_language, whisper_recogniser
from hypotez.services.voice.whisper_model import INSTALL_HINT, WhisperModelMissing

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
    engine: str = "sphinx"  # "whisper" or "sphinx" (offline), or "google" (online, falls back to offline)
    language: str = "ru-RU"
    sphinx_model: str | None = None  # a folder with another language's model
    whisper_model: str | None = None  # a faster-whisper model folder instead of the shipped model
    whisper_cache: str | None = None  # where the shipped model is joined (None: whisper_model.default_cache)
    whisper_threads: int = 1  # CPU threads of one recognition worker
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
    """Blocking, and holds a core while decoding: run it in a worker process. Raises BadAudio when
    nothing can be recognised."""
    if loudness(wav) < SILENCE_RMS:
        raise BadAudio(Reason("audio.no_speech"))
    online_problem = None
    if settings.engine == "google":
        try:
            text = recognise_google(wav, settings)
            return Transcript(_clean(text), "google", settings.language, seconds)
        except sr.UnknownValueError:
            raise BadAudio(Reason("audio.no_speech")) from None
        except (sr.RequestError, OSError) as error:  # OSError: a socket time-out SpeechRecognition lets through
            log.warning("online recognition failed, trying offline: %s", error)
            online_problem = str(error)
    whisper_problem = None
    if settings.engine in ("whisper", "google"):
        try:
            return _whisper(wav, seconds, settings)
        except WhisperModelMissing as missing:
            whisper_problem = missing.reason
            log.warning("offline recognition with Whisper is unavailable: %s", missing.reason)
    language = _sphinx_language(settings)
    if language is None:
        if online_problem:
            raise BadAudio(Reason("audio.online_unavailable", problem=online_problem, language=settings.language,
                                  install=INSTALL_HINT))
        if whisper_problem is not None:
            raise BadAudio(whisper_problem)
        raise BadAudio(Reason("audio.english_only", language=settings.language))
    text = _sphinx(wav, language, settings)
    offline_language = settings.language if settings.sphinx_model else "en-US"
    return Transcript(text, "sphinx", offline_language, seconds)


def _record(wav: Path, settings: SttSettings) -> tuple[sr.Recognizer, sr.AudioData]:
    recognizer = sr.Recognizer()
    recognizer.operation_timeout = settings.timeout
    with sr.AudioFile(str(wav)) as source:
        return recognizer, recognizer.record(source)


def recognise_google(wav: Path, settings: SttSettings) -> str:
    recognizer, audio = _record(wav, settings)
    return recognizer.recognize_google(audio, key=settings.google_key, language=settings.language,
                                       endpoint=settings.google_endpoint)


def _sphinx(wav: Path, language: tuple[str, str, str], settings: SttSettings) -> str:
    _recognizer, audio = _record(wav, settings)
    try:
        text = _clean(recognise_sphinx(audio, language))
    except sr.UnknownValueError:
        raise BadAudio(Reason("audio.no_speech")) from None
    except sr.RequestError as error:
        raise BadAudio(Reason("audio.offline_failed", detail=str(error))) from None
    if not text:
        raise BadAudio(Reason("audio.no_speech"))
    return text


def _whisper(wav: Path, seconds: float, settings: SttSettings) -> Transcript:
    """Raises WhisperModelMissing when there is no model to use (the caller may fall back)."""
    recogniser = whisper_recogniser(settings.whisper_model, settings.whisper_cache, settings.whisper_threads)
    language = whisper_language(settings.language)
    if language not in recogniser.languages:
        raise BadAudio(Reason("audio.whisper_language", language=settings.language))
    text = _clean(recogniser.transcribe(wav_samples(wav), language))
    if not text:
        raise BadAudio(Reason("audio.no_speech"))
    return Transcript(text, "whisper", settings.language, seconds)


def _clean(text: str) -> str:
    return " ".join(text.split())
