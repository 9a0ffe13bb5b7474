"""Files of the data folder: send one, zip a folder, pick the active training dataset.

Paths arrive already resolved inside the data folder (the pipeline refuses anything outside it).
Zipping walks the folder without following symlinks, so a link inside cannot pull in outside files.
"""

from __future__ import annotations

import asyncio
import os
import time
import zipfile
from pathlib import Path

from hypotez import Invocation, Response
from hypotez.errors import BadArgument
from hypotez.reasons import Reason

# Discord refuses uploads above 10 MiB for bots on servers without boosts.
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
ARCHIVE_TIMEOUT = 300


async def getfile(invocation: Invocation, file_path: Path) -> Response:
    size = file_path.stat().st_size
    if size > MAX_UPLOAD_BYTES:
        raise BadArgument("file_path", Reason("files.too_big_to_send", size=size / 1024 / 1024,
                                              limit=MAX_UPLOAD_BYTES // 1024 // 1024))
    return Response(data={"file": invocation.services.data.relative(file_path), "size": size}, files=[file_path])


def _inside(path: Path, root: Path) -> bool:
    resolved = path.resolve()
    return resolved == root or root in resolved.parents


def zip_folder(folder: Path, archive: Path, data_root: Path, skip: tuple[Path, ...]) -> tuple[int, int]:
    """Zip ``folder`` into ``archive`` (written to a temporary name, then renamed: never half-written).
    Returns (files, bytes). Symlinks and the folders in ``skip`` (archives, the bot's state) are left out."""
    archive.parent.mkdir(parents=True, exist_ok=True)
    partial = archive.with_name(archive.name + ".partial")
    files = 0
    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for current, dirnames, filenames in os.walk(folder, followlinks=False):
                here = Path(current)
                dirnames[:] = sorted(d for d in dirnames
                                     if not (here / d).is_symlink() and (here / d).resolve() not in skip)
                for name in sorted(filenames):
                    path = here / name
                    if path.is_symlink() or not path.is_file() or not _inside(path, data_root):
                        continue
                    zf.write(path, path.relative_to(folder).as_posix())
                    files += 1
        os.replace(partial, archive)
    finally:
        partial.unlink(missing_ok=True)
    return files, archive.stat().st_size


async def _archive(invocation: Invocation, directory: Path) -> dict:
    data = invocation.services.data
    if directory == data.archives or data.archives in directory.parents:
        raise BadArgument("directory", Reason("files.archives_folder"))
    label = data.relative(directory).replace("/", "_") if directory != data.root else "data"
    archive = data.archives / f"{label}-{time.strftime('%Y%m%d-%H%M%S')}.zip"
    counter = 1
    while archive.exists():
        counter += 1
        archive = data.archives / f"{label}-{time.strftime('%Y%m%d-%H%M%S')}-{counter}.zip"
    files, size = await asyncio.wait_for(
        asyncio.to_thread(zip_folder, directory, archive, data.root,
                          (data.archives.resolve(), data.internal.resolve())), ARCHIVE_TIMEOUT)
    return {"directory": data.relative(directory), "archive": data.relative(archive), "files": files, "size": size}


async def archive(invocation: Invocation, directory: Path) -> Response:
    return Response(data=await _archive(invocation, directory))


def _count_files(folder: Path) -> int:
    return sum(1 for current, _, names in os.walk(folder, followlinks=False)
               for name in names if not (Path(current) / name).is_symlink())


async def select_dataset(invocation: Invocation, path_to_dir_positive: Path, positive: bool = True) -> Response:
    data = invocation.services.data
    files = await asyncio.to_thread(_count_files, path_to_dir_positive)
    if files == 0:
        raise BadArgument("path_to_dir_positive", Reason("files.empty_folder",
                                                         folder=data.relative(path_to_dir_positive)))
    kind = "positive" if positive else "negative"
    relative = data.relative(path_to_dir_positive)
    archived = await _archive(invocation, path_to_dir_positive)
    await invocation.services.storage.set_setting(f"active_dataset.{kind}", relative)
    return Response(data={"directory": relative, "positive": positive, "kind": kind, "files": files,
                          "archive": archived["archive"], "size": archived["size"]})
