"""Reply latency of the `local` model at 1,000 vs 100,000 training examples, through the Model
service's `reply` (as a message handler calls it). Questions are training prompts with a typo
(one character dropped), so each must find its example among all of them. Both models answer in the
same run, interleaved. This measures the lexical index (encoder="none"), which scales to 100k
examples; the semantic encoder's latency and training time are measured by bench_paraphrase.py.

Target: latency(100k) / latency(1k) far below the data ratio (100): ≤ 10.

    .venv/bin/python benchmarks/bench_model_reply.py
"""

from __future__ import annotations

import asyncio
import random
import tempfile
import time
from pathlib import Path

from _common import interleaved, verdict
from _model_data import Corpus
from hypotez.services.datafolder import DataFolder
from hypotez.services.model import Example, ModelService
from hypotez.services.model.backends.local import LocalModelService
from hypotez.services.storage import Storage

SIZES = (1_000, 100_000)


def typo(text: str, rng: random.Random) -> str:
    position = rng.randrange(len(text) - 1)
    return text[:position] + text[position + 1:]


async def trained(root: Path, size: int) -> tuple[ModelService, list[tuple[str, str]]]:
    folder = DataFolder(root / str(size)).ensure()
    service = LocalModelService(folder, Storage(folder.internal / "db.sqlite3"), encoder="none")
    await service.start()
    pairs = Corpus(seed=size).pairs(size)
    started = time.perf_counter()
    await service.train([Example(prompt, answer) for prompt, answer in pairs])
    await service.wait_idle()
    print(f"trained on {size} examples in {time.perf_counter() - started:.1f} s")
    return service, pairs


async def main() -> None:
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as root:
        services, calls, hits = {}, {}, {}
        for size in SIZES:
            service, pairs = await trained(Path(root), size)
            questions = [(typo(prompt, rng), answer) for prompt, answer in rng.sample(pairs, 200)]
            services[size] = service
            hits[size] = sum([await service.reply(q) == a for q, a in questions])
            cycle = iter(questions * 10_000)

            async def call(service=service, cycle=cycle) -> None:
                await service.reply(next(cycle)[0])

            calls[f"{size} examples"] = call
        medians = await interleaved(calls, rounds=10, batch=20)
        for service in services.values():
            await service.aclose()
            service.storage.close()
    small, large = (medians[f"{size} examples"] for size in SIZES)
    ratio = large / small
    print("| model | median reply | questions with a typo answered right |")
    print("|---|---|---|")
    for size in SIZES:
        print(f"| {size} examples | {medians[f'{size} examples'] * 1e3:.2f} ms | {hits[size]}/200 |")
    print(f"reply latency: 100k / 1k = {ratio:.2f} for 100x the data (target ≤ 10) {verdict(ratio <= 10)}")


if __name__ == "__main__":
    asyncio.run(main())
