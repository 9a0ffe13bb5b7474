"""``hypotez test``: the examples of commands and triggers that carry an expected reply, run as one
conversation against the real bot offline (the harness: discord.py's machinery, no network), in the
order the spec lists them, on a fresh data folder. A reply that does not contain what was expected
(or a reply where none was expected) is shown as a diff; any failure makes the exit code 1."""

from __future__ import annotations

import asyncio
import difflib
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypotez.declaration.events_model import ExampleSpec


@dataclass(slots=True)
class ExampleResult:
    example: ExampleSpec
    reply: str

    @property
    def passed(self) -> bool:
        if self.example.nothing:
            return not self.reply.strip()
        return self.example.expect is None or self.example.expect in self.reply

    def report(self) -> str:
        where = f"{self.example.location}: " if self.example.location else ""
        head = f"{where}{self.example.owner}: {self.example.say!r}"
        if self.passed:
            return f"ok   {head}"
        wanted = "(no reply)" if self.example.nothing else f"a reply containing: {self.example.expect}"
        got = self.reply if self.reply.strip() else "(no reply)"
        diff = difflib.unified_diff([wanted], got.splitlines() or [""], "expected", "got", lineterm="", n=0)
        return f"FAIL {head}\n" + "\n".join("    " + line for line in list(diff)[3:])


async def run_examples(spec_path: Path, *, data_dir: Path | None = None) -> list[ExampleResult]:
    from hypotez.testing import BotHarness

    with tempfile.TemporaryDirectory(prefix="hypotez-test-") as scratch:
        harness = BotHarness.from_spec(spec_path, data_dir=data_dir or Path(scratch) / "data",
                                       voice_factory=lambda *_: None)
        results = []
        async with harness as bot:
            events = bot.app.spec.events
            for example in events.examples if events is not None else ():
                exchange = await bot.send(example.say, author="you", permissions=("administrator",))
                await bot.settle()
                results.append(ExampleResult(example, exchange.content))
        return results


def cmd_test(args: Any) -> int:
    results = asyncio.run(run_examples(Path(args.spec)))
    for result in results:
        print(result.report())
    failed = sum(1 for r in results if not r.passed)
    if not results:
        print(f"{args.spec}: no examples with an expected reply (add 'expect:' to an example)")
        return 0
    print(f"{args.spec}: {len(results)} examples, {len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


def register(sub: Any, commands: dict[str, Any]) -> None:
    """Add ``hypotez test`` to the command line."""
    test = sub.add_parser("test", help="run the examples that carry an expected reply against the bot, offline")
    test.add_argument("spec", nargs="?", default="commands.yaml", help="the spec (default commands.yaml)")
    commands["test"] = cmd_test
