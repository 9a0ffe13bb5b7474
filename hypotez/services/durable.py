"""Making finished files durable: written data and renames reach the disk before we rely on them.

A crash of the process alone never loses what was written (the kernel has it); a crash of the
machine can, unless the file and the folder holding its name are synced. Used for what a restart
must find intact: training jobs' data and saved models.
"""

from __future__ import annotations

import os
from pathlib import Path


def fsync_file(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def fsync_dir(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
