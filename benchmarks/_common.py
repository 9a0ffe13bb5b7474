"""Shared helpers for the benchmarks: timing side by side, interleaved, medians."""

from __future__ import annotations

import asyncio
import statistics
import time
from typing import TYPE_CHECKING, Awaitable, Callable

if TYPE_CHECKING:
    from hypotez.testing import BotHarness


async def interleaved(variants: dict[str, Callable[[], Awaitable[None]]], rounds: int, batch: int) -> dict[str, float]:
    """Run each variant ``batch`` times per round, alternating variants every round; return the
    median time per call (seconds) of each. Interleaving spreads machine noise over all variants."""
    samples: dict[str, list[float]] = {name: [] for name in variants}
    names = list(variants)
    for round_index in range(rounds):
        order = names if round_index % 2 == 0 else list(reversed(names))
        for name in order:
            call = variants[name]
            start = time.perf_counter()
            for _ in range(batch):
                await call()
            samples[name].append((time.perf_counter() - start) / batch)
    return {name: statistics.median(values) for name, values in samples.items()}


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


async def hi_latency(bot: "BotHarness", samples: int, gap: float) -> list[float]:
    """Latency of ``samples`` `!hi` commands through the harness, ``gap`` seconds apart."""
    out = []
    for _ in range(samples):
        start = time.perf_counter()
        reply = await bot.send("!hi", author="bench")
        out.append(time.perf_counter() - start)
        assert reply.content.startswith("Привет"), reply.content
        await asyncio.sleep(gap)  # a user types; the loop is free in between (as on Discord)
    return out
