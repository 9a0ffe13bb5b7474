"""The data folder: every path a user gives is resolved inside it, or refused; every file a command reads
or writes there is opened without following links.

Refused by :meth:`DataFolder.resolve`: absolute paths, ``~``, ``..``, symbolic links (pointing out or
in), NUL bytes, percent-encoded tricks (``%2e%2e``) and the bot's own state folder (``.hypotez``, at any
depth). Resolving only checks a name; what is then read, sent or written is opened again by
:meth:`open_file`, :meth:`walk` and :meth:`create_unique`, component by component with ``O_NOFOLLOW``
and checked as opened (hypotez.services.nofollow), so a file swapped for a link in between is refused,
never followed. Walks leave out the state folder (wherever it is met) and the archives folder.
"""

from __future__ import annotations

import itertools
import os
import secrets
import urllib.parse
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO, Callable, Iterator, TypeVar

from hypotez.errors import PathRefused
from hypotez.reasons import Reason
from hypotez.services import nofollow
from hypotez.services.nofollow import Found, Refused

MAX_PATH_LENGTH = 1024
INTERNAL_FOLDER = ".hypotez"
ARCHIVES_FOLDER = "archives"
# How many numbered names (x.zip, x-2.zip, ...) an exclusive creation tries before giving up.
MAX_NAME_TRIES = 1000

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class OpenedFile:
    """A file opened to be sent, checked as it was opened (:meth:`DataFolder.open_file`). Adapters send
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


class DataFolder:
    def __init__(self, root: Path):
        self.root = Path(root).resolve()

    def ensure(self) -> "DataFolder":
        self.root.mkdir(parents=True, exist_ok=True)
        return self

    @property
    def archives(self) -> Path:
        return self.root / ARCHIVES_FOLDER

    @property
    def internal(self) -> Path:
        """The bot's own state (database, trained models): never handed to users by path."""
        return self.root / INTERNAL_FOLDER

    def resolve(self, user_path: str, *, must_exist: bool = True, kind: str = "any") -> Path:
        """Turn a user's path into an absolute path inside the data folder.

        ``kind`` is "file", "dir" or "any". Raises :class:`PathRefused` with a reason a user can act on.
        """
        raw = user_path
        if not isinstance(raw, str) or not raw.strip():
            raise PathRefused(str(raw), Reason("path.empty"))
        if len(raw) > MAX_PATH_LENGTH:
            raise PathRefused(raw[:40] + "…", Reason("path.too_long", limit=MAX_PATH_LENGTH))
        if "\x00" in raw:
            raise PathRefused(raw.replace("\x00", "\\0"), Reason("path.nul_byte"))
        # Decode repeatedly so that %252e%252e cannot sneak through a single decode.
        decoded = raw
        for _ in range(3):
            once = urllib.parse.unquote(decoded)
            if once == decoded:
                break
            decoded = once
        if "\x00" in decoded:
            raise PathRefused(raw, Reason("path.nul_byte"))
        if decoded != raw:
            raise PathRefused(raw, Reason("path.percent_encoded"))
        text = raw.strip().replace("\\", "/")
        if text.startswith("~"):
            raise PathRefused(raw, Reason("path.home"))
        if text.startswith("/") or (len(text) > 1 and text[1] == ":"):
            raise PathRefused(raw, Reason("path.absolute"))
        parts = PurePosixPath(text).parts
        if ".." in parts:
            raise PathRefused(raw, Reason("path.parent"))

        candidate = self.root.joinpath(*parts) if parts else self.root
        # resolve() follows symlinks: a link that points outside is caught here.
        try:
            resolved = candidate.resolve()
        except (RuntimeError, OSError):  # a symlink loop, or a name the OS refuses
            raise PathRefused(raw, Reason("path.loop")) from None
        if not resolved.is_relative_to(self.root):
            raise PathRefused(raw, Reason("path.outside"))
        if INTERNAL_FOLDER in parts or INTERNAL_FOLDER in resolved.relative_to(self.root).parts:
            raise PathRefused(raw, Reason("path.internal"))
        try:
            self._refuse_links(parts)
            exists = resolved.exists()
        except OSError:  # e.g. a component longer than the OS allows
            raise PathRefused(raw, Reason("path.invalid")) from None
        except Refused as refused:
            raise PathRefused(raw, refused.reason) from None
        if must_exist and not exists:
            raise PathRefused(raw, Reason("path.missing"))
        if exists:
            if kind == "file" and resolved.is_dir():
                raise PathRefused(raw, Reason("path.not_file"))
            if kind == "file" and not resolved.is_file():
                raise PathRefused(raw, Reason("path.not_regular"))
            if kind == "dir" and not resolved.is_dir():
                raise PathRefused(raw, Reason("path.not_dir"))
        return resolved

    def _refuse_links(self, parts: tuple[str, ...]) -> None:
        """A link anywhere on the way is refused, even one pointing inside: the files are opened
        without following links, so a path through one could not be opened anyway."""
        path = self.root
        for part in parts:
            path = path / part
            if path.is_symlink():
                raise Refused(Reason("path.link"))
            if not path.exists():
                return

    def relative(self, path: Path) -> str:
        return Path(os.path.relpath(path, self.root)).as_posix()

    def parts(self, path: Path) -> tuple[str, ...]:
        """The names from the root down to ``path`` (a path :meth:`resolve` returned)."""
        relative = PurePosixPath(Path(path).relative_to(self.root).as_posix())
        parts = tuple(part for part in relative.parts if part != ".")
        if ".." in parts:
            raise PathRefused(self.relative(path), Reason("path.parent"))
        if INTERNAL_FOLDER in parts:
            raise PathRefused(self.relative(path), Reason("path.internal"))
        return parts

    # -- opening what a path names, never through a link ---------------------------------------

    def open_file(self, path: Path, *, max_bytes: int, too_big: str = "path.too_big") -> OpenedFile:
        """Open the file ``path`` for reading: no component a link, and as opened a regular file with
        no other names, at most ``max_bytes`` (else the reason ``too_big``, given ``size`` and ``limit``).
        Raises :class:`PathRefused`. The caller closes the file (or hands it to a reply, which does)."""
        parts = self.parts(path)
        try:
            fd, info = nofollow.open_regular(self.root, parts, max_bytes, too_big)
        except Refused as refused:
            raise PathRefused(self.relative(path), refused.reason) from None
        return OpenedFile(parts[-1], os.fdopen(fd, "rb"), info.st_size, self.root.joinpath(*parts))

    @contextmanager
    def open_folder(self, path: Path) -> Iterator[int]:
        """A descriptor of the folder ``path``, reached without following links (closed on exit)."""
        parts = self.parts(path)
        try:
            fd = nofollow.open_directory(self.root, parts)
        except Refused as refused:
            raise PathRefused(self.relative(path), refused.reason) from None
        try:
            yield fd
        finally:
            os.close(fd)

    @contextmanager
    def walk(self, path: Path) -> Iterator[Iterator[Found]]:
        """Everything below the folder ``path`` (see :func:`hypotez.services.nofollow.walk`), without
        the bot's state folder and, from the root, without the archives folder."""
        below_root = self.parts(path)

        def skip(relative: str) -> bool:
            name = relative.rsplit("/", 1)[-1]
            return name == INTERNAL_FOLDER or (not below_root and relative == ARCHIVES_FOLDER)

        with self.open_folder(path) as fd:
            yield nofollow.walk(fd, skip)

    # -- writing new files -------------------------------------------------------------------

    def create_unique(self, folder: str, stem: str, suffix: str, write: Callable[[BinaryIO], T]) -> tuple[Path, T]:
        """Write a new file into the folder ``folder`` of the root (made if missing, refused if a link)
        and name it ``stem + suffix``, else ``stem-2 + suffix``, ... whichever is free at that moment.

        ``write`` fills a temporary file created exclusively (so nothing planted can be written through);
        only the finished file takes the name, one reserved by exclusive creation, so it is never seen
        half-written and two writers never share a name. Returns the path and what ``write`` returned."""
        try:
            root = nofollow.open_directory(self.root, ())
            try:
                directory = nofollow.ensure_directory_at(root, folder)
            finally:
                os.close(root)
        except Refused as refused:
            raise PathRefused(folder, refused.reason) from None
        try:
            temporary, fd = self._temporary(directory, stem + suffix)
            try:
                with os.fdopen(fd, "wb") as stream:
                    result = write(stream)
                    stream.flush()
                    os.fsync(stream.fileno())
            except BaseException:
                os.unlink(temporary, dir_fd=directory)
                raise
            names = itertools.chain([stem + suffix], (f"{stem}-{n}{suffix}" for n in range(2, MAX_NAME_TRIES)))
            name = nofollow.publish(directory, temporary, names)
        finally:
            os.close(directory)
        return self.root / folder / name, result

    @staticmethod
    def _temporary(directory: int, name: str) -> tuple[str, int]:
        while True:
            temporary = f".{name}.{secrets.token_hex(8)}.partial"
            try:
                return temporary, nofollow.create_exclusive(directory, temporary)
            except FileExistsError:
                continue
