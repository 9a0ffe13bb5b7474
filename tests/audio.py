"""Real audio for tests, made at test time with espeak-ng and ffmpeg."""

from __future__ import annotations

import subprocess
from pathlib import Path

from hypotez.testing.transcripts import words as transcript_words


def speech_wav(text: str, path: Path, voice: str = "en-us", speed: int = 140) -> Path:
    subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(path), "--", text], check=True,
                   capture_output=True, timeout=60)
    return path


def convert(source: Path, target: Path, *args: str) -> Path:
    subprocess.run(["ffmpeg", "-y", "-loglevel", "error", "-i", str(source), *args, str(target)], check=True,
                   capture_output=True, timeout=60)
    return target


def voice_message(text: str, folder: Path, name: str = "voice-message") -> Path:
    """What Discord sends for a voice message: ogg/opus."""
    wav = speech_wav(text, folder / f"{name}.wav")
    return convert(wav, folder / f"{name}.ogg", "-c:a", "libopus", "-b:a", "32k")


def silence(folder: Path, seconds: float = 2.0) -> Path:
    target = folder / "silence.ogg"
    subprocess.run(["ffmpeg", "-y", "-loglevel", "error", "-f", "lavfi", "-i", "anullsrc=r=48000:cl=mono",
                    "-t", str(seconds), "-c:a", "libopus", str(target)], check=True, capture_output=True, timeout=60)
    return target


def tone(folder: Path, seconds: float, name: str = "tone.ogg") -> Path:
    target = folder / name
    subprocess.run(["ffmpeg", "-y", "-loglevel", "error", "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}",
                    "-c:a", "libopus", str(target)], check=True, capture_output=True, timeout=60)
    return target


def russian_speech_wav(text: str, path: Path) -> Path:
    """Natural-sounding Russian speech: festival's msu_ru_nsh voice (Debian: festival, festvox-ru).
    espeak-ng's Russian is too robotic for Whisper, which hears other words in it."""
    source = path.with_suffix(".txt")
    source.write_text(text, encoding="utf-8")  # text2wave reads its input file as UTF-8
    try:
        subprocess.run(["text2wave", "-eval", "(voice_msu_ru_nsh_clunits)", str(source), "-o", str(path)],
                       check=True, capture_output=True, timeout=120)
    finally:
        source.unlink(missing_ok=True)
    return path


def russian_voice_message(text: str, folder: Path, name: str = "voice-message") -> Path:
    """A Russian voice message as Discord sends it: ogg/opus."""
    wav = russian_speech_wav(text, folder / f"{name}.wav")
    return convert(wav, folder / f"{name}.ogg", "-c:a", "libopus", "-b:a", "32k")


def words(text: str) -> list[str]:
    """What a transcript is compared by: lower-case words without punctuation, ё as е, numbers in
    words as digits (hypotez.testing.transcripts, as the Whisper benchmark compares them)."""
    return transcript_words(text)
