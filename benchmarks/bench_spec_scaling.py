"""Spec scaling: load + validate + build (dispatcher and the discord.py bot with its prefix
commands; Discord caps slash commands at 100) for generated specs of 100 and 1,000 commands.
Linear growth means t(1000)/t(100) ≈ 10; the target is ≤ 12.

    .venv/bin/python benchmarks/bench_spec_scaling.py
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from _common import verdict
from hypotez.adapters.discord_bot import create_bot
from hypotez.app import build_app
from hypotez.services import Services
from hypotez.services.datafolder import DataFolder
from hypotez.services.storage import Storage
from hypotez.registry import load_spec

TEMPLATE = "{{ user }}: {{ text | default('') }} {{ count | default(0) }}"


def write_spec(folder: Path, commands: int) -> Path:
    (folder / "templates" / "en").mkdir(parents=True, exist_ok=True)
    lines = ["bot: {language: en, prefix: '!', slash: false}", "commands:"]
    for i in range(commands):
        (folder / "templates" / "en" / f"reply{i}.j2").write_text(TEMPLATE)
        lines += [
            f"  command{i}:",
            f"    description: Generated command number {i}",
            f"    aliases: [c{i}, alias{i}]",
            f"    reply: reply{i}",
            "    arguments:",
            "      text: {type: text, maxLength: 100, description: some text}",
            "      count: {type: integer, required: false, minimum: 0, maximum: 10, default: 1}",
            "      mode: {type: choice, required: false, choices: [fast, slow]}",
            "    cooldown: {rate: 2, per: 10}",
        ]
    path = folder / "commands.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


async def build(path: Path, storage: Storage, data: DataFolder) -> int:
    spec = load_spec(path)
    app = build_app(spec, Services(data=data, storage=storage))
    bot = create_bot(app)
    return len(bot.commands) + len(bot.tree.get_commands())


async def main() -> None:
    root = Path(tempfile.mkdtemp())
    paths = {n: write_spec(root / str(n), n) for n in (100, 1000)}
    data = DataFolder(root / "data").ensure()
    storage = Storage(root / "data" / "db.sqlite3")
    timings: dict[int, list[float]] = {100: [], 1000: []}
    for n in (100, 1000):  # warm-up: imports, caches
        await build(paths[n], storage, data)
    for round_index in range(7):
        order = (100, 1000) if round_index % 2 == 0 else (1000, 100)
        for n in order:
            start = time.perf_counter()
            built = await build(paths[n], storage, data)
            timings[n].append(time.perf_counter() - start)
            assert built == n + 1, built  # the prefix commands and help (Discord allows 100 slash commands)
    storage.close()
    medians = {n: statistics.median(t) for n, t in timings.items()}
    ratio = medians[1000] / medians[100]
    print("| commands | load + validate + build (median) |")
    print("|---|---|")
    for n, seconds in medians.items():
        print(f"| {n} | {seconds * 1000:.0f} ms |")
    print(f"spec scaling: t(1000)/t(100) = {ratio:.1f} (target ≤ 12) {verdict(ratio <= 12)}")


if __name__ == "__main__":
    asyncio.run(main())
