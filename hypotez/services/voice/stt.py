"""Speech to text with SpeechRecognition: Google's web recogniser online, pocketsphinx offline.

pocketsphinx's wheel ships a US-English model; other languages need a model folder (``sphinx_model``
with ``acoustic-model``, ``language-model.lm.bin`` and ``pronounciation-dictionary.dict``), or the
online recogniser. Offline recognition is rough: clear, slow speech works best.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import speech_recognition as sr

from hypotez.services.voice.audio import BadAudio

log = logging.getLogger("hypotez.voice.stt")

GOOGLE_ENDPOINT = "http://www.google.com/speech-api/v2/recognize"


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


def _sphinx_language(settings: SttSettings) -> str | tuple[str, str, str] | None:
    if settings.sphinx_model:
        folder = Path(settings.sphinx_model)
        return (str(folder / "acoustic-model"), str(folder / "language-model.lm.bin"),
                str(folder / "pronounciation-dictionary.dict"))
    if settings.language.lower().startswith("en"):
        return "en-US"
    return None  # no offline model for this language


def recognise_wav(wav: Path, seconds: float, settings: SttSettings) -> Transcript:
    """Blocking: run it in a thread. Raises BadAudio when nothing can be recognised."""
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
            raise BadAudio("no speech could be recognised in the audio (is it silent?)") from None
        except sr.RequestError as error:
            log.warning("online recognition failed, trying offline: %s", error)
            online_problem = str(error)
    language = _sphinx_language(settings)
    if language is None:
        reason = f"the online recogniser is unavailable ({online_problem})" if online_problem else \
            f"offline recognition has no model for {settings.language}"
        raise BadAudio(f"{reason}; set voice.sphinx_model to a model folder, or try again later")
    try:
        text = recognizer.recognize_sphinx(audio, language=language)
    except sr.UnknownValueError:
        raise BadAudio("no speech could be recognised in the audio (is it silent?)") from None
    except sr.RequestError as error:
        raise BadAudio(f"offline recognition failed: {error}") from None
    text = _clean(text)
    if not text:
        raise BadAudio("no speech could be recognised in the audio (is it silent?)")
    return Transcript(text, "sphinx", "en-US" if isinstance(language, str) else settings.language, seconds)


def _clean(text: str) -> str:
    return " ".join(text.split())
