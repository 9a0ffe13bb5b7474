"""Speaking with RHVoice (voice.tts: rhvoice) where it is installed, and with espeak-ng where it is not.

RHVoice is opt-in (Debian non-free: HYPOTEZ_ALLOW_NONFREE=1 ./dev setup); the tests that need it are
skipped on machines without it. What it says is checked by ear, so to speak: Whisper transcribes it."""

import logging
import os
import shutil
from pathlib import Path

import pytest
from audio import words

from hypotez.services.datafolder import DataFolder
from hypotez.services.voice import VoiceService
from hypotez.services.voice.audio import AudioLimits, to_wav
from hypotez.services.voice.stt import SttSettings, recognise_wav
from hypotez.services.voice.tts import RHVOICE, TtsSettings, synthesize

needs_rhvoice = pytest.mark.skipif(shutil.which(RHVOICE) is None,
                                   reason="RHVoice is opt-in: HYPOTEZ_ALLOW_NONFREE=1 ./dev setup")


def heard(path: Path, folder: Path, language: str) -> list[str]:
    wav = folder / "heard.wav"
    seconds = to_wav(path, wav, AudioLimits())
    return words(recognise_wav(wav, seconds, SttSettings(engine="whisper", language=language,
                                                         whisper_threads=2)).text)


@pytest.fixture
def without_rhvoice(tmp_path, monkeypatch):
    """A PATH with the tools hypotez needs but no RHVoice, as on a machine where it is not installed."""
    tools = tmp_path / "bin"
    tools.mkdir()
    for tool in ("espeak-ng", "ffmpeg", "ffprobe"):
        (tools / tool).symlink_to(shutil.which(tool))
    monkeypatch.setenv("PATH", str(tools))


@needs_rhvoice
@pytest.mark.parametrize("language, text", [("ru-RU", "Привет, как дела?"), ("en-US", "Thank you very much.")])
def test_rhvoice_speaks_words_that_can_be_heard(tmp_path, language, text):
    path, engine = synthesize(text, tmp_path, "answer", TtsSettings(engine="rhvoice", language=language))
    assert engine == "rhvoice" and path.read_bytes()[:4] == b"OggS"
    assert heard(path, tmp_path, language) == words(text)


@needs_rhvoice
def test_text_that_looks_like_an_option_is_spoken_not_obeyed(tmp_path):
    path, engine = synthesize("-p nobody --help", tmp_path, "answer", TtsSettings(engine="rhvoice", language="en-US"))
    assert engine == "rhvoice" and path.stat().st_size > 1000


@needs_rhvoice
def test_a_voice_that_is_not_installed_falls_back_to_espeak(tmp_path, caplog):
    settings = TtsSettings(engine="rhvoice", language="ru-RU", rhvoice_voice="nosuchvoice")
    with caplog.at_level(logging.WARNING, logger="hypotez.voice.tts"):
        path, engine = synthesize("Привет", tmp_path, "answer", settings)
    # RHVoice itself would speak an unknown name with some other voice, silently.
    assert engine == "espeak" and path.read_bytes()[:4] == b"OggS"
    message = " ".join(record.getMessage() for record in caplog.records)
    assert "the RHVoice voice 'nosuchvoice' is not installed" in message and "aleksandr" in message


def test_without_rhvoice_espeak_speaks_and_the_log_says_what_to_install(tmp_path, without_rhvoice, caplog):
    with caplog.at_level(logging.WARNING):
        voice = VoiceService.from_settings({"tts": "rhvoice", "language": "ru-RU"},
                                           DataFolder(tmp_path / "data").ensure())
        path, engine = synthesize("Привет, как дела?", tmp_path, "answer", voice.tts)
    assert engine == "espeak" and path.read_bytes()[:4] == b"OggS"
    warnings = [record.getMessage() for record in caplog.records if record.levelno == logging.WARNING]
    assert any("RHVoice is not installed" in text and "HYPOTEZ_ALLOW_NONFREE=1 ./dev setup" in text
               and "espeak-ng" in text for text in warnings), warnings


def test_a_language_rhvoice_has_no_default_voice_for_says_so(tmp_path, caplog):
    if shutil.which(RHVOICE) is None:
        pytest.skip("the message for a missing RHVoice comes first")
    with caplog.at_level(logging.WARNING, logger="hypotez.voice.tts"):
        path, engine = synthesize("Hallo", tmp_path, "answer", TtsSettings(engine="rhvoice", language="de-DE"))
    assert engine == "espeak" and path.is_file()
    assert any("no default voice for de-DE" in record.getMessage() and "voice.rhvoice_voice" in record.getMessage()
               for record in caplog.records)


def test_espeak_stays_the_default(tmp_path):
    voice = VoiceService.from_settings({"language": "ru-RU"}, DataFolder(tmp_path / "data").ensure())
    assert voice.tts.engine == "espeak"
    _path, engine = synthesize("Привет", tmp_path, "answer", voice.tts)
    assert engine == "espeak" and os.path.exists(_path)
