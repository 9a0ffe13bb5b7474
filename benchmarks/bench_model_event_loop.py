"""Event-loop responsiveness while training: `!hi` latency while a `local` training job runs vs
idle, both driven through hypotez.testing.BotHarness (discord.py's real command machinery, offline,
the real commands.yaml). Latencies are sampled interleaved with idle rounds so machine noise hits
both sides.

Target: median `!hi` latency while training / idle ≤ 1.5.

    .venv/bin/python benchmarks/bench_model_event_loop.py [examples]
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _common import hi_latency, verdict
from _model_data import Corpus
from hypotez.services.model import Example
from hypotez.testing import BotHarness

ROOT = Path(__file__).resolve().parent.parent


async def main(examples: int) -> None:
    corpus = Corpus(seed=3)
    data = [Example(prompt, answer) for prompt, answer in corpus.pairs(examples)]
    with tempfile.TemporaryDirectory() as folder:
        async with BotHarness.from_spec(ROOT / "commands.yaml", data_dir=Path(folder) / "data",
                                        voice_factory=lambda *a: None) as bot:
            model = bot.app.services.model
            await hi_latency(bot, 50, 0.002)  # warm up
            idle: list[float] = []
            busy: list[float] = []
            jobs = 0
            training_seconds = 0.0
            for _ in range(3):
                idle += await hi_latency(bot, 60, 0.01)
                started = time.perf_counter()
                job = await model.train(data, description="bench", base_on_current=False)
                jobs += 1
                while True:
                    busy += await hi_latency(bot, 5, 0.01)
                    stored = await bot.app.services.storage.get_job(job.id)
                    if stored["status"] in ("succeeded", "failed"):
                        break
                await model.wait_idle()
                training_seconds += time.perf_counter() - started
                assert stored["status"] == "succeeded", stored
    ratio = statistics.median(busy) / statistics.median(idle)
    p95 = lambda xs: sorted(xs)[int(len(xs) * 0.95)]  # noqa: E731
    print(f"{jobs} training jobs of {examples} examples, {training_seconds / jobs:.1f} s each")
    print("| `!hi` | samples | median | p95 | max |")
    print("|---|---|---|---|---|")
    for name, values in (("idle", idle), ("while training", busy)):
        print(f"| {name} | {len(values)} | {statistics.median(values) * 1e3:.2f} ms | "
              f"{p95(values) * 1e3:.2f} ms | {max(values) * 1e3:.1f} ms |")
    print(f"event loop: median !hi while training / idle = {ratio:.2f} (target ≤ 1.5) {verdict(ratio <= 1.5)}")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 50_000))
