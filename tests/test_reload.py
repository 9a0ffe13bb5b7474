"""Hot reload: a valid edit takes effect, an invalid one is reported with its line (log, admin
channel, console) while the old commands keep answering, and a reload during an invocation does
not break it. Through discord.py (BotHarness) and through the console in a real subprocess."""

import asyncio
import itertools
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from hypotez.adapters.discord_reload import attach_reloader
from hypotez.reload import Reloader, Watcher

_modules = itertools.count()

SPEC = '''bot:
  language: en
  admin_channel: general
commands:
  hello:
    description: Say hello
    text: "Hello from version one, {{ user }}"
  slow:
    description: Takes its time
    handler: {module}:slow
    reply: slow
'''

HANDLERS = '''
import asyncio

started = asyncio.Event()
gate = asyncio.Event()

async def slow(invocation):
    started.set()
    await gate.wait()
    return {"n": 1}
'''


@pytest.fixture
def folder(tmp_path):
    module = f"reload_handlers_{next(_modules)}"
    root = tmp_path / "bot"
    (root / "templates" / "en").mkdir(parents=True)
    (root / f"{module}.py").write_text(HANDLERS)
    (root / "templates" / "en" / "slow.j2").write_text("slow answer, old template, n={{ n }}")
    (root / "commands.yaml").write_text(SPEC.replace("{module}", module))
    return root


def handlers_of(folder: Path):
    return sys.modules[next(folder.glob("reload_handlers_*.py")).stem]


@pytest.fixture
async def bot(folder, hypotez_bot):
    async with hypotez_bot(spec=folder / "commands.yaml", model=False, voice=False) as harness:
        harness.reloader = Reloader(harness.app, folder / "commands.yaml", display_name="commands.yaml")
        attach_reloader(harness.bot, harness.reloader)
        yield harness


def edit(folder: Path, old: str, new: str) -> None:
    spec = folder / "commands.yaml"
    text = spec.read_text()
    assert old in text
    spec.write_text(text.replace(old, new))


def syncs(bot) -> int:
    return sum(1 for r in bot.http.requests if r.method == "PUT" and r.path.startswith("/applications/"))


async def test_a_valid_edit_takes_effect(bot, folder):
    assert (await bot.send("!hello")).content == "Hello from version one, ann"
    edit(folder, "version one", "version two")
    edit(folder, "commands:\n", "commands:\n  bye:\n    description: Say bye\n    text: Bye {{ user }}\n")
    result = await bot.reloader.reload()
    assert result.ok and result.report() == "commands.yaml reloaded: 3 commands"
    assert (await bot.send("!hello")).content == "Hello from version two, ann"
    assert (await bot.send("!bye")).content == "Bye ann"
    assert (await bot.slash("bye")).content == "Bye ann"


async def test_an_invalid_edit_is_reported_with_its_line_and_the_old_spec_keeps_serving(bot, folder, caplog):
    edit(folder, "    description: Say hello\n", "    descripton: Say hello\n")
    before = len(bot.sent)
    result = await bot.reloader.reload()
    assert not result.ok
    [problem] = result.problems
    assert (problem.file, problem.line, problem.column) == ("commands.yaml", 6, 5)
    assert "commands.yaml:6:5: unknown key 'descripton' in command 'hello'" in caplog.text
    [notice] = bot.sent[before:]  # posted in the admin channel named by the spec
    assert bot.guild.get_channel(int(notice.channel_id)).name == "general"
    assert notice.content.startswith("⚠️ commands.yaml was changed but NOT applied (1 problem); the previous "
                                     "version keeps running. Fix:\ncommands.yaml:6:5: unknown key 'descripton' "
                                     "in command 'hello'\n    hint: did you mean 'description'?")
    assert (await bot.send("!hello")).content == "Hello from version one, ann"
    assert (await bot.slash("hello")).content == "Hello from version one, ann"


async def test_a_reload_during_an_invocation_does_not_break_it(bot, folder):
    handlers = handlers_of(folder)
    running = asyncio.create_task(bot.send("!slow"))
    await asyncio.wait_for(handlers.started.wait(), 5)
    # While !slow waits: its template changes and !hello disappears.
    (folder / "templates" / "en" / "slow.j2").write_text("slow answer, NEW template, n={{ n }}")
    edit(folder, '  hello:\n    description: Say hello\n    text: "Hello from version one, {{ user }}"\n', "")
    assert (await bot.reloader.reload()).ok
    handlers.gate.set()
    assert (await asyncio.wait_for(running, 5)).content == "slow answer, old template, n=1"
    assert (await bot.send("!slow")).content == "slow answer, NEW template, n=1"
    assert "There is no command `!hello`" in (await bot.send("!hello")).content


async def test_slash_commands_are_resynced_only_when_their_shape_changes(bot, folder):
    edit(folder, "version one", "version two")  # the answer changes, not the command's shape
    assert (await bot.reloader.reload()).ok and syncs(bot) == 0
    edit(folder, "description: Say hello", "description: Say hello nicely")
    assert (await bot.reloader.reload()).ok and syncs(bot) == 1
    assert bot.http.requests[-1].json[0]["description"] in ("Say hello nicely", "Takes its time")
    assert [c.name for c in bot.bot.tree.get_commands()] == ["hello", "slow", "help"]


async def test_the_watcher_reloads_after_a_change(bot, folder):
    seen = asyncio.Event()
    bot.reloader.listeners.append(lambda result: seen.set())
    watcher = Watcher(bot.reloader.watched_paths(), bot.reloader.reload, interval=0.05).start()
    try:
        await asyncio.sleep(0.2)  # the first scan
        (folder / "templates" / "en" / "slow.j2").write_text("edited through the watcher, n={{ n }}")
        await asyncio.wait_for(seen.wait(), 5)
    finally:
        await watcher.stop()
    handlers_of(folder).gate.set()
    assert (await bot.send("!slow")).content == "edited through the watcher, n=1"


# --- the console, in a real subprocess ------------------------------------------------------------


class Console:
    """A console subprocess fed line by line; its output read in a thread so reads can time out."""

    def __init__(self, folder: Path, data: Path, *extra: str):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "hypotez", "console", "--spec", "commands.yaml",
             "--data", str(data), *extra],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1,
            cwd=folder)
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def say(self, text: str) -> None:
        self.process.stdin.write(text + "\n")
        self.process.stdin.flush()

    def expect(self, start: str, timeout: float = 30) -> list[str]:
        """Lines up to and including the first that starts with ``start``."""
        seen, deadline = [], time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.1)
            except queue.Empty:
                continue
            seen.append(line)
            if line.startswith(start):
                return seen
        raise AssertionError(f"no line starting with {start!r}; got {seen}")

    def close(self) -> tuple[int, str]:
        self.process.stdin.close()
        code = self.process.wait(timeout=60)
        return code, self.process.stderr.read()


def test_console_watch_picks_up_valid_edits_and_rejects_invalid_ones(folder, tmp_path):
    console = Console(folder, tmp_path / "data", "--watch", "--interval", "0.1")
    try:
        console.say("!hello")
        console.expect("Hello from version one, you")
        edit(folder, "version one", "the second version")
        console.expect("(console) commands.yaml reloaded: 2 commands")
        console.say("!hello")
        console.expect("Hello from the second version, you")
        edit(folder, "    text: \"Hello", "    txt: \"Hello")
        lines = console.expect("(console)")
        assert lines[-1].endswith("was changed but NOT applied (1 problem); the previous version keeps running. "
                                  "Fix:")
        assert console.expect("commands.yaml:7:5: unknown key 'txt' in command 'hello'")
        console.say("!hello")
        console.expect("Hello from the second version, you")
    finally:
        code, stderr = console.close()
    assert code == 0 and "Traceback" not in stderr
    assert "unknown key 'txt'" not in stderr  # printed once, by the console (the log keeps it at INFO)


def test_console_reload_directive(folder, tmp_path):
    console = Console(folder, tmp_path / "data")
    spec = folder / "commands.yaml"
    good = spec.read_text()
    try:
        console.say("!hello")
        console.expect("Hello from version one, you")  # started: the spec was read
        spec.write_text(good.replace("{{ user }}", "{{ usr }}"))  # no --watch: nothing happens by itself
        console.say(":reload")
        assert console.expect("commands.yaml:7:11: unknown name 'usr'")[-2].endswith(
            "(1 problem); the previous version keeps running. Fix:")
        spec.write_text(good.replace("version one", "version :reload"))
        for line in ("!hello", ":reload", "!hello"):
            console.say(line)
        console.expect("Hello from version one, you")
        console.expect("(console) commands.yaml reloaded: 2 commands")
        console.expect("Hello from version :reload, you")
    finally:
        code, stderr = console.close()
    assert code == 0, stderr


async def test_run_watch_bot_syncs_at_start_and_reloads_by_itself(folder, tmp_path, hypotez_bot):
    from hypotez.adapters.discord_reload import WatchingBot

    harness = hypotez_bot(spec=folder / "commands.yaml", model=False, voice=False)
    # The bot `hypotez run --watch` runs, driven offline like any other.
    harness.bot = WatchingBot(harness.app, spec_path=folder / "commands.yaml", interval=0.05)
    async with harness as bot:
        await bot.bot.setup_hook()  # what logging in runs: slash sync (in the background), then the watcher
        assert await bot.bot.slash_sync.task is True, "synced"
        assert syncs(bot) == 1
        seen = asyncio.Event()
        bot.bot.reloader.listeners.append(lambda result: seen.set())
        await asyncio.sleep(0.2)
        edit(folder, "version one", "version watched")
        await asyncio.wait_for(seen.wait(), 5)
        assert (await bot.send("!hello")).content == "Hello from version watched, ann"
        assert syncs(bot) == 1  # same shape: no second sync
    assert bot.bot.watcher._task is None  # stopped with the bot
