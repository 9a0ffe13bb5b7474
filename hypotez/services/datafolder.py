"""The data folder: every path a user gives is resolved inside it, or refused.

Refused: absolute paths, ``~``, ``..`` that climbs out, symlinks that point out, NUL bytes and
percent-encoded tricks (``%2e%2e``). Nothing outside the folder is read, listed or written.
"""

from __future__ import annotations

import os
import urllib.parse
from pathlib import Path, PurePosixPath

from hypotez.errors import PathRefused

MAX_PATH_LENGTH = 1024
INTERNAL_FOLDER = ".hypotez"


class DataFolder:
    def __init__(self, root: Path):
        self.root = Path(root).resolve()

    def ensure(self) -> "DataFolder":
        self.root.mkdir(parents=True, exist_ok=True)
        return self

    @property
    def archives(self) -> Path:
        return self.root / "archives"

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
            raise PathRefused(str(raw), "the path is empty")
        if len(raw) > MAX_PATH_LENGTH:
            raise PathRefused(raw[:40] + "…", f"the path is longer than {MAX_PATH_LENGTH} characters")
        if "\x00" in raw:
            raise PathRefused(raw.replace("\x00", "\\0"), "the path contains a NUL byte")
        # Decode repeatedly so that %252e%252e cannot sneak through a single decode.
        decoded = raw
        for _ in range(3):
            once = urllib.parse.unquote(decoded)
            if once == decoded:
                break
            decoded = once
        if "\x00" in decoded:
            raise PathRefused(raw, "the path contains a NUL byte")
        if decoded != raw:
            raise PathRefused(raw, "percent-encoded paths are not accepted; write the name plainly")
        text = raw.strip().replace("\\", "/")
        if text.startswith("~"):
            raise PathRefused(raw, "home-folder paths (~) are not allowed; give a path inside the data folder")
        if text.startswith("/") or (len(text) > 1 and text[1] == ":"):
            raise PathRefused(raw, "absolute paths are not allowed; give a path relative to the data folder")
        parts = PurePosixPath(text).parts
        if ".." in parts:
            raise PathRefused(raw, "'..' is not allowed; the path must stay inside the data folder")

        candidate = self.root.joinpath(*parts) if parts else self.root
        # resolve() follows symlinks: a link that points outside is caught here.
        try:
            resolved = candidate.resolve()
        except (RuntimeError, OSError):  # a symlink loop, or a name the OS refuses
            raise PathRefused(raw, "the path cannot be followed (a symbolic link loop?)") from None
        if resolved != self.root and self.root not in resolved.parents:
            raise PathRefused(raw, "the path leads outside the data folder")
        internal = self.internal.resolve()
        if resolved == internal or internal in resolved.parents:
            raise PathRefused(raw, "this is the bot's own state folder; it cannot be read or changed by commands")
        try:
            exists = resolved.exists()
        except OSError:  # e.g. a component longer than the OS allows
            raise PathRefused(raw, "the path is not valid here") from None
        if must_exist and not exists:
            raise PathRefused(raw, "no such file or folder in the data folder")
        if exists:
            if kind == "file" and not resolved.is_file():
                raise PathRefused(raw, "this is a folder, not a file")
            if kind == "dir" and not resolved.is_dir():
                raise PathRefused(raw, "this is a file, not a folder")
        return resolved

    def relative(self, path: Path) -> str:
        return Path(os.path.relpath(path, self.root)).as_posix()
