"""Training data: chat JSONL, prompt/completion JSONL, CSV and JSON lists, checked line by line.

Files are read as a stream (constant memory for huge files); every bad line is reported as
``file:line: reason`` (the first 20, then a count), and a file with any error imports nothing.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Iterable, Iterator

from hypotez.errors import UserInputError
from hypotez.reasons import Reason, json_problem

SUPPORTED_SUFFIXES = (".jsonl", ".json", ".csv", ".txt")
MAX_FILE_BYTES = 1_000_000_000
MAX_LINE_CHARS = 200_000
MAX_LINE_BYTES = MAX_LINE_CHARS * 4  # UTF-8: at most 4 bytes a character
CHUNK_BYTES = 1 << 16
MAX_EXAMPLES = 2_000_000
SHOWN_PROBLEMS = 20
ROLES = {"system", "user", "assistant"}
CHAT_KEYS = {"messages", "weight", "positive", "tools", "parallel_tool_calls"}
PAIR_KEYS = {"prompt", "completion", "positive", "input", "output", "question", "answer"}


@dataclass(frozen=True, slots=True)
class Example:
    prompt: str
    completion: str
    positive: bool = True
    system: str | None = None

    def as_chat(self) -> dict[str, Any]:
        messages = ([{"role": "system", "content": self.system}] if self.system else []) + [
            {"role": "user", "content": self.prompt}, {"role": "assistant", "content": self.completion}]
        return {"messages": messages}


class DatasetError(UserInputError):
    """The training data has problems; nothing was imported."""

    kind = "bad_dataset"

    def __init__(self, problems: list[str], total: int):
        shown = problems[:SHOWN_PROBLEMS]
        more = total - len(shown)
        super().__init__(Reason("dataset.summary", total=total, problems=shown,
                                more=Reason("dataset.more", count=more) if more > 0 else ""),
                         problems=shown, total=total, more=max(more, 0))


def _located(name: str, line: int | None, reason: str) -> Reason:
    """``file:line: reason`` (or ``file: reason`` for the whole file)."""
    if line:
        return Reason("dataset.at_line", file=name, line=line, reason=reason)
    return Reason("dataset.in_file", file=name, reason=reason)


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _from_pair(obj: dict[str, Any], positive: bool) -> tuple[Example | None, str | None]:
    unknown = set(obj) - PAIR_KEYS
    if unknown:
        return None, Reason("dataset.unknown_pair_keys", keys=sorted(unknown))
    prompt = _text(obj.get("prompt", obj.get("input", obj.get("question"))))
    completion = _text(obj.get("completion", obj.get("output", obj.get("answer"))))
    if prompt is None:
        return None, Reason("dataset.prompt_missing")
    if completion is None:
        return None, Reason("dataset.completion_missing")
    flag = obj.get("positive", positive)
    if not isinstance(flag, bool):
        return None, Reason("dataset.positive_not_boolean")
    return Example(prompt, completion, flag), None


def _from_chat(obj: dict[str, Any], positive: bool) -> tuple[list[Example], str | None]:
    unknown = set(obj) - CHAT_KEYS
    if unknown:
        return [], Reason("dataset.unknown_chat_keys", keys=sorted(unknown))
    messages = obj["messages"]
    if not isinstance(messages, list) or not messages:
        return [], Reason("dataset.messages_not_list")
    system = None
    examples: list[Example] = []
    last_user: str | None = None
    for index, message in enumerate(messages, 1):
        if not isinstance(message, dict):
            return [], Reason("dataset.message_not_object", index=index)
        role = message.get("role")
        if role not in ROLES | {"tool"}:
            return [], Reason("dataset.unknown_role", index=index, role=role)
        extra = set(message) - {"role", "content", "name", "weight", "tool_calls", "tool_call_id"}
        if extra:
            return [], Reason("dataset.message_unknown_keys", index=index, keys=sorted(extra))
        content = _text(message.get("content"))
        if content is None and not message.get("tool_calls"):
            return [], Reason("dataset.message_no_content", index=index, role=role)
        if role == "system":
            system = content
        elif role == "user":
            last_user = content
        elif role == "assistant" and last_user is not None and content is not None:
            examples.append(Example(last_user, content, obj.get("positive", positive) is not False, system))
    if not any(m.get("role") == "assistant" for m in messages if isinstance(m, dict)):
        return [], Reason("dataset.no_assistant")
    if not examples:
        return [], Reason("dataset.no_user")
    return examples, None


def parse_object(obj: Any, positive: bool) -> tuple[list[Example], str | None]:
    if not isinstance(obj, dict):
        return [], Reason("dataset.not_object", got=type(obj).__name__)
    if "messages" in obj:
        return _from_chat(obj, positive)
    example, problem = _from_pair(obj, positive)
    return ([example] if example else []), problem


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
            example, problem = _from_pair({k: v for k, v in row.items() if k in PAIR_KEYS and v is not None}
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


class _JsonListReader:
    """Reads a JSON list item by item (``raw_decode`` over chunks), keeping line numbers, so a big
    .json file is checked in constant memory like a JSONL one."""

    def __init__(self, stream: IO[bytes]):
        self.text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="strict")
        self.buffer, self.pos, self.line, self.eof = "", 0, 1, False
        self.base = 0  # offset in the file of buffer[0]
        self.line_start = 0  # offset in the file of the current line's first character

    def _fill(self) -> bool:
        chunk = self.text.read(CHUNK_BYTES) if not self.eof else ""
        self.eof = not chunk
        self.base += self.pos
        self.buffer, self.pos = self.buffer[self.pos:] + chunk, 0
        return bool(chunk)

    def _advance(self, end: int) -> None:
        newlines = self.buffer.count("\n", self.pos, end)
        if newlines:
            self.line += newlines
            self.line_start = self.base + self.buffer.rfind("\n", self.pos, end) + 1
        self.pos = end

    def peek(self) -> str:
        """The next character that is not white space ('' at the end)."""
        while True:
            stripped = len(self.buffer) - self.pos - len(self.buffer[self.pos:].lstrip())
            if stripped:
                self._advance(self.pos + stripped)
            if self.pos < len(self.buffer) or not self._fill():
                return self.buffer[self.pos:self.pos + 1]

    def take(self) -> None:
        self._advance(self.pos + 1)

    def item(self) -> tuple[int, Any]:
        """The next JSON value and the line it starts on; raises JSONDecodeError (located) or ValueError."""
        decoder = json.JSONDecoder()
        self.peek()  # raw_decode does not skip white space
        while True:
            try:
                value, end = decoder.raw_decode(self.buffer, self.pos)
                if end < len(self.buffer) or self.eof:
                    line = self.line
                    self._advance(end)
                    return line, value
            except json.JSONDecodeError as error:
                if self.eof:
                    raise json.JSONDecodeError(error.msg, self.buffer, error.pos) from None
            if len(self.buffer) - self.pos > MAX_LINE_CHARS:
                raise ValueError(Reason("dataset.item_too_long", limit=MAX_LINE_CHARS))
            self._fill()

    def located(self, error: json.JSONDecodeError) -> tuple[int, int]:
        self._advance(error.pos)
        return self.line, self.base + self.pos - self.line_start + 1


def _read_json_list(stream: IO[bytes], collector: _Collector, positive: bool) -> None:
    reader = _JsonListReader(stream)
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


def _checked_size(path: Path, name: str) -> int:
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise DatasetError([_located(name, None, Reason("dataset.file_too_big", size=size / 1e9,
                                                           limit=MAX_FILE_BYTES / 1e9))], 1)
    return size


def _open_scan(path: Path, name: str, positive: bool, keep: bool) -> _Collector:
    _checked_size(path, name)
    with path.open("rb") as stream:
        head = stream.read(64)
        stream.seek(0)
        return _scan(stream, name, positive, head, keep)


def read_file(path: Path, name: str, positive: bool = True) -> list[Example]:
    return _open_scan(path, name, positive, keep=True).examples


def validate_file(path: Path, name: str, positive: bool = True) -> Summary:
    """Check a file without keeping its examples: constant memory, whatever the file's size."""
    collector = _open_scan(path, name, positive, keep=False)
    return Summary(collector.count, collector.negatives)


def read_bytes(data: bytes, name: str, positive: bool = True) -> list[Example]:
    if len(data) > MAX_FILE_BYTES:
        raise DatasetError([_located(name, None, Reason("dataset.too_large"))], 1)
    return read_stream(io.BytesIO(data), name, positive, data[:64])


def _folder_files(folder: Path, label: str) -> list[tuple[Path, str]]:
    """The supported files of a folder (not following links), their total size checked first."""
    files = sorted(p for p in folder.rglob("*") if p.suffix.lower() in SUPPORTED_SUFFIXES
                   and p.is_file() and not p.is_symlink())
    if not files:
        raise DatasetError([_located(label, None, Reason("dataset.no_files"))], 1)
    named = [(path, f"{label.rstrip('/')}/{path.relative_to(folder).as_posix()}") for path in files]
    total = sum(_checked_size(path, name) for path, name in named)
    if total > MAX_FILE_BYTES:
        raise DatasetError([_located(label, None, Reason("dataset.folder_too_big", size=total / 1e9,
                                                            limit=MAX_FILE_BYTES / 1e9))], 1)
    return named


def _scan_folder(folder: Path, label: str, positive: bool, keep: bool) -> list[_Collector]:
    """Problems from all files together; any problem means nothing is imported."""
    collectors: list[_Collector] = []
    problems: list[str] = []
    total = 0
    for path, name in _folder_files(folder, label):
        try:
            collectors.append(_open_scan(path, name, positive, keep))
        except DatasetError as error:
            problems.extend(error.facts["problems"])
            total += error.facts["total"]
    if total:
        raise DatasetError(problems, total)
    return collectors


def read_folder(folder: Path, label: str, positive: bool = True) -> list[Example]:
    return [example for collector in _scan_folder(folder, label, positive, keep=True)
            for example in collector.examples]


def validate_folder(folder: Path, label: str, positive: bool = True) -> Summary:
    collectors = _scan_folder(folder, label, positive, keep=False)
    return Summary(sum(c.count for c in collectors), sum(c.negatives for c in collectors))
