"""A voice message is audio and nothing else: content that is not a known audio container (an HLS
playlist, an ffconcat list, text) is refused before ffmpeg sees it, and ffmpeg is held to the detected
container and to local files, so nothing a file names is ever opened. Real ffmpeg, the real bot
(BotHarness on the shipped commands.yaml, recognising English offline)."""

from pathlib import Path

import pytest
from audio import convert, voice_message
from support import TEMPLATES, english_voice_spec

from hypotez.services.model import Example
from hypotez.services.voice.audio import (
    AudioLimits,
    BadAudio,
    container_of,
    probe_seconds,
    to_wav,
)


def playlist(target: Path) -> bytes:
    return (f"#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:10\n#EXT-X-MEDIA-SEQUENCE:0\n"
            f"#EXTINF:10.0,\n{target}\n#EXT-X-ENDLIST\n").encode()


@pytest.fixture
async def bot(hypotez_bot, tmp_path):
    async with hypotez_bot(spec=english_voice_spec(tmp_path), templates_dir=TEMPLATES) as harness:
        yield harness


@pytest.fixture
def outside_speech(tmp_path) -> Path:
    """Speech in a file outside the data folder, that no message may make the bot read."""
    folder = tmp_path / "outside"
    folder.mkdir()
    return voice_message("what time is it", folder, name="private")  # an .ogg: HLS takes it as a segment


async def test_a_voice_message_that_is_a_playlist_naming_an_outside_file_is_refused(bot, outside_speech):
    await bot.app.services.model.train([Example("what time is it", "Time to train the bot!", True)])
    await bot.settle(60)
    reply = await bot.send("", attachments=[("voice-message.ogg", playlist(outside_speech), "audio/ogg")])
    assert "what time is it" not in reply.content and "Time to train the bot!" not in reply.content
    assert reply.content.startswith("🎧 Не удалось обработать аудио"), reply.content
    assert "«voice-message.ogg» — не аудио: внутри нет ни одного известного аудиоформата" in reply.content


@pytest.mark.parametrize("content", [
    lambda target: playlist(target),
    lambda target: f"ffconcat version 1.0\nfile '{target}'\n".encode(),
    lambda target: f"#EXTM3U\n{target}\n".encode(),
    lambda target: b"\xef\xbb\xbf" + playlist(target),
    lambda target: b"hello, this is text\n",
])
def test_content_that_is_not_an_audio_container_never_reaches_ffmpeg(tmp_path, outside_speech, content):
    source = tmp_path / "voice-message.ogg"
    source.write_bytes(content(outside_speech))
    with pytest.raises(BadAudio, match="is not audio: it holds none of the audio formats I know"):
        probe_seconds(source)
    with pytest.raises(BadAudio, match="is not audio"):
        to_wav(source, tmp_path / "out.wav", AudioLimits())
    assert not (tmp_path / "out.wav").exists()


def test_a_real_container_with_the_wrong_name_is_read_as_what_it_is(tmp_path):
    ogg = voice_message("hello world", tmp_path)
    wav = convert(ogg, tmp_path / "speech.wav")
    misnamed = tmp_path / "voice-message.ogg"
    misnamed.write_bytes(wav.read_bytes())
    assert container_of(misnamed) == "wav"
    assert probe_seconds(misnamed) > 0.5
    assert to_wav(misnamed, tmp_path / "out.wav", AudioLimits()) > 0.5


@pytest.mark.parametrize("suffix, args, expected", [
    ("ogg", ("-c:a", "libopus"), "ogg"),
    ("mp3", ("-codec:a", "libmp3lame"), "mp3"),
    ("mp3", ("-codec:a", "libmp3lame", "-id3v2_version", "0", "-write_xing", "0"), "mp3"),
    ("wav", (), "wav"),
    ("m4a", ("-c:a", "aac"), "mov"),
    ("webm", ("-c:a", "libopus"), "matroska"),
    ("flac", (), "flac"),
    ("aac", ("-c:a", "aac"), "aac"),
])
def test_every_container_a_voice_message_comes_in_is_detected(tmp_path, suffix, args, expected):
    source = voice_message("hello world", tmp_path)
    audio = convert(source, tmp_path / f"speech.{suffix}", *args)
    assert container_of(audio) == expected
    assert to_wav(audio, tmp_path / "out.wav", AudioLimits()) > 0.5
