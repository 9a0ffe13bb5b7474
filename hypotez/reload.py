"""Hot reload: pick up edits to ``commands.yaml`` and ``templates/`` while the bot runs.

:class:`Reloader` loads and checks the spec off the event loop and builds a new registry (handlers
resolved, templates compiled in every language) and its dispatcher; only then, with no ``await`` in between, swaps it
into the app. An invocation already running keeps the dispatcher it started with, so it finishes on
the old spec and templates; the next one uses the new. A spec with problems is rejected: the located
problems go to the log and to the listeners (an admin channel, the console), and the last good spec
keeps serving.

:class:`Watcher` is told of changes by the operating system (watchfiles) and calls the reloader when
something changed and has stopped changing.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Awaitable, Callable, Iterable

import watchfiles

from hypotez.app import App
from hypotez.i18n import counted
from hypotez.errors import SpecError, SpecFileError, SpecProblem
from hypotez.pipeline import Dispatcher
from hypotez.declaration.model import Spec
from hypotez.declaration.loader import read_spec_file
from hypotez.registry.build import load_registry_text

log = logging.getLogger("hypotez.reload")

DEFAULT_INTERVAL = 1.0
# Settings read once when the services are built: a change needs a restart.
_SERVICE_SETTINGS = ("model", "voice", "storage", "metrics")


@dataclass(slots=True)
class ReloadResult:
    ok: bool
    file: str
    problems: list[SpecProblem] = field(default_factory=list)
    commands: int = 0
    reason: str | None = None  # the file could not be read at all
    restart_needed: list[str] = field(default_factory=list)
    # The files that changed (as shown: relative to the spec's folder); empty when not known (:reload).
    changed: list[str] = field(default_factory=list)
    # The spec was rejected, but the templates changed with it were applied (with the last good spec).
    templates_applied: list[str] = field(default_factory=list)

    def report(self) -> str:
        if self.ok:
            text = f"{self.file} reloaded: {counted(self.commands, 'command')}"
            warnings = [p for p in self.problems if p.severity == "warning"]
            if warnings:
                text += f", {counted(len(warnings), 'warning')}"
            if self.restart_needed:
                text += f" (changes to bot.{', bot.'.join(self.restart_needed)} apply after a restart)"
            return text
        rejected = [name for name in self.changed if name not in self.templates_applied] or [self.file]
        what = f"{' and '.join(rejected)} {'was' if len(rejected) == 1 else 'were'} changed"
        if self.reason:
            return f"{what} but NOT applied: {self.reason}. The previous version keeps running."
        errors = [p for p in self.problems if p.severity == "error"]
        if self.templates_applied:
            keeps = (f"the change to {' and '.join(self.templates_applied)} was applied, with the previous "
                     f"{self.file}")
        else:
            keeps = "the previous version keeps running"
        head = f"{what} but NOT applied ({counted(len(errors), 'problem')}); {keeps}. Fix:"
        return "\n".join([head] + [p.format() for p in self.problems])


Listener = Callable[[ReloadResult], Awaitable[None] | None]
SwapHook = Callable[[Spec, Spec], Awaitable[None] | None]


class Reloader:
    def __init__(self, app: App, spec_path: str | Path, *, templates_dir: str | Path | None = None,
                 display_name: str | None = None):
        self.app = app
        self.spec_path = Path(spec_path)
        self.templates_dir = Path(templates_dir) if templates_dir else None
        self.display_name = display_name or str(spec_path)
        # Called right after a swap, before anything else runs (adapters re-register commands here).
        self.swap_hooks: list[SwapHook] = []
        # Told about every reload, good or rejected (the console prints it, Discord tells admins).
        self.listeners: list[Listener] = []
        self._lock = asyncio.Lock()
        # The spec as it was last accepted: a template fixed while the spec is broken is applied with it.
        self._good_spec = _read_or_none(self.spec_path)
        self._templates_seen = _snapshot(self._templates_folder())
        self._operator_listens = False

    def report_to_operator(self, listener: Listener) -> None:
        """Tell the operator's own screen (the console) through ``listener``: the log then keeps the
        reports at INFO, so a rejected change is printed once, not once by the listener and once by
        the log."""
        self.listeners.append(listener)
        self._operator_listens = True

    def watched_paths(self) -> list[Path]:
        return [self.spec_path, self.app.spec.templates_dir]

    async def reload(self, changed: Iterable[str | Path] = ()) -> ReloadResult:
        """Load the spec and templates again; ``changed``: the files that changed (the watcher knows)."""
        async with self._lock:  # two edits in a row: one reload after the other, never interleaved
            shown = self._shown(changed)
            data = None
            try:
                data = await asyncio.to_thread(read_spec_file, self.spec_path)
                dispatcher = await asyncio.to_thread(self._build, data)
            except SpecError as error:
                result = ReloadResult(False, self.display_name, list(error.problems), changed=shown)
                await self._templates_alone(result, data)
            except SpecFileError as error:
                result = ReloadResult(False, self.display_name, reason=error.reason, changed=shown)
            else:
                result = await self._swap(dispatcher)
                result.changed = shown
                self._good_spec = data
                self._templates_seen = _snapshot(self._templates_folder())
            if result.ok or self._operator_listens:
                log.info("%s", result.report())
            else:
                log.error("%s", result.report())
            await self._tell(result)
            return result

    def _build(self, data: bytes) -> Dispatcher:
        """Everything that may fail or block, done before the swap (in a worker thread): the new
        registry built (spec checked, handlers resolved, every template compiled) and its dispatcher."""
        registry = load_registry_text(data, path=self.spec_path, templates_dir=self.templates_dir,
                                      display_name=self.display_name)
        old = self.app.dispatcher
        return Dispatcher(registry, self.app.services, cooldowns=old.cooldowns, rng=old.rng, observer=old.observer)

    async def _templates_alone(self, result: ReloadResult, data: bytes | None) -> None:
        """The spec is rejected; templates changed with it (a fix saved together with a YAML mistake)
        are applied with the last good spec, so the old, perhaps broken, template does not keep serving.
        If they do not build either, their problems are added to the report and nothing changes."""
        templates = self._changed_templates()
        if self._good_spec is None or data == self._good_spec or not templates:
            return
        try:
            dispatcher = await asyncio.to_thread(self._build, self._good_spec)
        except SpecError as error:
            known = set(result.problems)
            result.problems += [p for p in error.problems if p not in known]
            return
        except SpecFileError:
            return
        await self._swap(dispatcher)
        self._templates_seen = _snapshot(self._templates_folder())
        result.templates_applied = templates
        result.changed = sorted(set(result.changed) | set(templates) | {self.spec_path.name})

    def _templates_folder(self) -> Path:
        return self.templates_dir or self.app.spec.templates_dir

    def _changed_templates(self) -> list[str]:
        """The template files changed since the templates last served were loaded (as shown)."""
        now = _snapshot(self._templates_folder())
        changed = [path for path in set(now) | set(self._templates_seen)
                   if now.get(path) != self._templates_seen.get(path)]
        return self._shown(changed)

    def _shown(self, changed: Iterable[str | Path]) -> list[str]:
        folder = self.spec_path.resolve().parent
        shown = []
        for path in sorted({Path(p).resolve() for p in changed}):
            try:
                shown.append(path.relative_to(folder).as_posix())
            except ValueError:
                shown.append(str(path))
        return shown

    async def _swap(self, dispatcher: Dispatcher) -> ReloadResult:
        old = self.app.spec
        spec = dispatcher.spec
        # The swap itself: one assignment (the dispatcher carries its registry), so no invocation sees half.
        self.app.dispatcher = dispatcher
        pending = [result for hook in self.swap_hooks if inspect.isawaitable(result := hook(old, spec))]
        for awaitable in pending:
            try:
                await awaitable
            except Exception:  # e.g. Discord refusing a slash-command sync: the new spec is in place
                log.exception("after reloading the spec")
        restart = [name for name in _SERVICE_SETTINGS
                   if dict(getattr(old.settings, name)) != dict(getattr(spec.settings, name))]
        return ReloadResult(True, self.display_name, list(spec.warnings),
                            commands=len([c for c in spec.commands if not c.builtin]), restart_needed=restart)

    async def _tell(self, result: ReloadResult) -> None:
        for listener in self.listeners:
            try:
                outcome = listener(result)
                if inspect.isawaitable(outcome):
                    await outcome
            except Exception:
                log.exception("could not report the reload")


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Each template file under ``folder`` → (modification time, size): what changed since."""
    seen = {}
    for path in folder.rglob("*") if folder.is_dir() else ():
        if path.is_file() and not path.name.startswith("."):
            stat = path.stat()
            seen[str(path)] = (stat.st_mtime_ns, stat.st_size)
    return seen


def _read_or_none(path: Path) -> bytes | None:
    try:
        return read_spec_file(path)
    except (SpecFileError, SpecError):
        return None


class _SpecFiles(watchfiles.DefaultFilter):
    """The changes that matter: the spec file itself, and what is under the templates folder, except
    hidden files and editors' backups and swap files (DefaultFilter's list)."""

    def __init__(self, files: set[str], folders: list[str]):
        super().__init__()
        self.files = files
        self.folders = folders

    def __call__(self, change: watchfiles.Change, path: str) -> bool:
        if os.path.basename(path).startswith(".") or not super().__call__(change, path):
            return False
        return path in self.files or any(path.startswith(folder + os.sep) for folder in self.folders)


class Watcher:
    """Calls ``on_change`` when files under ``paths`` change, once they have stopped changing.

    The operating system reports the changes (watchfiles: inotify, FSEvents, ...; polling where it must).
    A file is watched through its folder, without going into subfolders (an editor that saves by
    renaming replaces the file itself); a folder with everything under it."""

    def __init__(self, paths: list[Path], on_change: Callable[[list[Path]], Awaitable[Any]],
                 interval: float = DEFAULT_INTERVAL):
        self.paths = paths
        self.on_change = on_change
        self.interval = interval
        self._task: asyncio.Task[None] | None = None

    def start(self) -> "Watcher":
        self._task = asyncio.create_task(self.run(), name="hypotez-watcher")
        return self

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None

    def _roots(self) -> list[tuple[str, bool, _SpecFiles]]:
        """(what to watch, recursively?, the filter) for each path that exists."""
        roots = []
        for path in self.paths:
            path = path.resolve()
            if path.is_dir():
                roots.append((str(path), True, _SpecFiles(set(), [str(path)])))
            elif path.parent.is_dir():
                roots.append((str(path.parent), False, _SpecFiles({str(path)}, [])))
        return roots

    async def run(self) -> None:
        changed = asyncio.Event()
        paths: set[Path] = set()
        watches = [asyncio.create_task(self._watch(root, recursive, only, changed, paths))
                   for root, recursive, only in self._roots()]
        try:
            while True:
                await changed.wait()
                changed.clear()
                batch = sorted(paths)
                paths.clear()
                try:
                    await self.on_change(batch)
                except Exception:  # the watcher must outlive any one bad reload
                    log.exception("reloading after a change failed")
        finally:
            for watch in watches:
                watch.cancel()
            await asyncio.gather(*watches, return_exceptions=True)

    async def _watch(self, root: str, recursive: bool, only: _SpecFiles, changed: asyncio.Event,
                     paths: set[Path]) -> None:
        # An editor may save in several writes: the changes are grouped until none has come for half
        # the interval (at most a few intervals), then the reloader is told once.
        step = max(10, int(self.interval * 500))
        async for batch in watchfiles.awatch(root, watch_filter=only, recursive=recursive, step=step,
                                         debounce=max(step * 4, int(self.interval * 2000)),
                                         poll_delay_ms=max(10, int(self.interval * 1000))):
            paths.update(Path(path) for _, path in batch)
            changed.set()
