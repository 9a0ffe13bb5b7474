"""Offline speech-to-text speed and accuracy: the real-time factor (processing time / audio duration)
of `VoiceService.transcribe` end to end (ffprobe, ffmpeg to 16 kHz WAV, pocketsphinx with the model
from its wheel in the recognition worker process), on voice messages of about 2.5, 6.5 and 15 s
made with espeak-ng and encoded as Discord voice messages (ogg/opus 32 kbit/s); and the word
accuracy of the transcripts. The first call is timed separately: it starts the worker process.
Messages are transcribed in alternating order over the rounds, so machine noise hits all of them.

Target: real-time factor < 1 (a voice message is transcribed faster than it was spoken).

    .venv/bin/python benchmarks/bench_voice_stt.py [rounds]
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _common import verdict
from _voice_audio import phrases, spoken_message, word_accuracy, word_errors
from hypotez.services.datafolder import DataFolder
from hypotez.services.voice import VoiceService

MESSAGES = {"short": 2, "medium": 5, "long": 12}  # phrases per message: about 2.5, 6.5 and 15 s


async def timed_transcribe(voice: VoiceService, path: Path):
    start = time.perf_counter()
    transcript = await voice.transcribe(path)
    return time.perf_counter() - start, transcript


async def main(rounds: int) -> None:
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        texts = {name: " ".join(phrases(count)) for name, count in MESSAGES.items()}
        paths = {name: spoken_message(phrases(count), work / f"{name}.ogg") for name, count in MESSAGES.items()}
        voice = VoiceService.from_settings({"language": "en-US"}, DataFolder(work / "data").ensure())
        try:
            first_time, first = await timed_transcribe(voice, paths["short"])
            times: dict[str, list[float]] = {name: [] for name in MESSAGES}
            heard: dict[str, str] = {}
            seconds: dict[str, float] = {}
            names = list(MESSAGES)
            for round_index in range(rounds):
                for name in names if round_index % 2 == 0 else reversed(names):
                    elapsed, transcript = await timed_transcribe(voice, paths[name])
                    times[name].append(elapsed)
                    heard[name], seconds[name] = transcript.text, transcript.seconds
        finally:
            await voice.aclose()

    print(f"recognition workers: {voice.recognisers}; {rounds} rounds; median time per message")
    print("| message | audio | median time | real-time factor | word accuracy | transcript |")
    print("|---|---|---|---|---|---|")
    factors = {}
    for name in MESSAGES:
        median = statistics.median(times[name])
        factors[name] = median / seconds[name]
        print(f"| {name} | {seconds[name]:.1f} s | {median:.2f} s | {factors[name]:.2f} | "
              f"{word_accuracy(texts[name], heard[name]):.0%} | {heard[name]} |")
    total_words = sum(len(text.split()) for text in texts.values())
    total_errors = sum(word_errors(texts[name], heard[name]) for name in MESSAGES)
    steady = statistics.median(times["short"])
    print(f"first call (starts the worker process): {first_time:.2f} s for {first.seconds:.1f} s of audio, "
          f"real-time factor {first_time / first.seconds:.2f}; {first_time / steady:.2f}x a later call")
    print(f"word accuracy over all messages: {1 - total_errors / total_words:.0%} "
          f"({total_errors} word errors in {total_words} words)")
    worst = max(factors.values())
    print(f"offline STT: worst real-time factor = {worst:.2f} (target < 1) {verdict(worst < 1)}")
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 3))
