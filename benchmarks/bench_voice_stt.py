"""Offline speech-to-text speed and accuracy: the real-time factor (processing time / audio duration)
of `VoiceService.transcribe` end to end (ffprobe, ffmpeg to 16 kHz WAV, pocketsphinx with the model
from its wheel in the recognition worker process), on voice messages of about 2.5, 6.5 and 15 s
made with espeak-ng and encoded as Discord voice messages (ogg/opus 32 kbit/s); and the word
accuracy of the transcripts. The first call is timed separately: it starts the worker process.
Messages are transcribed in alternating order over the rounds, so machine noise hits all of them.

Then recognition alone, side by side in one worker process (same niceness as the service's):
SpeechRecognition's ``recognize_sphinx``, which loads the model on every call (what `recognise_wav`
did before), against `recognise_wav`, which keeps one decoder per model in the worker; interleaved,
on the same WAV files, and the transcripts must be identical.

Targets: real-time factor < 1 (a voice message is transcribed faster than it was spoken); the kept
decoder no slower than loading per call, with the same transcripts.

    .venv/bin/python benchmarks/bench_voice_stt.py [rounds]
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import speech_recognition as sr
from _common import interleaved, verdict
from _voice_audio import phrases, spoken_message, word_accuracy, word_errors
from hypotez.services.datafolder import DataFolder
from hypotez.services.voice import VoiceService
from hypotez.services.voice.audio import AudioLimits, to_wav
from hypotez.services.voice.service import RECOGNISER_NICENESS
from hypotez.services.voice.stt import SttSettings, _sphinx_language, recognise_wav

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
    print(f"load average after the end-to-end part: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    await recognition_side_by_side(rounds)
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


ENGLISH = SttSettings(language="en-US")


def reloading(wav: Path) -> str:
    """The code before, in the worker: SpeechRecognition's recognize_sphinx loads the model each call."""
    recognizer = sr.Recognizer()
    with sr.AudioFile(str(wav)) as source:
        audio = recognizer.record(source)
    return " ".join(recognizer.recognize_sphinx(audio, language=_sphinx_language(ENGLISH)).split())


def kept(wav: Path) -> str:
    """The code now: recognise_wav with the worker's kept decoder."""
    return recognise_wav(wav, 0.0, ENGLISH).text


async def recognition_side_by_side(rounds: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        wavs, seconds = {}, {}
        for name, count in MESSAGES.items():
            wavs[name] = work / f"{name}.wav"
            seconds[name] = to_wav(spoken_message(phrases(count), work / f"{name}.ogg"), wavs[name], AudioLimits())
        pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=os.nice, initargs=(RECOGNISER_NICENESS,))
        loop = asyncio.get_running_loop()
        try:
            heard = {}
            for name in MESSAGES:  # also warms the worker up: imports, and the kept decoder's one load
                heard[name] = (await loop.run_in_executor(pool, reloading, wavs[name]),
                               await loop.run_in_executor(pool, kept, wavs[name]))

            def variant(function, wav):
                async def call():
                    await loop.run_in_executor(pool, function, wav)
                return call

            variants = {(name, label): variant(function, wavs[name]) for name in MESSAGES
                        for label, function in (("reload", reloading), ("kept", kept))}
            medians = await interleaved(variants, rounds=rounds, batch=1)
        finally:
            pool.shutdown()

    print(f"\nrecognition only, one worker, {rounds} rounds interleaved: model loaded per call "
          "(recognize_sphinx, before) vs kept decoder (now)")
    print("| message | audio | load per call | kept decoder | kept / load | same transcript |")
    print("|---|---|---|---|---|---|")
    same = True
    for name in MESSAGES:
        before, now = medians[(name, "reload")], medians[(name, "kept")]
        same &= heard[name][0] == heard[name][1]
        print(f"| {name} | {seconds[name]:.1f} s | {before:.2f} s (RTF {before / seconds[name]:.2f}) | "
              f"{now:.2f} s (RTF {now / seconds[name]:.2f}) | {now / before:.2f} | "
              f"{'yes' if heard[name][0] == heard[name][1] else 'NO: ' + repr(heard[name])} |")
    saved = statistics.median(medians[(name, "reload")] - medians[(name, "kept")] for name in MESSAGES)
    worst = max(medians[(name, "kept")] / medians[(name, "reload")] for name in MESSAGES)
    print(f"time saved per message: {saved:.2f} s (median over the messages)")
    print(f"kept decoder: worst kept / load-per-call = {worst:.2f} (target <= 1), transcripts identical: "
          f"{same} {verdict(worst <= 1 and same)}")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 3))
