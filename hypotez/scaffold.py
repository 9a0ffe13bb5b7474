"""``hypotez new command NAME``: add a commented command entry and its template, ready to edit.

The entry's text is inserted right after the last command, with the file's own indentation and line
endings; every other byte of the file stays as it was (comments, anchors, blank lines). The result is
validated before anything is written: a refused change leaves the spec and the templates untouched.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from hypotez.declaration.names import SLASH_NAME_RULE, name_ok, slash_name_hint, slash_name_ok
from hypotez.i18n import counted
from hypotez.errors import HypotezError, SpecError, SpecProblem
from hypotez.declaration.loader import read_spec_file
from hypotez.registry import load_spec_text
from hypotez.declaration.model import Spec
from hypotez.services.durable import atomic_write

# YAML 1.1 line breaks (what PyYAML counts lines by).
_LINE_BREAK = re.compile(r"\r\n|\r|\n|\x85|\u2028|\u2029")

_DESCRIPTION = {
    "ru": "Что делает !{name} (одна строка, видна в справке)",
    "en": "What !{name} does (one line, shown in help)",
}
_TEMPLATE = {
    "ru": "{{# Ответ на {prefix}{name}. Можно использовать {{{{ user }}}}, {{{{ channel }}}}, {{{{ server }}}}, "
          "{{{{ date }}}}, {{{{ time }}}} и аргументы команды по имени. #}}\n"
          "Это ответ команды `{{{{ prefix }}}}{name}`, {{{{ user }}}}. Его можно изменить в файле "
          "templates/ru/{name}.j2.\n",
    "en": "{{# The answer to {prefix}{name}. You can use {{{{ user }}}}, {{{{ channel }}}}, {{{{ server }}}}, "
          "{{{{ date }}}}, {{{{ time }}}} and the command's arguments by name. #}}\n"
          "This is the answer of `{{{{ prefix }}}}{name}`, {{{{ user }}}}. Change it in "
          "templates/{language}/{name}.j2.\n",
}

_ENTRY = """{i}{name}:  # added by `hypotez new command`: edit it, then check with `hypotez validate`
{i}  description: {description}
{i}  # aliases: [other_name]            # other names that run it too
{i}  # arguments:                       # what people type after the command, in this order
{i}  #   who:
{i}  #     type: text                   # text, integer, number, boolean, choice, member, channel, ...
{i}  #     required: false
{i}  #     description: whom it is about
{i}  # permissions: {{roles: [Moderator]}}  # who may use it (everyone, when left out)
{i}  # cooldown: {{rate: 3, per: 60}}       # at most 3 uses per 60 seconds per person
{i}  # where: guild                     # any (the default), guild (servers only) or dm
{i}  reply: {name}  # the answer: templates/<language>/{name}.j2
"""


class NewCommandRefused(HypotezError):
    def __init__(self, message: str, hint: str | None = None, problems: list[SpecProblem] | None = None):
        self.message = message
        self.hint = hint
        self.problems = problems or []
        super().__init__(message)

    def format_message(self) -> str:
        lines = [self.message] + [p.format() for p in self.problems]
        if self.hint:
            lines.append(self.hint)
        return "\n".join(lines)


@dataclass(slots=True)
class AddedCommand:
    name: str
    spec_file: str
    line: int
    spec: Spec
    templates: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)

    def report(self) -> list[str]:
        settings = self.spec.settings
        commands = [c for c in self.spec.commands if not c.builtin]
        lines = [f"added command '{self.name}' to {self.spec_file} (line {self.line})"]
        if self.templates:
            lines.append("created " + ", ".join(self.templates))
        if self.kept:
            lines.append("kept the existing " + ", ".join(self.kept))
        count = len(self.spec.warnings)
        warnings = f", {counted(count, 'warning')}" if count else ""
        lines.append(f"{self.spec_file}: OK — {counted(len(commands), 'command')}{warnings}")
        lines.append(f"next: edit its description ({self.spec_file}:{self.line + 1}) and its answer "
                     f"(templates/{settings.language}/{self.name}.j2), then try it: "
                     f"printf '{settings.prefix}{self.name}\\n' | hypotez console")
        return lines


def _check_name(name: str, slash: bool | None = None) -> None:
    """The rules validate applies to a hand-written command (hypotez.declaration.names); ``slash``:
    whether the new command is a slash command too (the bot's default), once the spec is read."""
    if not name_ok(name) or "/" in name or "\\" in name or name.startswith("."):
        raise NewCommandRefused(f"command name '{name}' is not allowed",
                                "a command name is one word without spaces (at most 64 characters), e.g. "
                                "server_info or погода")
    if slash and not slash_name_ok(name):
        raise NewCommandRefused(f"'{name}' cannot be a slash command name: {SLASH_NAME_RULE}",
                                slash_name_hint(name).split(", or set")[0] + " (or set 'slash: false' under "
                                "'bot:' to make commands prefix-only)")


def _insertion_line(text: str, file: str) -> tuple[int, int, int]:
    """(the 0-based line after which the new entry goes, the indentation of command names, and how
    much further their keys are indented)."""
    root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    commands = next((value for key, value in root.value if key.value == "commands"), None) \
        if isinstance(root, yaml.MappingNode) else None
    if not isinstance(commands, yaml.MappingNode) or not commands.value:
        raise NewCommandRefused(f"{file} has no 'commands:' section with commands in it",
                                "start it with 'commands:' and one command (see docs/guide.md)")
    if commands.flow_style:
        raise NewCommandRefused(f"the commands in {file} are written on one line ({{...}})",
                                "write them one under the other ('name:' lines), then try again")
    last = 0
    stack: list[yaml.Node] = [commands]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.ScalarNode) or getattr(node, "flow_style", False):
            end = node.end_mark
            last = max(last, end.line - 1 if end.column == 0 and end.line > node.start_mark.line else end.line)
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack += [key, value]
        elif isinstance(node, yaml.SequenceNode):
            stack += node.value
    first_key, first_value = commands.value[0]
    step = 2
    if isinstance(first_value, yaml.MappingNode) and first_value.value and not first_value.flow_style:
        step = max(1, first_value.value[0][0].start_mark.column - first_key.start_mark.column)
    return last, first_key.start_mark.column, step


def add_command(spec_path: Path, name: str, *, display_name: str | None = None) -> AddedCommand:
    file = display_name or str(spec_path)
    _check_name(name)
    data = read_spec_file(spec_path)
    try:
        spec = load_spec_text(data, path=spec_path, display_name=file)
    except SpecError as error:
        raise NewCommandRefused(f"{file} has problems already; fix them first (hypotez validate {file}):",
                                problems=error.errors) from None
    _check_name(name, spec.settings.slash)
    for command in spec.commands:
        if name in command.names and not command.builtin:
            where = f" (line {command.location.line})" if command.location else ""
            raise NewCommandRefused(f"'{name}' is already {'a command' if name == command.name else 'an alias of command ' + repr(command.name)}{where}",
                                    "choose another name")
        if name in command.names:
            raise NewCommandRefused(f"'{name}' is hypotez's own command", "choose another name")

    bom = data.startswith(codecs.BOM_UTF8)
    text = data.decode("utf-8-sig")
    newline = "\r\n" if "\r\n" in text else "\n"
    last_line, indent, step = _insertion_line(text, file)
    pieces = _LINE_BREAK.split(text)
    breaks = _LINE_BREAK.findall(text)
    # Character offset of the end of the last command's last line (after its line break).
    offset = sum(len(p) for p in pieces[:last_line + 1]) + sum(len(b) for b in breaks[:last_line + 1])
    before = text[:offset]
    if before and not _LINE_BREAK.search(before[-1]):
        before += newline
    language = spec.settings.language
    entry = _ENTRY.replace("{i}  ", "{i}{s}").format(i=" " * indent, s=" " * step, name=name,
                          description=_DESCRIPTION.get(language, _DESCRIPTION["en"]).format(name=name)
                          .replace("!", spec.settings.prefix, 1))
    entry = entry.replace("\n", newline)
    new_line = len(_LINE_BREAK.findall(before)) + 1
    if before.strip() and not before.endswith(newline * 2):
        entry = newline + entry  # a blank line between commands, like the rest of the file
        new_line += 1
    new_text = before + entry + text[offset:]
    new_data = (codecs.BOM_UTF8 if bom else b"") + new_text.encode("utf-8")

    templates_dir = spec.templates_dir
    created: list[Path] = []
    kept: list[str] = []
    try:
        for lang in spec.settings.languages:
            target = templates_dir / lang / f"{name}.j2"
            shown = f"templates/{lang}/{name}.j2"
            if target.exists():
                kept.append(shown)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(_TEMPLATE.get(lang, _TEMPLATE["en"]).format(name=name, prefix=spec.settings.prefix,
                                                                          language=lang), encoding="utf-8")
            created.append(target)
        try:
            new_spec = load_spec_text(new_data, path=spec_path, display_name=file)
        except SpecError as error:
            raise NewCommandRefused(f"adding '{name}' would break {file}; nothing was changed:",
                                    problems=error.errors) from None
        _write_atomically(spec_path, new_data)
    except BaseException:
        for path in created:
            path.unlink(missing_ok=True)
        raise
    return AddedCommand(name, file, new_line, new_spec,
                        [f"templates/{p.parent.name}/{p.name}" for p in created], kept)


def _write_atomically(path: Path, data: bytes) -> None:
    """Replace the file in one step: an interrupted write never leaves half a spec."""
    with atomic_write(path, "wb", permissions=path.stat().st_mode & 0o7777) as handle:
        handle.write(data)
