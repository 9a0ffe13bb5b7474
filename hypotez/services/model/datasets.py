"""Training data: chat JSONL, prompt/completion JSONL, CSV and JSON lists, checked line by line.

Files are read as a stream (constant memory for huge files); every bad line is reported as
``file:line: reason`` (the first 20, then a count), and a file with any error imports nothing.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Iterable, Iterator

from hypotez.errors import UserInputError

SUPPORTED_SUFFIXES = (".jsonl", ".json", ".csv", ".txt")
MAX_FILE_BYTES = 1_000_000_000
MAX_LINE_CHARS = 200_000
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
        text = "\n".join(shown) + (f"\n… and {more} more" if more > 0 else "")
        super().__init__(f"the training data has {total} {'problem' if total == 1 else 'problems'}; "
                         f"nothing was imported:\n{text}", problems=shown, total=total, more=max(more, 0))


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _from_pair(obj: dict[str, Any], positive: bool) -> tuple[Example | None, str | None]:
    unknown = set(obj) - PAIR_KEYS
    if unknown:
        return None, f"unknown keys {sorted(unknown)}; expected 'prompt' and 'completion'"
    prompt = _text(obj.get("prompt", obj.get("input", obj.get("question"))))
    completion = _text(obj.get("completion", obj.get("output", obj.get("answer"))))
    if prompt is None:
        return None, "'prompt' is missing or empty"
    if completion is None:
        return None, "'completion' is missing or empty"
    flag = obj.get("positive", positive)
    if not isinstance(flag, bool):
        return None, "'positive' must be true or false"
    return Example(prompt, completion, flag), None


def _from_chat(obj: dict[str, Any], positive: bool) -> tuple[list[Example], str | None]:
    unknown = set(obj) - CHAT_KEYS
    if unknown:
        return [], f"unknown keys {sorted(unknown)} next to 'messages'"
    messages = obj["messages"]
    if not isinstance(messages, list) or not messages:
        return [], "'messages' must be a non-empty list"
    system = None
    examples: list[Example] = []
    last_user: str | None = None
    for index, message in enumerate(messages, 1):
        if not isinstance(message, dict):
            return [], f"message {index} is not an object"
        role = message.get("role")
        if role not in ROLES | {"tool"}:
            return [], f"message {index} has an unknown role {role!r} (use system, user or assistant)"
        extra = set(message) - {"role", "content", "name", "weight", "tool_calls", "tool_call_id"}
        if extra:
            return [], f"message {index} has unknown keys {sorted(extra)}"
        content = _text(message.get("content"))
        if content is None and not message.get("tool_calls"):
            return [], f"message {index} ({role}) has no content"
        if role == "system":
            system = content
        elif role == "user":
            last_user = content
        elif role == "assistant" and last_user is not None and content is not None:
            examples.append(Example(last_user, content, obj.get("positive", positive) is not False, system))
    if not any(m.get("role") == "assistant" for m in messages if isinstance(m, dict)):
        return [], "no assistant message: each example needs at least one answer"
    if not examples:
        return [], "no user message before the assistant's answer"
    return examples, None


def parse_object(obj: Any, positive: bool) -> tuple[list[Example], str | None]:
    if not isinstance(obj, dict):
        return [], f"expected a JSON object, got {type(obj).__name__}"
    if "messages" in obj:
        return _from_chat(obj, positive)
    example, problem = _from_pair(obj, positive)
    return ([example] if example else []), problem


def _lines(stream: IO[bytes]) -> Iterator[tuple[int, str | None]]:
    """(line number, text) for each line; text None when the line is not UTF-8."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    for number, raw in enumerate(stream, 1):
        try:
            yield number, decoder.decode(raw, final=False).rstrip("\r\n")
        except UnicodeDecodeError:
            decoder.reset()
            yield number, None


class _Collector:
    def __init__(self, name: str):
        self.name = name
        self.examples: list[Example] = []
        self.problems: list[str] = []
        self.total_problems = 0

    def problem(self, line: int | None, reason: str) -> None:
        self.total_problems += 1
        if len(self.problems) < SHOWN_PROBLEMS:
            self.problems.append(f"{self.name}:{line}: {reason}" if line else f"{self.name}: {reason}")

    def add(self, examples: Iterable[Example]) -> None:
        # After the first problem nothing will be imported: stop keeping examples (constant memory).
        if self.total_problems == 0:
            self.examples.extend(examples)
            if len(self.examples) > MAX_EXAMPLES:
                self.problem(None, f"more than {MAX_EXAMPLES} examples; split the data")


def _read_jsonl(stream: IO[bytes], collector: _Collector, positive: bool) -> None:
    for number, line in _lines(stream):
        if line is None:
            collector.problem(number, "not UTF-8 text")
            continue
        if not line.strip():
            continue
        if len(line) > MAX_LINE_CHARS:
            collector.problem(number, f"the line is longer than {MAX_LINE_CHARS} characters")
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as error:
            collector.problem(number, f"not valid JSON: {error.msg} (column {error.colno})")
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
            collector.problem(1, f"the header must have 'prompt' and 'completion' columns (found {header})")
            return
        for row in reader:
            line = reader.line_num
            if None in row:
                collector.problem(line, "more values than columns (a comma inside a value needs quotes)")
                continue
            example, problem = _from_pair({k: v for k, v in row.items() if k in PAIR_KEYS and v is not None}
                                          | ({"positive": _csv_bool(row["positive"])} if row.get("positive") else {}),
                                          positive)
            if problem:
                collector.problem(line, problem)
            else:
                collector.add([example])  # type: ignore[list-item]
    except UnicodeDecodeError:
        collector.problem(None, "the file is not UTF-8 text")
    except csv.Error as error:
        collector.problem(None, f"not valid CSV: {error}")


def _csv_bool(value: str) -> bool | str:
    word = value.strip().lower()
    return {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}.get(word, value)


def _read_json_list(stream: IO[bytes], collector: _Collector, positive: bool) -> None:
    raw = stream.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        collector.problem(None, "the file is not UTF-8 text")
        return
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        collector.problem(error.lineno, f"not valid JSON: {error.msg} (column {error.colno})")
        return
    if not isinstance(data, list):
        collector.problem(1, "a .json file must hold a list of examples ([{...}, {...}])")
        return
    for index, obj in enumerate(data, 1):
        examples, problem = parse_object(obj, positive)
        if problem:
            collector.problem(None, f"item {index}: {problem}")
        else:
            collector.add(examples)


def _format_for(name: str, head: bytes) -> str:
    lower = name.lower()
    if lower.endswith(".csv"):
        return "csv"
    if lower.endswith(".jsonl"):
        return "jsonl"
    if lower.endswith(".json"):
        return "json"
    return "json" if head.lstrip().startswith(b"[") else "jsonl"


def read_stream(stream: IO[bytes], name: str, positive: bool = True, head: bytes = b"") -> list[Example]:
    collector = _Collector(name)
    {"csv": _read_csv, "jsonl": _read_jsonl, "json": _read_json_list}[_format_for(name, head)](
        stream, collector, positive)
    if collector.total_problems:
        raise DatasetError(collector.problems, collector.total_problems)
    if not collector.examples:
        raise DatasetError([f"{name}: no examples found"], 1)
    return collector.examples


def read_file(path: Path, name: str, positive: bool = True) -> list[Example]:
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise DatasetError([f"{name}: the file is {size / 1e9:.1f} GB; at most {MAX_FILE_BYTES / 1e9:.0f} GB"], 1)
    with path.open("rb") as stream:
        head = stream.read(64)
        stream.seek(0)
        return read_stream(stream, name, positive, head)


def read_bytes(data: bytes, name: str, positive: bool = True) -> list[Example]:
    if len(data) > MAX_FILE_BYTES:
        raise DatasetError([f"{name}: the file is too large"], 1)
    return read_stream(io.BytesIO(data), name, positive, data[:64])


def read_folder(folder: Path, label: str, positive: bool = True) -> list[Example]:
    """Every supported file in the folder (not following links); problems from all files together."""
    files = sorted(p for p in folder.rglob("*") if p.suffix.lower() in SUPPORTED_SUFFIXES
                   and p.is_file() and not p.is_symlink())
    if not files:
        raise DatasetError([f"{label}: no training files (.jsonl, .json, .csv) in this folder"], 1)
    examples: list[Example] = []
    problems: list[str] = []
    total = 0
    for path in files:
        name = f"{label.rstrip('/')}/{path.relative_to(folder).as_posix()}"
        try:
            examples.extend(read_file(path, name, positive))
        except DatasetError as error:
            problems.extend(error.facts["problems"])
            total += error.facts["total"]
    if total:
        raise DatasetError(problems, total)
    return examples
