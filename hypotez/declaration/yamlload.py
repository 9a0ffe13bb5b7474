"""Load YAML keeping the line and column of every node, and refusing duplicate keys.

PyYAML's composer gives each node its start mark; we build plain Python data from the nodes and a
:class:`Locations` table mapping each path (a tuple of keys and indexes) to where it was written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from hypotez.declaration.yamlmistakes import explain_syntax_error, indentation_hint
from hypotez.errors import HypotezError, SpecProblem

# A spec is a small hand-written file; anything far larger is a mistake (a wrong file, a paste).
MAX_SPEC_BYTES = 2_000_000
# Aliases can make a tiny file expand enormously ("billion laughs"): cap the nodes we build.
MAX_NODES = 200_000

try:  # libyaml's parser and composer are much faster when present; the node marks are the same
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader

Path_ = tuple[Any, ...]
_STR_TAG = "tag:yaml.org,2002:str"
_NULL_TAG = "tag:yaml.org,2002:null"
# ' #' followed at once by more than a space: meant as part of the text ('Rule #1', '#2ECC71'),
# not as a comment ('  # a comment').
_CUT_BY_COMMENT = re.compile(r"[ \t]+(?P<comment>#[^\s#].*)$")
_CUT_ANYWHERE = re.compile(r"[ \t]#[^\s#]")
_QUOTES = ('"', "'")


@dataclass(slots=True)
class Locations:
    """Where each value (and each mapping key) of the document was written. Lines/columns 1-based."""

    file: str
    values: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    # Silent traps, noted while building (hypotez.declaration.traps words them): a plain text or an
    # empty value followed on its line by '#' and more words, which YAML read as a comment → the
    # comment; a text in quotes written over several lines (YAML joins them) → how many lines.
    comments_after: dict[Path_, str] = field(default_factory=dict)
    joined_lines: dict[Path_, int] = field(default_factory=dict)

    def of_value(self, path: Path_) -> tuple[int, int]:
        """The position of the value at ``path``, or of its nearest located ancestor."""
        path = tuple(path)
        while path:
            if path in self.values:
                return self.values[path]
            path = path[:-1]
        return self.values.get((), (1, 1))

    def of_key(self, path: Path_) -> tuple[int, int]:
        """The position of the key that introduces ``path`` (falls back to the value)."""
        path = tuple(path)
        return self.keys.get(path) or self.of_value(path)

    def problem(self, path: Path_, message: str, hint: str | None = None, *, at_key: bool = False,
                severity: str = "error") -> SpecProblem:
        line, column = self.of_key(path) if at_key else self.of_value(path)
        return SpecProblem(self.file, line, column, message, hint, severity)


@dataclass(slots=True)
class LoadedYaml:
    data: Any
    locations: Locations
    problems: list[SpecProblem]


def _position(mark: yaml.Mark | None) -> tuple[int, int]:
    if mark is None:
        return (1, 1)
    return (mark.line + 1, mark.column + 1)


def _hint_for_yaml_error(error: yaml.YAMLError) -> str | None:
    text = str(error)
    if "'\\t'" in text or "\\t" in text:
        return "YAML does not allow tabs for indentation: indent with spaces"
    if "found unexpected end of stream" in text or "while scanning a quoted scalar" in text:
        return "a quote is not closed: add the closing quote on the same line"
    if "mapping values are not allowed here" in text:
        return "a value contains ': ' — put the whole value in quotes"
    if "special characters are not allowed" in text:
        return "the file contains control characters: is it really a YAML text file?"
    if "did not find expected key" in text or "did not find expected '-' indicator" in text:
        return "check the indentation: this line is indented differently from the lines around it"
    if "could not find expected ':'" in text:
        return "each line of a mapping needs 'key: value'; check the indentation of this line"
    return None


def _yaml_error_problem(file: str, error: yaml.YAMLError, text: str = "") -> SpecProblem:
    context = getattr(error, "context", None) or ""
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    if "quoted scalar" in context and getattr(error, "context_mark", None) is not None:
        mark = error.context_mark  # point at the opening quote, not at the end of the file
    line, column = _position(mark)
    if isinstance(error, yaml.reader.ReaderError):
        character = error.character
        if isinstance(character, int):
            character = chr(character)
        problem = f"character U+{ord(character):04X} is not allowed in YAML" if character else str(error)
        return SpecProblem(file, line, column, problem, _hint_for_yaml_error(error))
    problem = getattr(error, "problem", None) or str(error)
    if "could not determine a constructor for the tag" in problem and mark is not None:
        tag = problem.split("'")[1] if "'" in problem else "!"
        written = text.split("\n")[line - 1][column - 1:].split(" #")[0].strip() if text else tag
        quoted = f'"{written}"' if '"' not in written else "'" + written.replace("'", "''") + "'"
        return SpecProblem(file, line, column, f"a text starting with '{tag[:1]}' must be in quotes (YAML reads "
                                               f"'{tag}' as a tag)", f"write it in quotes: {quoted}")
    message = f"YAML syntax error: {problem}" + (f" ({context})" if context else "")
    hint = _hint_for_yaml_error(error)
    if mark is not None and text and 0 <= mark.index < len(text) and text[mark.index] == "\t":
        hint = "YAML does not allow tabs for indentation: indent with spaces"
    elif hint and hint.startswith("check the indentation") and mark is not None and text:
        lined_up = indentation_hint(text.split("\n"), mark.line)
        if lined_up:
            message, hint = "this line is indented differently from every key above it", lined_up
    return SpecProblem(file, line, column, message, hint)


class _TooBig(HypotezError):
    pass


class _Builder:
    """Turns a node tree into plain data, recording positions and duplicate keys."""

    def __init__(self, file: str, text: str = ""):
        self.locations = Locations(file)
        self._lines = text.split("\n") if text else []
        # The lines where ' #' is followed at once by more than a space: the only ones where a text
        # can have been cut by a comment (most lines have none, so most texts cost one set look-up).
        self._cut_lines = {number for number, line in enumerate(self._lines)
                           if "#" in line and _CUT_ANYWHERE.search(line)}
        self.problems: list[SpecProblem] = []
        self._constructor = _Loader("")  # only used to construct scalars with YAML 1.1 rules
        self._count = 0

    def build(self, node: yaml.Node, path: Path_) -> Any:
        self._count += 1
        if self._count > MAX_NODES:
            raise _TooBig
        self.locations.values[path] = _position(node.start_mark)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, path + (index,)) for index, item in enumerate(node.value)]
        if node.tag == _STR_TAG:
            if node.style:
                if node.style in _QUOTES and node.end_mark.line != node.start_mark.line:
                    self.locations.joined_lines[path] = node.end_mark.line - node.start_mark.line + 1
            elif node.end_mark.line in self._cut_lines:
                self._note_cut(node, path)
            return node.value  # what the constructor would return for a text, without its dispatch
        if node.tag == _NULL_TAG and node.end_mark.line in self._cut_lines:
            self._note_cut(node, path)
        return self._constructor.construct_object(node, deep=True)

    def _note_cut(self, node: yaml.ScalarNode, path: Path_) -> None:
        end = node.end_mark
        cut = _CUT_BY_COMMENT.match(self._lines[end.line][end.column:])
        if cut:
            self.locations.comments_after[path] = cut["comment"].rstrip()

    def _mapping(self, node: yaml.MappingNode, path: Path_) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        first_seen: dict[Any, tuple[int, int]] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                merged = self.build(value_node, path + ("<<",))
                for item in merged if isinstance(merged, list) else [merged]:
                    if isinstance(item, dict):
                        for k, v in item.items():
                            result.setdefault(k, v)
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                line, column = _position(key_node.start_mark)
                self.problems.append(SpecProblem(self.locations.file, line, column,
                                                 "a mapping key must be a plain word, not a list or mapping"))
                continue
            key = key_node.value if key_node.tag == _STR_TAG else self._constructor.construct_object(key_node)
            if not isinstance(key, str):
                key = str(key) if key is not None else "null"
            key_position = _position(key_node.start_mark)
            if key in first_seen:
                first_line = first_seen[key][0]
                self.problems.append(SpecProblem(
                    self.locations.file, *key_position,
                    f"duplicate key {key!r} (first written on line {first_line})",
                    "YAML keeps only the last one: remove or rename one of them",
                ))
                continue
            first_seen[key] = key_position
            self.locations.keys[path + (key,)] = key_position
            result[key] = self.build(value_node, path + (key,))
        return result


def load_yaml(text: str | bytes, file: str) -> LoadedYaml:
    """Parse ``text``; never raises for bad input: problems are returned, located."""
    locations = Locations(file)
    if isinstance(text, bytes):
        if len(text) > MAX_SPEC_BYTES:
            return LoadedYaml(None, locations, [SpecProblem(
                file, 1, 1, f"the file is {len(text) / 1_000_000:.1f} MB; a spec may be at most "
                            f"{MAX_SPEC_BYTES // 1_000_000} MB", "is this the right file?")])
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            before = text[: error.start]
            line = before.count(b"\n") + 1
            column = error.start - (before.rfind(b"\n") + 1) + 1
            return LoadedYaml(None, locations, [SpecProblem(
                file, line, column, f"the file is not UTF-8 text (byte 0x{text[error.start]:02x})",
                "save the file as UTF-8; is it really the YAML spec?")])
    if "\x00" in text:
        before = text[: text.index("\x00")]
        line = before.count("\n") + 1
        column = len(before) - (before.rfind("\n") + 1) + 1
        return LoadedYaml(None, locations, [SpecProblem(
            file, line, column, "the file contains a NUL byte", "is it really the YAML spec (a text file)?")])
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as error:
        problem = _yaml_error_problem(file, error, text)
        gave_up = getattr(error, "problem_mark", None)
        if gave_up is not None and not isinstance(error, yaml.reader.ReaderError) and "tabs" not in (problem.hint or ""):
            try:
                mistake = explain_syntax_error(text, gave_up.line)
            except RecursionError:  # a pathological file: PyYAML's own words will do
                mistake = None
            if mistake is not None:
                problem = SpecProblem(file, mistake.line, mistake.column, mistake.message, mistake.hint)
        if isinstance(error, yaml.reader.ReaderError):
            before = text[: error.position]
            line = before.count("\n") + 1
            column = len(before) - (before.rfind("\n") + 1) + 1
            problem = SpecProblem(file, line, column, problem.message, problem.hint)
        return LoadedYaml(None, locations, [problem])
    except RecursionError:
        return LoadedYaml(None, locations, [SpecProblem(file, 1, 1, "the file is nested too deeply to be a spec")])
    if node is None:
        return LoadedYaml(None, locations, [])
    builder = _Builder(file, text)
    try:
        data = builder.build(node, ())
    except yaml.YAMLError as error:  # e.g. a scalar that cannot be constructed (bad timestamp)
        return LoadedYaml(None, builder.locations, builder.problems + [_yaml_error_problem(file, error, text)])
    except RecursionError:
        return LoadedYaml(None, builder.locations, [SpecProblem(file, 1, 1, "the file is nested too deeply to be a spec")])
    except _TooBig:
        return LoadedYaml(None, builder.locations, [SpecProblem(
            file, 1, 1, f"the file expands to more than {MAX_NODES} values (through aliases?)",
            "a spec this large is a mistake: check the anchors (&) and aliases (*)")])
    return LoadedYaml(data, builder.locations, builder.problems)
