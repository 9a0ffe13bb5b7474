"""The data folder: every path a user gives is resolved inside it, or refused.

Refused: absolute paths, ``~``, ``..`` that climbs out, symlinks that point out, NUL bytes and
percent-encoded tricks (``%2e%2e``). Nothing outside the folder is read, listed or written.
"""

from __future__ import annotations

import os
import urllib.parse
from pathlib import Path, PurePosixPath

from hypotez.errors import PathRefused
from hypotez.reasons import Reason

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
        if resolved != self.root and self.root not in resolved.parents:
            raise PathRefused(raw, Reason("path.outside"))
        internal = self.internal.resolve()
        if resolved == internal or internal in resolved.parents:
            raise PathRefused(raw, Reason("path.internal"))
        try:
            exists = resolved.exists()
        except OSError:  # e.g. a component longer than the OS allows
            raise PathRefused(raw, Reason("path.invalid")) from None
        if must_exist and not exists:
            raise PathRefused(raw, Reason("path.missing"))
        if exists:
            if kind == "file" and not resolved.is_file():
                raise PathRefused(raw, Reason("path.not_file"))
            if kind == "dir" and not resolved.is_dir():
                raise PathRefused(raw, Reason("path.not_dir"))
        return resolved

    def relative(self, path: Path) -> str:
        return Path(os.path.relpath(path, self.root)).as_posix()
