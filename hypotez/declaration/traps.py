"""Warnings for what YAML accepts silently but the author did not mean (issue 13's "silent traps").

They do not stop a spec: each is a warning at its line, with what to write instead. The positions
come from the YAML loader (hypotez.declaration.yamlload notes them while building the data)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from hypotez.errors import SpecProblem
from hypotez.declaration.yamlload import Locations

HELP = "help"
TEMPLATE_SUFFIXES = (".j2", ".jinja", ".jinja2")


def not_a_spec(path: Path, file: str) -> SpecProblem:
    """`hypotez validate templates/ru/hi.j2`: a template given where the spec is expected."""
    spec = next((folder / "commands.yaml" for folder in path.resolve().parents
                 if (folder / "commands.yaml").is_file()), None)
    shown = Path(os.path.relpath(spec)).as_posix() if spec is not None else "commands.yaml"
    return SpecProblem(file, 1, 1, "this is a template, not the spec (commands.yaml)",
                       f"validate the spec, which checks its templates too: hypotez validate {shown}")


def _quoted(text: str) -> str:
    return f'"{text}"' if '"' not in text else "'" + text.replace("'", "''") + "'"


def _lead(path: tuple[Any, ...]) -> str:
    return f"{path[-1]}: " if path and isinstance(path[-1], str) else "- "


def empty_value_hint(locations: Locations, path: tuple[Any, ...]) -> str | None:
    """For an empty value that was a '#…' YAML took for a comment (`color: #2ECC71`): what to write."""
    comment = locations.comments_after.get(tuple(path))
    if comment is None:
        return None
    return f"'#' starts a comment, so the value is empty: put it in quotes: {_lead(path)}{_quoted(comment)}"


def trap_warnings(data: Any, locations: Locations, problems: list[SpecProblem]) -> list[SpecProblem]:
    """The silent traps of a loaded spec, as warnings (none where an error is already reported)."""
    taken = {(p.line, p.column) for p in problems if p.severity == "error"}
    warnings: list[SpecProblem] = []

    def warn(path: tuple[Any, ...], message: str, hint: str, *, at_key: bool = False) -> None:
        problem = locations.problem(path, message, hint, at_key=at_key, severity="warning")
        if (problem.line, problem.column) not in taken:
            warnings.append(problem)

    for path, comment in locations.comments_after.items():
        value = _value_at(data, path)
        if value is None:
            warn(path, f"this value is empty: '#' starts a comment, so '{comment}' is not read",
                 f"put it in quotes: {_lead(path)}{_quoted(comment)}")
        elif isinstance(value, str):
            warn(path, f"the text stops before ' {comment}': YAML reads ' #' as the start of a comment, "
                       f"so the text is only {value!r}",
                 f"put the whole text in quotes: {_lead(path)}{_quoted(f'{value} {comment}')}")
    for path, count in locations.joined_lines.items():
        if isinstance(_value_at(data, path), str):
            warn(path, f"this text in quotes is written over {count} lines, and YAML joins them into one line",
                 f"to keep the line breaks, write '{_lead(path).strip()} |' and the lines below it, indented, "
                 "without quotes")
    commands = data.get("commands") if isinstance(data, dict) else None
    for name, command in (commands or {}).items() if isinstance(commands, dict) else ():
        if name == HELP:
            warn(("commands", name), "command 'help' replaces the built-in help (the list of every command)",
                 "if you want the built-in list, rename this command (e.g. 'guide')", at_key=True)
        aliases = command.get("aliases") if isinstance(command, dict) else None
        for index, alias in enumerate(aliases if isinstance(aliases, list) else []):
            if alias == HELP:
                warn(("commands", name, "aliases", index), f"the alias 'help' of command '{name}' replaces "
                     "the built-in help (the list of every command)",
                     "if you want the built-in list, remove 'help' from the aliases")
    return warnings


def _value_at(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        if isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(data, list) and isinstance(part, int) and part < len(data):
            data = data[part]
        else:
            return None
    return data
