"""``hypotez run`` as a real subprocess, talking to a :class:`~fakes.discord_server.FakeDiscord`."""

from __future__ import annotations

import asyncio
import ctypes
import os
import signal
import sys
from pathlib import Path
from typing import Any, Awaitable, Mapping, TypeVar

T = TypeVar("T")

ROOT = Path(__file__).resolve().parents[2]
PR_SET_PDEATHSIG = 1


def _die_with_the_tests() -> None:
    """In the bot's process before it starts (Linux): SIGKILL when the process that started it ends, so
    a bot a failed test left running does not outlive the test run."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


class BotProcess:
    """Start with ``await BotProcess.start(...)``; its log (stderr) is collected in ``lines``."""

    def __init__(self, process: asyncio.subprocess.Process):
        self.process = process
        self.lines: list[str] = []
        self._reader = asyncio.create_task(self._read())

    @classmethod
    async def start(cls, env: Mapping[str, str], *, data_dir: Path, spec: Path = ROOT / "commands.yaml",
                    extra_args: tuple[str, ...] = (), cwd: Path | None = None, **kwargs: Any) -> "BotProcess":
        environment = {key: value for key, value in os.environ.items()
                       if not key.startswith(("HYPOTEZ_", "DISCORD_"))}
        environment.update(env)
        environment["PYTHONUNBUFFERED"] = "1"
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "hypotez", "run", "--spec", str(spec), "--data", str(data_dir), *extra_args,
            env=environment, cwd=str(cwd or data_dir.parent), stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
            preexec_fn=_die_with_the_tests, **kwargs)
        return cls(process)

    async def _read(self) -> None:
        assert self.process.stdout is not None
        async for line in self.process.stdout:
            self.lines.append(line.decode(errors="replace").rstrip("\n"))

    @property
    def log(self) -> str:
        return "\n".join(self.lines)

    async def alongside(self, awaitable: Awaitable[T]) -> T:
        """Await ``awaitable``, failing at once (with the bot's log) if the bot exits meanwhile."""
        task = asyncio.ensure_future(awaitable)
        exited = asyncio.ensure_future(self.process.wait())
        try:
            await asyncio.wait({task, exited}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            exited.cancel()
        if not task.done():
            task.cancel()
            await self._reader
            raise AssertionError(f"hypotez run exited with {self.process.returncode}:\n{self.log}")
        return task.result()

    async def wait(self, timeout: float = 30.0) -> int:
        """Wait for the process to end by itself; its exit code."""
        code = await asyncio.wait_for(self.process.wait(), timeout)
        await self._reader
        return code

    async def stop(self, timeout: float = 15.0) -> int:
        """Ask it to stop as Ctrl+C would; kill it if it does not."""
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGINT)
            try:
                await asyncio.wait_for(self.process.wait(), timeout)
            except asyncio.TimeoutError:
                self.process.kill()
                await self.process.wait()
        await self._reader
        assert self.process.returncode is not None
        return self.process.returncode
