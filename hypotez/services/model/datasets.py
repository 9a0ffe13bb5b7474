"""Training data: chat JSONL, prompt/completion JSONL, CSV and JSON lists, checked line by line.

Files are read as a stream (constant memory for huge files); every bad line is reported as
``file:line: reason`` (the first 20, then a count), and a file with any error imports nothing.
Files are opened without following links and checked as opened (a regular file with one name, within
the size limit, before anything is read); folders are walked the same way, never into the bot's state.
"""

from __future__ import annotations

import csv
import io
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Iterable, Iterator

from hypotez.errors import UserInputError
from hypotez.reasons import Reason, json_problem
from hypotez.services import nofollow
from hypotez.services.datafolder import DataFolder
from hypotez.services.model.examples import PAIR_KEYS, Example, from_pair, parse_object
from hypotez.services.model.json_stream import JsonListReader
from hypotez.services.nofollow import Refused

SUPPORTED_SUFFIXES = (".jsonl", ".json", ".csv", ".txt")
MAX_FILE_BYTES = 1_000_000_000
MAX_LINE_CHARS = 200_000
MAX_LINE_BYTES = MAX_LINE_CHARS * 4  # UTF-8: at most 4 bytes a character
CHUNK_BYTES = 1 << 16
MAX_EXAMPLES = 2_000_000
SHOWN_PROBLEMS = 20


class DatasetError(UserInputError):
    """The training data has problems; nothing was imported."""

    kind = "bad_dataset"
    template_fields = ("message", "problems", "total", "more")

    def __init__(self, problems: list[str], total: int):
        shown = problems[:SHOWN_PROBLEMS]
        more = total - len(shown)
        self.problems = shown
        self.total = total
        self.more = max(more, 0)
        super().__init__(Reason("dataset.summary", total=total, problems=shown,
                                more=Reason("dataset.more", count=more) if more > 0 else ""))


def _located(name: str, line: int | None, reason: str) -> Reason:
    """``file:line: reason`` (or ``file: reason`` for the whole file)."""
    if line:
        return Reason("dataset.at_line", file=name, line=line, reason=reason)
    return Reason("dataset.in_file", file=name, reason=reason)


def _lines(stream: IO[bytes]) -> Iterator[tuple[int, str | None, str | None]]:
    """(line number, text, problem) for each line, reading at most MAX_LINE_BYTES at a time, so a
    huge line (or a binary file without newlines) never has to fit in memory."""
    number = 0
    while True:
        raw = stream.readline(MAX_LINE_BYTES + 1)
        if not raw:
            return
        number += 1
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            while raw and not raw.endswith(b"\n"):  # skip the rest of the line
                raw = stream.readline(CHUNK_BYTES)
            yield number, None, Reason("dataset.line_too_long", limit=MAX_LINE_CHARS)
            continue
        try:
            text = raw.decode("utf-8-sig" if number == 1 else "utf-8").rstrip("\r\n")
        except UnicodeDecodeError:
            yield number, None, Reason("dataset.not_utf8")
            continue
        if len(text) > MAX_LINE_CHARS:
            yield number, None, Reason("dataset.line_too_long", limit=MAX_LINE_CHARS)
            continue
        yield number, text, None


class _Collector:
    """Gathers examples and located problems. With ``keep=False`` it only counts (validation in
    constant memory); once a problem is found nothing will be imported, so examples are dropped."""

    def __init__(self, name: str, keep: bool = True):
        self.name = name
        self.keep = keep
        self.examples: list[Example] = []
        self.count = 0
        self.negatives = 0
        self.problems: list[str] = []
        self.total_problems = 0

    def problem(self, line: int | None, reason: str) -> None:
        self.total_problems += 1
        self.examples.clear()
        if len(self.problems) < SHOWN_PROBLEMS:
            self.problems.append(_located(self.name, line, reason))

    def add(self, examples: Iterable[Example]) -> None:
        for example in examples:
            self.count += 1
            self.negatives += not example.positive
            if self.keep and self.total_problems == 0:
                self.examples.append(example)
        if self.count > MAX_EXAMPLES and self.total_problems == 0:
            self.problem(None, Reason("dataset.too_many_examples", limit=MAX_EXAMPLES))


def _read_jsonl(stream: IO[bytes], collector: _Collector, positive: bool) -> None:
    for number, line, problem in _lines(stream):
        if line is None:
            collector.problem(number, problem or Reason("dataset.unreadable_line"))
            continue
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as error:
            collector.problem(number, Reason("dataset.invalid_json", problem=json_problem(error.msg), column=error.colno))
            continue
        except RecursionError:  # nested deeper than the decoder follows
            collector.problem(number, Reason("dataset.too_deep"))
            continue
        examples, problem = parse_object(obj, positive)
        if problem:
            collector.problem(number, problem)
        else:
            collector.add(examples)


def _read_csv(stream: IO[bytes], collector: _Collector, positive: bool) -> None:
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="strict", newline="")
    try:
        reader = csv.DictReader(text)
        header = reader.fieldnames or []
        if "prompt" not in header or "completion" not in header:
            collector.problem(1, Reason("dataset.csv_header", found=header))
            return
        for row in reader:
            line = reader.line_num
            if None in row:
                collector.problem(line, Reason("dataset.csv_extra_values"))
                continue
            example, problem = from_pair({k: v for k, v in row.items() if k in PAIR_KEYS and v is not None}
                                          | ({"positive": _csv_bool(row["positive"])} if row.get("positive") else {}),
                                          positive)
            if problem:
                collector.problem(line, problem)
            else:
                collector.add([example])  # type: ignore[list-item]
    except UnicodeDecodeError:
        collector.problem(None, Reason("dataset.file_not_utf8"))
    except csv.Error as error:
        collector.problem(None, Reason("dataset.invalid_csv", detail=str(error)))


def _csv_bool(value: str) -> bool | str:
    word = value.strip().lower()
    return {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}.get(word, value)


def _read_json_list(stream: IO[bytes], collector: _Collector, positive: bool) -> None:
    reader = JsonListReader(stream, MAX_LINE_CHARS)
    try:
        if reader.peek() != "[":
            collector.problem(reader.line, Reason("dataset.json_not_list"))
            return
        reader.take()
        index = 0
        while True:
            if reader.peek() == "]":
                reader.take()
                if reader.peek():
                    collector.problem(reader.line, Reason("dataset.text_after_list"))
                return
            if index:
                if reader.peek() != ",":
                    collector.problem(reader.line, Reason("dataset.expected_comma"))
                    return
                reader.take()
            index += 1
            try:
                line, obj = reader.item()
            except json.JSONDecodeError as error:
                line, column = reader.located(error)
                collector.problem(line, Reason("dataset.invalid_json", problem=json_problem(error.msg), column=column))
                return
            examples, problem = parse_object(obj, positive)
            if problem:
                collector.problem(line, Reason("dataset.item", index=index, reason=problem))
            else:
                collector.add(examples)
    except UnicodeDecodeError:
        collector.problem(reader.line, Reason("dataset.not_utf8"))
    except ValueError as error:
        collector.problem(reader.line, error.args[0] if error.args and isinstance(error.args[0], Reason) else str(error))


def _format_for(name: str, head: bytes) -> str:
    lower = name.lower()
    if lower.endswith(".csv"):
        return "csv"
    if lower.endswith(".jsonl"):
        return "jsonl"
    if lower.endswith(".json"):
        return "json"
    return "json" if head.lstrip().startswith(b"[") else "jsonl"


@dataclass(frozen=True, slots=True)
class Summary:
    """What a validation found in good data: how many examples, how many of them negative."""

    examples: int
    negatives: int


def _scan(stream: IO[bytes], name: str, positive: bool, head: bytes, keep: bool) -> _Collector:
    collector = _Collector(name, keep)
    {"csv": _read_csv, "jsonl": _read_jsonl, "json": _read_json_list}[_format_for(name, head)](
        stream, collector, positive)
    if collector.total_problems:
        raise DatasetError(collector.problems, collector.total_problems)
    if not collector.count:
        raise DatasetError([_located(name, None, Reason("dataset.no_examples"))], 1)
    return collector


def read_stream(stream: IO[bytes], name: str, positive: bool = True, head: bytes = b"") -> list[Example]:
    return _scan(stream, name, positive, head, keep=True).examples


def _refused(name: str, refused: Refused) -> DatasetError:
    reason = refused.reason
    if reason.key == "path.too_big" and refused.size is not None:  # worded as a data set's limit, in GB
        reason = Reason("dataset.file_too_big", size=refused.size / 1e9, limit=MAX_FILE_BYTES / 1e9)
    return DatasetError([_located(name, None, reason)], 1)


def _open(path: Path, name: str, data: DataFolder | None, limit: int = MAX_FILE_BYTES) -> IO[bytes]:
    """Open a data file checked as opened (regular, one name, within the size limit), never through a
    link: below the data folder's root when ``data`` is given, else at its last component (the bot's
    own files)."""
    try:
        if data is not None:
            fd, _ = nofollow.open_regular(data.root, data.parts(path), limit)
        else:
            fd, _ = nofollow.open_regular(path.parent, (path.name,), limit)
    except Refused as refused:
        raise _refused(name, refused) from None
    return os.fdopen(fd, "rb")


def _scan_file(path: Path, name: str, positive: bool, keep: bool, data: DataFolder | None) -> _Collector:
    with _open(path, name, data) as stream:
        return _scan_opened(stream, name, positive, keep)


def _scan_opened(stream: IO[bytes], name: str, positive: bool, keep: bool) -> _Collector:
    head = stream.read(64)
    stream.seek(0)
    return _scan(stream, name, positive, head, keep)


def read_file(path: Path, name: str, positive: bool = True, *, data: DataFolder | None = None) -> list[Example]:
    """The examples of one file. Give ``data`` for a file of the data folder (no link on the way)."""
    return _scan_file(path, name, positive, True, data).examples


def validate_file(path: Path, name: str, positive: bool = True, *, data: DataFolder | None = None) -> Summary:
    """Check a file without keeping its examples: constant memory, whatever the file's size."""
    collector = _scan_file(path, name, positive, False, data)
    return Summary(collector.count, collector.negatives)


def read_bytes(data: bytes, name: str, positive: bool = True) -> list[Example]:
    if len(data) > MAX_FILE_BYTES:
        raise DatasetError([_located(name, None, Reason("dataset.too_large"))], 1)
    return read_stream(io.BytesIO(data), name, positive, data[:64])


def _survey_folder(data: DataFolder, folder: Path, label: str) -> None:
    """Refuse a folder before reading any of it: no training files, files that are not regular or
    have other names, or more than the size limit altogether. Links are left out."""
    problems: list[str] = []
    total = 0
    found = 0
    with data.walk(folder) as entries:
        for entry in entries:
            if not entry.name.lower().endswith(SUPPORTED_SUFFIXES) or entry.kind == "link":
                continue
            found += 1
            if entry.kind != "file":
                reason = Reason("path.hard_link" if entry.kind == "hard_link" else "path.not_regular")
                problems.append(_located(f"{label}/{entry.relative}", None, reason))
            total += entry.size
    if problems:
        raise DatasetError(problems[:SHOWN_PROBLEMS], len(problems))
    if not found:
        raise DatasetError([_located(label, None, Reason("dataset.no_files"))], 1)
    if total > MAX_FILE_BYTES:
        raise DatasetError([_located(label, None, Reason("dataset.folder_too_big", size=total / 1e9,
                                                            limit=MAX_FILE_BYTES / 1e9))], 1)


def _scan_folder(folder: Path, label: str, positive: bool, keep: bool, data: DataFolder | None) -> list[_Collector]:
    """Problems from all files together; any problem means nothing is imported. The folder is walked
    without following links (from the data folder's root when ``data`` is given, else from ``folder``),
    and the bot's state folder is never entered."""
    data = data if data is not None else DataFolder(folder)
    label = label.rstrip("/")
    _survey_folder(data, folder, label)
    collectors: list[_Collector] = []
    problems: list[str] = []
    total = 0
    read = 0
    with data.walk(folder) as entries:
        for entry in entries:
            if entry.kind != "file" or not entry.name.lower().endswith(SUPPORTED_SUFFIXES):
                continue
            name = f"{label}/{entry.relative}"
            try:
                try:  # what is read stays within the limit the survey checked, whatever grew since
                    fd, info = nofollow.open_regular_at(entry.dir_fd, entry.name, MAX_FILE_BYTES - read)
                except Refused as refused:
                    raise _refused(name, refused) from None
                read += info.st_size
                with os.fdopen(fd, "rb") as stream:
                    collectors.append(_scan_opened(stream, name, positive, keep))
            except DatasetError as error:
                problems.extend(error.problems)
                total += error.total
    if total:
        raise DatasetError(problems, total)
    return collectors


def read_folder(folder: Path, label: str, positive: bool = True, *, data: DataFolder | None = None) -> list[Example]:
    return [example for collector in _scan_folder(folder, label, positive, True, data)
            for example in collector.examples]


def validate_folder(folder: Path, label: str, positive: bool = True, *, data: DataFolder | None = None) -> Summary:
    collectors = _scan_folder(folder, label, positive, False, data)
    return Summary(sum(c.count for c in collectors), sum(c.negatives for c in collectors))
