"""Making finished files durable: written data and renames reach the disk before we rely on them.

A crash of the process alone never loses what was written (the kernel has it); a crash of the
machine can, unless the file and the folder holding its name are synced. Used for what a restart
must find intact: training jobs' data and saved models.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import IO, Any, Iterator


def fsync_file(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def fsync_dir(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


@contextlib.contextmanager
def atomic_write(path: Path, mode: str = "w", *, permissions: int | None = None) -> Iterator[IO[Any]]:
    """Write ``path`` through a temporary file beside it, then rename it over ``path`` in one step:
    readers see the old file or the whole new one, never half of it, and an error (or a crash) leaves
    the old file as it was. The data and the rename are synced before the block's caller goes on.
    ``mode``: ``"w"`` (UTF-8 text) or ``"wb"``; ``permissions``: the new file's mode bits (default 0o600,
    as ``mkstemp`` makes it)."""
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    try:
        with os.fdopen(descriptor, mode, **({} if "b" in mode else {"encoding": "utf-8"})) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        if permissions is not None:
            os.chmod(temporary, permissions)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)
