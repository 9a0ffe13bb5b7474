"""Opening what lies inside a folder without ever following a link.

Every component of a path is opened relative to the one before it (``openat`` with ``O_NOFOLLOW``), so
no component can be a symbolic link, whatever is swapped in between a check and the open; and what was
opened is checked (``fstat``), not the name: a regular file with no other names (hard links), within a
size. Special files (FIFOs, devices) are opened non-blocking and refused, so none can make a read wait.
Writing creates files exclusively (``O_EXCL``), so nothing planted at a name is ever written through.

Refusals raise :class:`Refused` with a reason key from the catalogs (``path.*``).
"""

from __future__ import annotations

import errno
import fcntl
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Sequence

from hypotez.errors import HypotezError
from hypotez.reasons import Reason, size_reason

DIRECTORY_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
CREATE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
# Deeper folders than this are not walked (a walk is recursive; no real data set nests this deep).
MAX_DEPTH = 64


class Refused(HypotezError):
    """What was found is not something the bot will open; ``reason`` says why, for the user."""

    def __init__(self, reason: Reason, size: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.size = size  # the file's size, when it was refused for it


def _refusal(error: OSError, dir_fd: int, name: str) -> Reason:
    """Why ``name`` in the folder ``dir_fd`` could not be opened, in the user's terms."""
    if error.errno == errno.ELOOP:  # O_NOFOLLOW met a link
        return Reason("path.link")
    if error.errno == errno.ENOENT:
        return Reason("path.missing")
    if error.errno == errno.ENOTDIR:  # also what O_DIRECTORY | O_NOFOLLOW says of a link
        try:
            is_link = stat.S_ISLNK(os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mode)
        except OSError:
            is_link = False
        return Reason("path.link" if is_link else "path.not_dir")
    if error.errno == errno.EISDIR:
        return Reason("path.not_file")
    if error.errno in (errno.EACCES, errno.EPERM):
        return Reason("path.unreadable")
    return Reason("path.invalid")


def open_directory(root: Path, parts: Sequence[str]) -> int:
    """A descriptor of the folder ``root/parts...``; ``root`` itself is the operator's and may be reached
    through links, nothing below it. The caller closes the descriptor."""
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    for part in parts:
        fd = _step(fd, part, DIRECTORY_FLAGS)
    return fd


def _step(fd: int, name: str, flags: int) -> int:
    """Open ``name`` inside the folder ``fd`` and close ``fd``, whatever happens (it is replaced by what
    was opened)."""
    try:
        return os.open(name, flags, dir_fd=fd)
    except OSError as error:
        raise Refused(_refusal(error, fd, name)) from None
    finally:
        os.close(fd)


def check_regular(fd: int, max_bytes: int | None, too_big: str = "path.too_big") -> os.stat_result:
    """What ``fd`` is, as opened: a regular file with one name, within ``max_bytes``; the descriptor is
    made blocking again for reading."""
    info = os.fstat(fd)
    if stat.S_ISDIR(info.st_mode):
        raise Refused(Reason("path.not_file"))
    if not stat.S_ISREG(info.st_mode):
        raise Refused(Reason("path.not_regular"))
    if info.st_nlink > 1:
        raise Refused(Reason("path.hard_link"))
    if max_bytes is not None and info.st_size > max_bytes:
        raise Refused(Reason(too_big, size=size_reason(info.st_size), limit=size_reason(max_bytes)), info.st_size)
    fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~os.O_NONBLOCK)
    return info


def open_regular_at(dir_fd: int, name: str, max_bytes: int | None,
                    too_big: str = "path.too_big") -> tuple[int, os.stat_result]:
    """Open the file ``name`` of the folder ``dir_fd`` for reading, checked (see :func:`check_regular`)."""
    try:
        fd = os.open(name, FILE_FLAGS, dir_fd=dir_fd)
    except OSError as error:
        raise Refused(_refusal(error, dir_fd, name)) from None
    try:
        return fd, check_regular(fd, max_bytes, too_big)
    except BaseException:
        os.close(fd)
        raise


def open_regular(root: Path, parts: Sequence[str], max_bytes: int | None,
                 too_big: str = "path.too_big") -> tuple[int, os.stat_result]:
    """Open the file ``root/parts...`` for reading: no component a link, the file checked as opened."""
    if not parts:
        raise Refused(Reason("path.not_file"))
    folder = open_directory(root, parts[:-1])
    try:
        return open_regular_at(folder, parts[-1], max_bytes, too_big)
    finally:
        os.close(folder)


# --- walking a folder ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Found:
    """One entry met in a walk. ``kind``: "file" (regular, one name), "link", "hard_link" or "special".
    ``dir_fd`` is valid only until the walk moves on: open the file (:func:`open_regular_at`) then."""

    relative: str  # posix path from the walked folder
    dir_fd: int
    name: str
    kind: str
    size: int


def walk(folder_fd: int, skip: Callable[[str], bool] = lambda relative: False) -> Iterator[Found]:
    """Every entry below the folder ``folder_fd``, sorted, never through a link: sub-folders are opened
    with ``O_NOFOLLOW`` from their parent's descriptor, so one swapped for a link is not entered.
    Folders for which ``skip(relative path)`` is true are left out."""
    yield from _walk(folder_fd, "", skip, 0)


def _walk(fd: int, prefix: str, skip: Callable[[str], bool], depth: int) -> Iterator[Found]:
    with os.scandir(fd) as listing:
        entries = sorted(listing, key=lambda entry: entry.name)
    for entry in entries:
        relative = prefix + entry.name
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:  # gone since the listing
            continue
        if stat.S_ISDIR(info.st_mode):
            if skip(relative) or depth >= MAX_DEPTH:
                continue
            try:
                child = os.open(entry.name, DIRECTORY_FLAGS, dir_fd=fd)
            except OSError:  # swapped for a link or a file since the listing: not entered
                continue
            try:
                yield from _walk(child, relative + "/", skip, depth + 1)
            finally:
                os.close(child)
            continue
        if stat.S_ISLNK(info.st_mode):
            kind = "link"
        elif not stat.S_ISREG(info.st_mode):
            kind = "special"
        elif info.st_nlink > 1:
            kind = "hard_link"
        else:
            kind = "file"
        yield Found(relative, fd, entry.name, kind, info.st_size)


# --- creating files ------------------------------------------------------------------------------


def ensure_directory_at(dir_fd: int, name: str) -> int:
    """A descriptor of the folder ``name`` in ``dir_fd``, made if missing; refused if it is a link."""
    try:
        os.mkdir(name, 0o755, dir_fd=dir_fd)
    except FileExistsError:
        pass
    except OSError as error:
        raise Refused(_refusal(error, dir_fd, name)) from None
    try:
        return os.open(name, DIRECTORY_FLAGS, dir_fd=dir_fd)
    except OSError as error:
        raise Refused(_refusal(error, dir_fd, name)) from None


def create_exclusive(dir_fd: int, name: str) -> int:
    """A new, empty file ``name`` in ``dir_fd``; FileExistsError when anything (a link too) has that name."""
    return os.open(name, CREATE_FLAGS, 0o644, dir_fd=dir_fd)


def publish(dir_fd: int, temporary: str, names: Iterator[str]) -> str:
    """Give the finished file ``temporary`` the first of ``names`` that nothing has: the name is taken
    by creating it exclusively (so two writers never share one, and nothing planted there is used),
    then the finished file is renamed over that empty placeholder (a rename replaces the name itself,
    never writing through it)."""
    try:
        for name in names:
            try:
                os.close(create_exclusive(dir_fd, name))
            except FileExistsError:
                continue
            os.rename(temporary, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
            return name
        raise FileExistsError("no free name")
    except BaseException:
        try:
            os.unlink(temporary, dir_fd=dir_fd)
        except FileNotFoundError:
            pass
        raise
