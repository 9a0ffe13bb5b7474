"""Event-loop responsiveness under voice work: `!hi` latency while 4 transcriptions and 4 syntheses
run at once vs idle, driven through hypotez.testing.BotHarness (discord.py's real command machinery,
offline, the real commands.yaml) whose Voice service does the work (its offline engines: Whisper,
on English speech by espeak-ng). Idle and busy rounds alternate so machine noise hits both.

Target: `!hi` latency while busy / idle ≤ 1.5, for the median and for the 95th percentile.

    .venv/bin/python benchmarks/bench_voice_event_loop.py [rounds]
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _common import hi_latency, verdict
from _voice_audio import phrases, spoken_message
from hypotez.services.voice import VoiceService
from hypotez.testing import BotHarness

ROOT = Path(__file__).resolve().parent.parent
ANSWER = ("Training has started. I will tell you in this channel when it is done, "
          "and the new model will answer from then on. Thank you for the examples!")


def english_voice(spec, data, storage) -> VoiceService:
    return VoiceService.from_settings({**dict(spec.settings.voice), "language": "en-US"}, data)


async def voice_work(voice: VoiceService, message: Path) -> None:
    """4 transcriptions and 4 syntheses at once, as 8 users' messages arriving together would."""
    results = await asyncio.gather(*(voice.transcribe(message) for _ in range(4)),
                                   *(voice.synthesize(ANSWER) for _ in range(4)))
    for result in results[:4]:
        assert "music" in result.text, result  # the words came through
    for path in results[4:]:
        assert path.stat().st_size > 0, path
        path.unlink()


def p95(values: list[float]) -> float:
    return sorted(values)[int(len(values) * 0.95)]


async def main(rounds: int) -> None:
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as folder:
        message = spoken_message(phrases(5), Path(folder) / "message.ogg")
        async with BotHarness.from_spec(ROOT / "commands.yaml", data_dir=Path(folder) / "data",
                                        voice_factory=english_voice) as bot:
            voice = bot.app.services.voice
            await voice_work(voice, message)  # warm up: starts the recognition worker
            await hi_latency(bot, 50, 0.002)
            idle: list[float] = []
            busy: list[float] = []
            work_seconds = 0.0
            for _ in range(rounds):
                idle += await hi_latency(bot, 150, 0.01)
                started = time.perf_counter()
                work = asyncio.create_task(voice_work(voice, message))
                while not work.done():
                    busy += await hi_latency(bot, 5, 0.01)
                await work
                work_seconds += time.perf_counter() - started
    median_ratio = statistics.median(busy) / statistics.median(idle)
    p95_ratio = p95(busy) / p95(idle)
    print(f"{rounds} rounds of 4 transcriptions ({message.name}, 6.5 s of speech each, "
          f"{voice.recognisers} recognition worker) + 4 syntheses ({len(ANSWER)} characters each): "
          f"{work_seconds / rounds:.1f} s per round")
    print("| `!hi` | samples | median | p95 | max |")
    print("|---|---|---|---|---|")
    for name, values in (("idle", idle), ("during voice work", busy)):
        print(f"| {name} | {len(values)} | {statistics.median(values) * 1e3:.2f} ms | "
              f"{p95(values) * 1e3:.2f} ms | {max(values) * 1e3:.1f} ms |")
    print(f"event loop: median !hi during voice work / idle = {median_ratio:.2f} (target ≤ 1.5) "
          f"{verdict(median_ratio <= 1.5)}")
    print(f"event loop: p95 !hi during voice work / idle = {p95_ratio:.2f} (target ≤ 1.5) {verdict(p95_ratio <= 1.5)}")
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 3))
