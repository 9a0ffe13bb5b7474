"""Speech to text with SpeechRecognition: Google's web recogniser online, pocketsphinx offline.

Offline recognition uses the US-English model that ships in pocketsphinx's wheel (it recognises
clearly better than the older one bundled with SpeechRecognition); other languages need a model folder
(``sphinx_model`` with ``acoustic-model``, ``language-model.lm.bin`` and
``pronounciation-dictionary.dict``), or the online recogniser. Offline recognition is rough: clear,
slow speech works best.

pocketsphinx holds the GIL while it decodes (seconds for a voice message), so :func:`recognise_wav`
is meant to run in a worker process, never in the bot's own.
"""

from __future__ import annotations

import logging
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pocketsphinx
import speech_recognition as sr

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
    """Blocking: run it in a thread. Raises BadAudio when nothing can be recognised."""
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
        text = recognizer.recognize_sphinx(audio, language=language)
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
