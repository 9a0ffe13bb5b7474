"""Spec scaling: load + validate + build (registry, dispatcher and the discord.py bot with its prefix
commands; Discord caps slash commands at 100) for generated specs of 100 and 1,000 commands, against
the floor measured in the same run: libyaml composing the file plus compiling each template once,
the least any loader of this file must do.
Targets: load + validate + build ≤ 1.5 × the floor; growth t(1000)/t(100) ≤ 10.5 (linear ≈ 10).

    .venv/bin/python benchmarks/bench_spec_scaling.py
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import yaml

from _common import verdict
from hypotez.adapters.discord_bot import create_bot
from hypotez.app import build_app
from hypotez.services import Services
from hypotez.services.datafolder import DataFolder
from hypotez.services.storage import Storage
from hypotez.registry import load_registry
from hypotez.registry.build import collector_paused
from hypotez.rendering import BUILTIN_TEMPLATES, Renderer

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
    registry = load_registry(path)  # with the garbage collector paused (hypotez.registry.build)
    app = build_app(registry, Services(data=data, storage=storage))
    bot = create_bot(app)
    return len(bot.commands) + len(bot.tree.get_commands())


async def floor(path: Path, storage: Storage, data: DataFolder) -> int:
    """The floor: libyaml composes the file's node tree, and each template the bot answers with is
    compiled once: the spec's own, and the built-in ones it uses (help, error replies)."""
    return _floor(path)


async def floor_paused(path: Path, storage: Storage, data: DataFolder) -> int:
    """The same floor with the garbage collector paused, as the loader runs: what is left once both
    get that help (printed beside the target, for comparison)."""
    with collector_paused():
        return _floor(path)


def _floor(path: Path) -> int:
    node = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    folders = [path.parent / "templates" / "en", BUILTIN_TEMPLATES / "en"]
    # hypotez's sandboxed environment (its filters), fresh: nothing compiled yet.
    env = Renderer(path.parent / "templates", "en").environment("en")
    for folder in folders:
        for template in sorted(folder.rglob("*.j2")):
            env.get_template(template.relative_to(folder).as_posix())
    return len(node.value[1][1].value) + 1


async def main() -> None:
    root = Path(tempfile.mkdtemp())
    paths = {n: write_spec(root / str(n), n) for n in (100, 1000)}
    data = DataFolder(root / "data").ensure()
    storage = Storage(root / "data" / "db.sqlite3")
    steps = {"build": build, "floor": floor, "floor_paused": floor_paused}
    timings: dict[tuple[str, int], list[float]] = {(step, n): [] for step in steps for n in (100, 1000)}
    for n in (100, 1000):  # warm-up: imports, caches
        for step in steps.values():
            await step(paths[n], storage, data)
    for round_index in range(7):
        order = (100, 1000) if round_index % 2 == 0 else (1000, 100)
        for n in order:
            for name, step in steps.items() if round_index % 2 == 0 else reversed(steps.items()):
                start = time.perf_counter()
                built = await step(paths[n], storage, data)
                timings[(name, n)].append(time.perf_counter() - start)
                assert built == n + 1, built  # the prefix commands and help (Discord allows 100 slash commands)
    storage.close()
    medians = {key: statistics.median(t) for key, t in timings.items()}
    growth = medians[("build", 1000)] / medians[("build", 100)]
    print("| commands | load + validate + build (median) | floor: compose + compile each template once | ratio "
          "| floor with the collector paused too | ratio |")
    print("|---|---|---|---|---|---|")
    ratios = {}
    for n in (100, 1000):
        ratios[n] = medians[("build", n)] / medians[("floor", n)]
        paused = medians[("build", n)] / medians[("floor_paused", n)]
        print(f"| {n} | {medians[('build', n)] * 1000:.0f} ms | {medians[('floor', n)] * 1000:.0f} ms | "
              f"{ratios[n]:.2f}× | {medians[('floor_paused', n)] * 1000:.0f} ms | {paused:.2f}× |")
    worst = max(ratios.values())
    print(f"spec cost: load + validate + build = {worst:.2f} × the floor at worst (target ≤ 1.5) "
          f"{verdict(worst <= 1.5)}")
    print(f"spec scaling: t(1000)/t(100) = {growth:.1f} (target ≤ 10.5) {verdict(growth <= 10.5)}")


if __name__ == "__main__":
    asyncio.run(main())
