"""Offline speech to text with Whisper (voice.stt: whisper, the shipped base model, int8): word accuracy,
real-time factor and the recognition worker's peak memory.

Speech: 12 Russian phrases spoken by festival (msu_ru_nsh, Debian festvox-ru) on which decoding options
were compared, 30 held-out Russian phrases never used to choose one (by the same voice, and by it
pitched 12 % higher, 5 % slower as a stand-in for a second speaker), 12 English phrases
spoken by festival (slt, festvox-us-slt-hts) and by espeak-ng (en-us, 140 words/min; robotic), and
both by RHVoice (aleksandr, alan) where it is installed (opt-in, Debian non-free), each a
Discord voice message (ogg/opus, 32 kbit/s); and per speech set one long message of all its phrases.
Every message goes through `VoiceService.transcribe` end to end (ffprobe, ffmpeg to 16 kHz WAV, the
recognition worker process: 1 worker, CPU threads = the cores), the way the bot does it. Recognition
alone (the worker's time on the WAV) is timed too. Word accuracy = 1 - word error rate over all
words of a set, compared as word-error-rate tools compare them (hypotez.testing.transcripts: lower
case, no punctuation, ё = е, hyphens as spaces, numbers in words as digits). The first message, which
starts the worker and loads the model (and joins it on the first run ever), is timed apart.

Targets: word accuracy >= 90 % on Russian and on English natural-sounding speech, real-time factor
<= 0.5 on 2 cores.

    .venv/bin/python benchmarks/bench_voice_whisper.py [rounds] [set name ...]
"""

from __future__ import annotations

import asyncio
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _common import verdict
from _voice_audio import (ENGLISH_PHRASES, OTHER_SPEAKER, RUSSIAN_HELD_OUT, RUSSIAN_PHRASES, as_voice_message,
                          espeak_wav, festival_wav, rhvoice_wav)
from hypotez.services.datafolder import DataFolder
from hypotez.services.voice import VoiceService
from hypotez.services.voice.audio import AudioLimits, to_wav
from hypotez.services.voice.stt import recognise_wav
from hypotez.testing.transcripts import word_errors, words

def russian_festival(text: str, wav: Path) -> Path:
    return festival_wav(text, wav, "ru")


SETS = {  # name: (voice.language, phrases, synthesiser, ffmpeg filters on the way to the voice message)
    "ru festival": ("ru-RU", RUSSIAN_PHRASES, russian_festival, ()),
    "ru festival held-out": ("ru-RU", RUSSIAN_HELD_OUT, russian_festival, ()),
    "ru festival held-out, other speaker": ("ru-RU", RUSSIAN_HELD_OUT, russian_festival, OTHER_SPEAKER),
    "en festival": ("en-US", ENGLISH_PHRASES, lambda text, wav: festival_wav(text, wav, "en"), ()),
    "en espeak-ng": ("en-US", ENGLISH_PHRASES, espeak_wav, ()),
}
if shutil.which("RHVoice-test"):  # opt-in (HYPOTEZ_ALLOW_NONFREE=1 ./dev setup): measured when installed
    SETS["ru RHVoice"] = ("ru-RU", RUSSIAN_PHRASES, lambda text, wav: rhvoice_wav(text, wav, "aleksandr"), ())
    SETS["ru RHVoice held-out"] = ("ru-RU", RUSSIAN_HELD_OUT, lambda text, wav: rhvoice_wav(text, wav, "aleksandr"), ())
    SETS["en RHVoice"] = ("en-US", ENGLISH_PHRASES, lambda text, wav: rhvoice_wav(text, wav, "alan"), ())
TARGET_ACCURACY = 0.90
TARGET_RTF = 0.5


def peak_rss_mb() -> float:
    """This process's peak resident memory (run in the worker)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed_recognition(wav: Path, seconds: float, settings) -> tuple[float, str]:
    """Recognition alone, in the worker: its own time, without the bot's decoding and the pipe."""
    start = time.perf_counter()
    text = recognise_wav(wav, seconds, settings).text
    return time.perf_counter() - start, text


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


async def run_set(name: str, work: Path, rounds: int) -> dict:
    language, phrases, speak, effects = SETS[name]
    tag = name.replace(" ", "-").replace(",", "")
    messages = [as_voice_message(speak(text, work / f"{tag}-{i}.wav"), work / f"{tag}-{i}.ogg", *effects)
                for i, text in enumerate(phrases)]
    long_text = " ".join(phrases)
    long_message = as_voice_message(speak(long_text, work / f"{tag}-long.wav"), work / f"{tag}-long.ogg", *effects)
    voice = VoiceService.from_settings({"stt": "whisper", "language": language, "recognisers": 1},
                                       DataFolder(work / f"data-{tag}").ensure())
    result: dict = {"name": name, "threads": voice.stt.whisper_threads}
    try:
        start = time.perf_counter()
        first = await voice.transcribe(messages[0])
        result["first"] = (time.perf_counter() - start, first.seconds)
        heard, end_to_end, alone, seconds = {}, [], [], []
        for round_index in range(rounds):
            order = list(enumerate(messages))
            for index, message in order if round_index % 2 == 0 else reversed(order):
                start = time.perf_counter()
                transcript = await voice.transcribe(message)
                end_to_end.append((time.perf_counter() - start) / transcript.seconds)
                heard[index] = transcript.text
                seconds.append(transcript.seconds)
        wavs = []
        for index, message in enumerate(messages):
            wav = work / f"{tag}-{index}-16k.wav"
            wavs.append((wav, to_wav(message, wav, AudioLimits())))
        for wav, duration in wavs:
            elapsed, _text = await voice._in_process(timed_recognition, wav, duration, voice.stt)
            alone.append(elapsed / duration)
        start = time.perf_counter()
        long_heard = await voice.transcribe(long_message)
        result["long"] = ((time.perf_counter() - start) / long_heard.seconds, long_heard.seconds,
                          word_errors(words(long_text), words(long_heard.text)), len(words(long_text)))
        result["peak_mb"] = await voice._in_process(peak_rss_mb)
    finally:
        await voice.aclose()
    errors = [word_errors(words(phrases[i]), words(heard[i])) for i in range(len(phrases))]
    total = sum(len(words(text)) for text in phrases)
    result.update(heard=heard, errors=errors, total=total, accuracy=1 - sum(errors) / total,
                  rtf=statistics.median(end_to_end), rtf_worst=max(end_to_end), rtf_alone=statistics.median(alone),
                  audio=statistics.median(seconds), phrases=phrases)
    return result


async def main(rounds: int, names: list[str]) -> None:
    print(f"load average at start: {load()} on {os.cpu_count()} cores")
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for name in names or SETS:
            results.append(await run_set(name, Path(folder), rounds))
            print(f"  {name} done; load average {load()}", flush=True)
    print(f"load average at end: {load()}\n")
    for result in results:
        print(f"### {result['name']}: misrecognised phrases")
        for index, phrase in enumerate(result["phrases"]):
            if result["errors"][index]:
                print(f"- {phrase!r} -> {result['heard'][index]!r} ({result['errors'][index]} word errors)")
        print()
    print(f"1 recognition worker, {results[0]['threads']} CPU threads, beam 5, int8; {rounds} rounds; "
          "RTF = time / audio duration (median over the phrases)")
    print("| speech | word accuracy | RTF end to end (worst) | RTF recognition alone | long message: audio, RTF, "
          "word accuracy | first message (worker start + model load) | worker peak RSS |")
    print("|---|---|---|---|---|---|---|")
    for r in results:
        long_rtf, long_seconds, long_errors, long_words = r["long"]
        first_time, first_seconds = r["first"]
        print(f"| {r['name']} ({len(r['phrases'])} phrases, {r['total']} words, median {r['audio']:.1f} s) | "
              f"{r['accuracy']:.1%} | {r['rtf']:.2f} ({r['rtf_worst']:.2f}) | {r['rtf_alone']:.2f} | "
              f"{long_seconds:.1f} s, {long_rtf:.2f}, {1 - long_errors / long_words:.1%} | "
              f"{first_time:.2f} s for {first_seconds:.1f} s | {r['peak_mb']:.0f} MB |")
    natural = [r for r in results if "espeak" not in r["name"]]
    accuracy_ok = all(r["accuracy"] >= TARGET_ACCURACY for r in natural)
    rtf_ok = all(r["rtf"] <= TARGET_RTF and r["long"][0] <= TARGET_RTF for r in results)
    shown = ", ".join(f"{r['name']} {r['accuracy']:.1%}" for r in natural)
    print(f"\nword accuracy on natural-sounding speech: {shown} (target >= 90 %) {verdict(accuracy_ok)}")
    print(f"real-time factor: median of short messages and long message <= {TARGET_RTF} {verdict(rtf_ok)}")


if __name__ == "__main__":
    unknown = [name for name in sys.argv[2:] if name not in SETS]
    if unknown:
        sys.exit(f"unknown speech sets {unknown}; the sets are {list(SETS)}")
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 2, sys.argv[2:]))
