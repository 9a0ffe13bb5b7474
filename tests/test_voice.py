"""The Voice service with real audio: espeak-ng speech transcribed offline by pocketsphinx, the online
engines against local fakes of Google's endpoints (driven by SpeechRecognition and gTTS themselves),
the playback queue with discord.py's real FFmpeg audio sources, and a corpus of bad audio."""

import asyncio
import time
from pathlib import Path

import pytest
from audio import convert, russian_voice_message, silence, speech_wav, tone, voice_message, words
from fakes.speech_servers import FakeGoogle, start

from hypotez.invocation import Attachment
from hypotez.services.datafolder import DataFolder
from hypotez.adapters.discord_audio import ffmpeg_source
from hypotez.services.voice import BadAudio, VoiceService
from hypotez.services.voice.playback import GuildPlayer
from hypotez.services.voice.tts import cut
from hypotez.testing import FakeVoiceClient


@pytest.fixture
def folder(tmp_path):
    return DataFolder(tmp_path / "data").ensure()


@pytest.fixture
async def service(folder):
    """Makes Voice services (English unless told otherwise) and closes them, worker processes included."""
    made = []

    def make(**settings):
        made.append(VoiceService.from_settings({"language": "en-US", **settings}, folder))
        return made[-1]

    yield make
    for voice in made:
        await voice.aclose()


def attachment(path: Path, content_type: str | None = "audio/ogg", name: str | None = None) -> Attachment:
    async def read() -> bytes:
        return path.read_bytes()

    return Attachment(filename=name or path.name, size=path.stat().st_size, content_type=content_type,
                      url=f"https://cdn.discordapp.com/attachments/1/2/{path.name}", read=read)


async def test_a_voice_message_is_transcribed_offline(tmp_path, service):
    audio = voice_message("hello world", tmp_path)
    transcript = await service().transcribe(attachment(audio))
    assert transcript.text == "hello world"
    assert transcript.engine == "sphinx" and transcript.seconds > 0.5


@pytest.mark.parametrize("suffix, args, content_type", [
    ("mp3", ("-codec:a", "libmp3lame"), "audio/mpeg"),
    ("wav", (), "audio/wav"),
    ("m4a", ("-c:a", "aac"), "audio/mp4"),
    ("webm", ("-c:a", "libopus"), "audio/webm"),
])
async def test_other_formats_are_converted_and_transcribed(tmp_path, suffix, args, content_type, service):
    # Made from a voice message, as a phone app would re-encode a recording: espeak-ng's raw output
    # is too synthetic for the offline model, its opus-encoded form is recognised.
    recorded = voice_message("stop the music", tmp_path)
    audio = convert(recorded, tmp_path / f"speech.{suffix}", *args)
    transcript = await service().transcribe(attachment(audio, content_type))
    assert transcript.text == "stop the music"


async def test_silence_gets_a_clear_reply(tmp_path, service):
    with pytest.raises(BadAudio, match="no speech could be recognised"):
        await service().transcribe(attachment(silence(tmp_path)))


@pytest.mark.parametrize("make, content_type, message", [
    (lambda d: (d / "empty.ogg").write_bytes(b"") and d / "empty.ogg" or d / "empty.ogg", "audio/ogg", "is empty"),
    (lambda d: (d / "notes.txt").write_text("hello") and d / "notes.txt", "text/plain", "is not an audio file"),
    (lambda d: (d / "fake.ogg").write_bytes(b"OggS" + b"\x00" * 300) and d / "fake.ogg", "audio/ogg",
     "not readable audio"),
])
async def test_bad_audio_corpus(tmp_path, make, content_type, message, service):
    path = make(tmp_path)
    with pytest.raises(BadAudio, match=message):
        await service().transcribe(attachment(path, content_type))


async def test_truncated_ogg_is_refused(tmp_path, service):
    whole = voice_message("hello world", tmp_path).read_bytes()
    truncated = tmp_path / "truncated.ogg"
    truncated.write_bytes(whole[: len(whole) // 8])
    with pytest.raises(BadAudio):
        await service().transcribe(attachment(truncated))


async def test_too_long_is_refused_before_decoding(tmp_path, service):
    long = tone(tmp_path, 4.0)
    with pytest.raises(BadAudio, match=r"the audio is 4 s long; at most 2 s"):
        await service(max_seconds=2).transcribe(attachment(long))


async def test_too_big_is_refused_before_reading(tmp_path, service):
    audio = voice_message("hello world", tmp_path)
    read_called = False

    async def read() -> bytes:
        nonlocal read_called
        read_called = True
        return audio.read_bytes()

    big = Attachment("voice.ogg", 50 * 1024 * 1024, "audio/ogg", "https://cdn.discordapp.com/x", read)
    with pytest.raises(BadAudio, match="is 50.0 MB; at most 20 MB"):
        await service().transcribe(big)
    assert not read_called


# --- online engines against local fakes -------------------------------------------------------


@pytest.fixture
async def google(tmp_path):
    fake = FakeGoogle()
    fake.mp3 = convert(speech_wav("hello world", tmp_path / "g.wav"), tmp_path / "g.mp3", "-codec:a",
                       "libmp3lame").read_bytes()
    server, url = await start(fake.app())
    fake.url = url
    yield fake
    fake.released.set()
    await server.close()


async def test_google_recogniser_is_used_online(tmp_path, google, service):
    voice = service(stt="google", language="ru-RU",
                    google_endpoint=f"{google.url}/speech-api/v2/recognize")
    transcript = await voice.transcribe(attachment(voice_message("hello world", tmp_path)))
    assert transcript.text == "привет как дела" and transcript.engine == "google"
    assert google.stt_requests[0]["lang"] == "ru-RU" and "flac" in google.stt_requests[0]["content_type"]


async def test_google_5xx_falls_back_to_offline_recognition(tmp_path, google, service):
    google.faults = {"stt": [503]}
    voice = service(stt="google", google_endpoint=f"{google.url}/speech-api/v2/recognize")
    transcript = await voice.transcribe(attachment(voice_message("what time is it", tmp_path)))
    assert words(transcript.text) == ["what", "time", "is", "it"] and transcript.engine == "whisper"


async def test_google_timeout_for_russian_falls_back_to_whisper(tmp_path, google, service):
    google.faults = {"stt": ["hang"]}
    voice = service(stt="google", language="ru-RU", timeout=1,
                    google_endpoint=f"{google.url}/speech-api/v2/recognize")
    transcript = await voice.transcribe(attachment(russian_voice_message("Привет, как дела?", tmp_path)))
    assert words(transcript.text) == ["привет", "как", "дела"] and transcript.engine == "whisper"


async def test_gtts_speaks_online(google, service):
    voice = service(tts="gtts", gtts_endpoint=f"{google.url}/tts")
    path = await voice.synthesize("Hello there")
    assert path.suffix == ".mp3" and path.read_bytes() == google.mp3
    assert "Hello there" in google.tts_requests[0]


async def test_gtts_failure_falls_back_to_espeak(google, service):
    google.faults = {"tts": [500]}
    voice = service(tts="gtts", gtts_endpoint=f"{google.url}/tts")
    path = await voice.synthesize("Hello there")
    assert path.suffix == ".ogg" and path.read_bytes()[:4] == b"OggS"


async def test_espeak_speaks_russian_offline(service):
    path = await service(language="ru-RU").synthesize("Привет, как дела?")
    assert path.read_bytes()[:4] == b"OggS" and path.stat().st_size > 1000


def test_long_answers_are_cut_at_a_sentence():
    text = "First sentence here. " * 50
    spoken = cut(text, 100)
    assert len(spoken) <= 100 and spoken.endswith(".")


# --- playback --------------------------------------------------------------------------------


async def test_answers_play_in_order_without_cutting_each_other_off(tmp_path):
    client = FakeVoiceClient(None, None)
    client.connected = True
    player = GuildPlayer(client, ffmpeg_source)  # discord.py's real FFmpegOpusAudio sources
    files = [voice_message(words, tmp_path, name=f"a{index}")
             for index, words in enumerate(["first answer", "second answer", "third answer"])]
    for path in files:
        player.enqueue(path)
    await asyncio.wait_for(player.task, 30)
    assert player.played == files  # in order; FakeVoiceClient.play raises if one cut another off
    assert len(client.played) == 3 and all(packets > 20 for packets in client.played)  # each to its end
    assert not any(path.exists() for path in files)  # temp files removed


async def test_leave_clears_the_queue_and_removes_files(tmp_path, service):
    client = FakeVoiceClient(None, None)
    client.connected = True
    client.packet_seconds = 0.02  # real time: each answer plays for about a second, as on Discord
    voice = service()
    player = voice.players.player("g1", client, ffmpeg_source)
    files = [voice_message(f"answer {i}", tmp_path, name=f"q{i}") for i in range(3)]
    for path in files:
        player.enqueue(path)
    await asyncio.sleep(0.2)

    class Gateway:
        async def leave(self, guild_id):
            await client.disconnect()
            return True

    assert await voice.leave(Gateway(), "g1") is True
    assert len(client.played) <= 2 and not any(path.exists() for path in files)
    assert client.connected is False


async def test_transcription_does_not_block_the_event_loop(tmp_path, service):
    audio = voice_message("hello world", tmp_path)
    voice = service()
    delays = []

    async def ticker():
        while True:
            start = time.perf_counter()
            await asyncio.sleep(0.01)
            delays.append(time.perf_counter() - start)

    task = asyncio.create_task(ticker())
    await asyncio.gather(*(voice.transcribe(attachment(audio)) for _ in range(2)))
    task.cancel()
    assert len(delays) > 10 and max(delays) < 0.5


async def test_offline_recognition_of_russian_says_what_to_configure(tmp_path, service):
    voice = service(language="ru-RU", stt="sphinx")
    with pytest.raises(BadAudio, match="only knows English, not ru-RU.*voice.stt: google.*sphinx_model"):
        await voice.transcribe(attachment(voice_message("hello world", tmp_path)))


async def test_a_disconnect_drops_what_is_queued_and_removes_files(tmp_path):
    client = FakeVoiceClient(None, None)
    client.connected = True
    player = GuildPlayer(client, ffmpeg_source)
    files = [voice_message(f"answer {i}", tmp_path, name=f"d{i}") for i in range(3)]
    for path in files:
        player.enqueue(path)
    client.connected = False  # kicked out of the channel, or the voice server went away
    await asyncio.wait_for(player.task, 30)
    assert len(client.played) <= 1 and not any(path.exists() for path in files)
