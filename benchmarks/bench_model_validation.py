"""Training-data validation: throughput and memory.

* Throughput: lines/s of the project's validator (``validate_file``: every check, every line located)
  on a 100,000-line chat JSONL vs a plain ``json.loads`` loop over the same file, interleaved.
* Memory: peak of validation at 10,000 vs 100,000 lines, each in a fresh subprocess (tracemalloc
  peak of Python allocations, and the process's max RSS). It must stay flat: validation streams.
  For contrast, ``read_file`` (which keeps the examples to train on) is measured the same way.

Target: peak(100k) / peak(10k) ≤ 1.2 for validation.

    .venv/bin/python benchmarks/bench_model_validation.py
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from _common import interleaved, verdict
from _model_data import write_chat_jsonl
from hypotez.services.model.datasets import validate_file

LINES = 100_000
CHILD = """
import resource, sys, tracemalloc
from pathlib import Path
from hypotez.services.model.datasets import read_file, validate_file
call = {"validate": validate_file, "read": read_file}[sys.argv[1]]
path = Path(sys.argv[2])
tracemalloc.start()
result = call(path, path.name)
peak = tracemalloc.get_traced_memory()[1]
tracemalloc.stop()
print(peak, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
"""


def peak_memory(kind: str, path: Path) -> tuple[int, int]:
    out = subprocess.run([sys.executable, "-c", CHILD, kind, str(path)], check=True, capture_output=True,
                         text=True).stdout.split()
    return int(out[0]), int(out[1])


async def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        big = write_chat_jsonl(Path(folder) / "chat-100k.jsonl", LINES)
        small = write_chat_jsonl(Path(folder) / "chat-10k.jsonl", LINES // 10)
        assert validate_file(big, big.name).examples == LINES

        async def validator() -> None:
            validate_file(big, big.name)

        async def plain() -> None:
            with big.open(encoding="utf-8") as lines:
                for line in lines:
                    json.loads(line)

        medians = await interleaved({"validate_file": validator, "json.loads loop": plain}, rounds=3, batch=1)
        memory = {(kind, size): peak_memory(kind, path) for kind in ("validate", "read")
                  for size, path in (("10k", small), ("100k", big))}
    ratio = medians["validate_file"] / medians["json.loads loop"]
    print(f"file: {LINES} lines of chat JSONL ({big.name})")
    print("| reader | median time | lines/s |")
    print("|---|---|---|")
    for name, seconds in medians.items():
        print(f"| {name} | {seconds:.2f} s | {LINES / seconds:,.0f} |")
    print(f"throughput: validate_file / json.loads loop = {ratio:.2f}x the time")
    print("| call | lines | peak Python memory (tracemalloc) | max RSS |")
    print("|---|---|---|---|")
    for (kind, size), (traced, rss) in memory.items():
        print(f"| {kind}_file | {size} | {traced / 1024:,.0f} KiB | {rss / 1024 / 1024:.0f} MiB |")
    flat = memory[("validate", "100k")][0] / memory[("validate", "10k")][0]
    print(f"validation memory: peak 100k / 10k = {flat:.2f} (target ≤ 1.2) {verdict(flat <= 1.2)}")


if __name__ == "__main__":
    asyncio.run(main())
