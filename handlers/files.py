"""Files of the data folder: send one, zip a folder, pick the active training dataset.

Paths arrive already resolved inside the data folder (the pipeline refuses anything outside it). What is
sent or zipped is opened through the data folder without following links and checked as opened, so a
file swapped for a link after the path was checked is refused, never followed; links, hard-linked files
and special files met while zipping are left out (and counted). Archives are written under names no
other archive has, exclusively, never through anything planted in the archives folder.
"""

from __future__ import annotations

import asyncio
import os
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, TypedDict

from hypotez import Invocation, Response
from hypotez.errors import BadArgument, PathRefused
from hypotez.reasons import Reason, size_reason
from hypotez.services.datafolder import ARCHIVES_FOLDER, DataFolder
from hypotez.services.nofollow import Refused, open_regular_at

# Discord refuses uploads above 10 MiB for bots on servers without boosts.
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# The most a folder's files may add up to for one archive (checked before anything is read).
MAX_ARCHIVE_BYTES = 1_000_000_000
ARCHIVE_TIMEOUT = 300
COPY_CHUNK = 1 << 20


class SentFile(TypedDict):
    file: str
    size: int


class Archived(TypedDict):
    directory: str
    archive: str
    files: int
    size: int
    skipped: int


class Selected(Archived):
    positive: bool
    kind: str


async def getfile(invocation: Invocation, file_path: Path) -> Response[SentFile]:
    data = invocation.services.data
    opened = await asyncio.to_thread(data.open_file, file_path, max_bytes=MAX_UPLOAD_BYTES,
                                     too_big="files.too_big_to_send")
    return Response(data={"file": data.relative(file_path), "size": opened.size}, files=[opened])


@dataclass(slots=True)
class Survey:
    """What a folder holds for an archive: the files that go in, and what is left out (links,
    hard-linked files, special files)."""

    files: int = 0
    bytes: int = 0
    skipped: int = 0


def survey(data: DataFolder, folder: Path) -> Survey:
    found = Survey()
    with data.walk(folder) as entries:
        for entry in entries:
            if entry.kind == "file":
                found.files += 1
                found.bytes += entry.size
            else:
                found.skipped += 1
    return found


def _zip_time(seconds: float) -> tuple[int, int, int, int, int, int]:
    stamp = time.localtime(seconds)[:6]
    return max(stamp, (1980, 1, 1, 0, 0, 0))  # the earliest time a zip can hold


def zip_folder(data: DataFolder, folder: Path, stream: BinaryIO) -> Survey:
    """Zip the files of ``folder`` into ``stream``; each is checked as opened (a regular file with one
    name) and copied no further than its size then, so what is zipped is what was counted."""
    made = Survey()
    with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED) as archive, data.walk(folder) as entries:
        for entry in entries:
            if entry.kind != "file":
                made.skipped += 1
                continue
            try:
                fd, info = open_regular_at(entry.dir_fd, entry.name, MAX_ARCHIVE_BYTES - made.bytes)
            except Refused as refused:
                if refused.reason.key == "path.too_big":
                    raise _too_big(made.bytes + entry.size) from None
                made.skipped += 1  # swapped for a link or a special file since the walk listed it
                continue
            with os.fdopen(fd, "rb") as source:
                member = zipfile.ZipInfo(entry.relative, date_time=_zip_time(info.st_mtime))
                member.compress_type = zipfile.ZIP_DEFLATED
                member.external_attr = (info.st_mode & 0xFFFF) << 16
                member.file_size = info.st_size
                with archive.open(member, "w") as target:
                    _copy(source, target, info.st_size)
            made.files += 1
            made.bytes += info.st_size
    return made


def _copy(source: BinaryIO, target: BinaryIO, limit: int) -> None:
    left = limit
    while left > 0:
        chunk = source.read(min(COPY_CHUNK, left))
        if not chunk:
            return
        target.write(chunk)
        left -= len(chunk)


def _too_big(size: int) -> BadArgument:
    return BadArgument(None, Reason("files.archive_too_big", size=size_reason(size),
                                    limit=size_reason(MAX_ARCHIVE_BYTES)))


def _archive_now(data: DataFolder, directory: Path, label: str) -> tuple[Path, Survey, int]:
    """Zip ``directory`` into a new archive; returns its path, what went in, and its size."""
    counted = survey(data, directory)
    if counted.bytes > MAX_ARCHIVE_BYTES:
        raise _too_big(counted.bytes)

    def write(stream: BinaryIO) -> tuple[Survey, int]:
        made = zip_folder(data, directory, stream)
        return made, stream.tell()

    stem = f"{label}-{time.strftime('%Y%m%d-%H%M%S')}"
    try:
        path, (made, size) = data.create_unique(ARCHIVES_FOLDER, stem, ".zip", write)
        return path, made, size
    except PathRefused as refused:
        if refused.path != ARCHIVES_FOLDER:
            raise
        reason = refused.reason
        if isinstance(reason, Reason) and reason.key == "path.link":
            raise BadArgument(None, Reason("files.archives_is_link", folder=ARCHIVES_FOLDER)) from None
        raise BadArgument(None, Reason("files.archives_unusable", folder=ARCHIVES_FOLDER, reason=reason)) from None


async def _archive(invocation: Invocation, directory: Path) -> Archived:
    data = invocation.services.data
    if directory.is_relative_to(data.archives):
        raise BadArgument("directory", Reason("files.archives_folder"))
    label = data.relative(directory).replace("/", "_") if directory != data.root else "data"
    archive, made, size = await asyncio.wait_for(asyncio.to_thread(_archive_now, data, directory, label),
                                                 ARCHIVE_TIMEOUT)
    return {"directory": data.relative(directory), "archive": data.relative(archive), "files": made.files,
            "size": size, "skipped": made.skipped}


async def archive(invocation: Invocation, directory: Path) -> Response[Archived]:
    return Response(data=await _archive(invocation, directory))


async def select_dataset(invocation: Invocation, path_to_dir_positive: Path,
                         positive: bool = True) -> Response[Selected]:
    data = invocation.services.data
    counted = await asyncio.to_thread(survey, data, path_to_dir_positive)
    if counted.files == 0:
        raise BadArgument("path_to_dir_positive", Reason("files.empty_folder",
                                                         folder=data.relative(path_to_dir_positive)))
    kind = "positive" if positive else "negative"
    relative = data.relative(path_to_dir_positive)
    archived = await _archive(invocation, path_to_dir_positive)
    await invocation.services.storage.set_setting(f"active_dataset.{kind}", relative)
    return Response(data={"directory": relative, "positive": positive, "kind": kind, "files": archived["files"],
                          "archive": archived["archive"], "size": archived["size"],
                          "skipped": archived["skipped"]})

