"""Offline recognition keeps one pocketsphinx decoder per model in each worker process: real espeak-ng
speech, recognised several times in a row by the same decoder, and model folders that do not load."""

import wave
from pathlib import Path

import numpy as np
import pocketsphinx
import pytest
from audio import voice_message

from hypotez.services.datafolder import DataFolder
from hypotez.services.voice import BadAudio, VoiceService
from hypotez.services.voice.audio import AudioLimits, to_wav
from hypotez.services.voice.stt import SttSettings, recognise_wav, sphinx_cache_info, sphinx_decoder

# Phrases the wheel's English model recognises exactly from espeak-ng speech (see tests/test_voice.py).
PHRASES = ["hello world", "stop the music", "hello world", "stop the music"]


@pytest.fixture
async def voice(tmp_path):
    """An English Voice service with one recognition worker, closed (worker included) afterwards."""
    service = VoiceService.from_settings({"language": "en-US", "recognisers": 1},
                                         DataFolder(tmp_path / "data").ensure())
    yield service
    await service.aclose()


@pytest.fixture
def fresh_cache():
    """This process's decoders, emptied before and after, so counts start at zero and no model stays loaded."""
    sphinx_decoder.cache_clear()
    yield
    sphinx_decoder.cache_clear()


def wav_of(text: str, folder: Path, name: str) -> tuple[Path, float]:
    """A voice message as the service hands it to the recogniser: 16 kHz mono WAV."""
    wav = folder / f"{name}.wav"
    seconds = to_wav(voice_message(text, folder, name), wav, AudioLimits())
    return wav, seconds


def model_folder(folder: Path, *, acoustic: bool = True, lm: bytes | None = b"junk",
                 dictionary: bytes | None = b"hello HH AH L OW\n") -> Path:
    """A ``sphinx_model`` folder laid out as the settings ask, with the parts asked for."""
    folder.mkdir()
    if acoustic:
        (folder / "acoustic-model").mkdir()
    if lm is not None:
        (folder / "language-model.lm.bin").write_bytes(lm)
    if dictionary is not None:
        (folder / "pronounciation-dictionary.dict").write_bytes(dictionary)
    return folder


def test_the_model_is_loaded_once_for_many_messages(tmp_path, fresh_cache):
    settings = SttSettings(language="en-US")
    messages = [wav_of(text, tmp_path, f"m{index}") for index, text in enumerate(PHRASES)]
    heard = [recognise_wav(wav, seconds, settings).text for wav, seconds in messages]
    assert heard == PHRASES  # the decoder starts each utterance clean: nothing carries over
    info = sphinx_cache_info()
    assert (info["misses"], info["hits"], info["currsize"]) == (1, len(PHRASES) - 1, 1)


async def test_one_worker_recognises_messages_in_a_row_with_one_model_load(tmp_path, voice):
    heard = [(await voice.transcribe(voice_message(text, tmp_path, f"m{index}"))).text
             for index, text in enumerate(PHRASES)]
    assert heard == PHRASES
    # Asked in the worker itself (there is one): one model load, reused by every later message.
    info = await voice._in_process(sphinx_cache_info)
    assert (info["misses"], info["hits"]) == (1, len(PHRASES) - 1)


def test_noise_between_messages_leaves_nothing_behind_in_the_decoder(tmp_path, fresh_cache):
    settings = SttSettings(language="en-US")
    speech, seconds = wav_of("hello world", tmp_path, "speech")
    # Quiet hiss: loud enough to pass the silence check and reach the decoder, with no words in it.
    noise = tmp_path / "noise.wav"
    with wave.open(str(noise), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(np.random.default_rng(1).normal(0, 60, 16000 * 2).astype("<i2").tobytes())
    assert recognise_wav(speech, seconds, settings).text == "hello world"
    try:
        recognise_wav(noise, 2.0, settings)  # whatever it makes of the hiss, or "no speech"
    except BadAudio as error:
        assert error.message.key == "audio.no_speech"
    assert recognise_wav(speech, seconds, settings).text == "hello world"
    assert sphinx_cache_info()["misses"] == 1


@pytest.mark.parametrize("parts, detail", [
    ({"acoustic": False}, "missing PocketSphinx language model parameters directory"),
    ({"lm": None}, "missing PocketSphinx language model file"),
    ({"dictionary": None}, "missing PocketSphinx phoneme dictionary file"),
    ({}, "cannot load the PocketSphinx model"),  # every file there, none of them a model
])
async def test_a_model_folder_that_does_not_load_gets_a_clear_reply(tmp_path, parts, detail):
    folder = model_folder(tmp_path / "my-model", **parts)
    voice = VoiceService.from_settings({"language": "de-DE", "sphinx_model": str(folder)},
                                       DataFolder(tmp_path / "data").ensure())
    try:
        with pytest.raises(BadAudio) as raised:
            await voice.transcribe(voice_message("hello world", tmp_path))
    finally:
        await voice.aclose()
    reason = raised.value.message
    assert reason.key == "audio.offline_failed"
    assert detail in reason.params["detail"] and str(folder) in reason.params["detail"]


def test_a_failed_load_is_not_remembered(tmp_path, fresh_cache):
    # The operator fixes the folder while the bot runs: the next message loads it.
    folder = model_folder(tmp_path / "my-model", acoustic=False)
    settings = SttSettings(language="en-US", sphinx_model=str(folder))
    wav, seconds = wav_of("hello world", tmp_path, "m")
    with pytest.raises(BadAudio, match="parameters directory"):
        recognise_wav(wav, seconds, settings)
    english = Path(pocketsphinx.get_model_path()) / "en-us"  # the wheel's model, under the settings' names
    (folder / "acoustic-model").symlink_to(english / "en-us")
    for name, source in [("language-model.lm.bin", "en-us.lm.bin"), ("pronounciation-dictionary.dict",
                                                                     "cmudict-en-us.dict")]:
        (folder / name).unlink()
        (folder / name).symlink_to(english / source)
    assert recognise_wav(wav, seconds, settings).text == "hello world"
    assert sphinx_cache_info()["misses"] == 2  # the failed try, then the load that worked
