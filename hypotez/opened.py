"""Files a reply attaches (a leaf: the data folder opens them, replies carry them, adapters send them)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Union


@dataclass(frozen=True, slots=True)
class OpenedFile:
    """A file opened to be sent, checked as it was opened (the data folder's ``open_file``). Adapters send
    this stream, never the path again, so what is sent is what was checked; ``path`` is only shown (the
    console prints it). The adapter that sends it closes the stream."""

    name: str
    stream: BinaryIO
    size: int
    path: Path

    def close(self) -> None:
        self.stream.close()

    def __enter__(self) -> BinaryIO:
        return self.stream

    def __exit__(self, *exc_info: Any) -> None:
        self.close()


@dataclass(frozen=True, slots=True)
class FileData:
    """A file to attach that exists only in memory."""

    filename: str
    data: bytes

    @property
    def name(self) -> str:  # what Path.name is for a file on disk
        return self.filename


# A file to attach: one in the data folder (opened, as checked), one by its path, or one made in memory.
Attachable = Union[Path, FileData, OpenedFile]
