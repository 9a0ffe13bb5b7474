"""Checking the answers written in the spec (``text:`` / ``embed:``): every text compiles, a
template-only command uses no name it cannot know (``{{ usr }}``), and Discord's embed limits hold
wherever a text is fixed (texts with ``{{ }}`` are checked when the reply is sent).
"""

from __future__ import annotations

from difflib import get_close_matches
from pathlib import Path
from typing import Any, Callable, Mapping

import jinja2
from jinja2 import meta, nodes

from hypotez.template_hints import syntax_hint
from hypotez import embeds as limits
from hypotez.registry.template_names import NameScope, check_text, command_scope
from hypotez.declaration.model import ANY_LANGUAGE, CommandSpec, EmbedSpec, Settings, pick_language

Add = Callable[..., None]  # RegistryChecker.add(path, message, hint=None, *, at_key=True, severity="error")
_JINJA_MARKERS = ("{{", "{%", "{#")
# The bot's memory ({{ state.member.points }}): its keys are checked with the events (declaration.events_checks).
STATE_NAME = "state"


def is_static(source: str) -> bool:
    return not any(marker in source for marker in _JINJA_MARKERS)


def undeclared_names(env: jinja2.Environment, source: str | nodes.Template,
                     unknown: frozenset[str] | None = None) -> list[tuple[str, int]]:
    """Names a template reads but neither sets itself nor gets from Jinja: (name, line of first use).
    ``source`` is the template's text, or its syntax tree when it has been parsed already; ``unknown``
    the names it reads, when its compilation found them already."""
    tree = env.parse(source) if isinstance(source, str) else source
    if unknown is None:
        unknown = frozenset(meta.find_undeclared_variables(tree) - set(env.globals))
    first: dict[str, int] = {}
    for node in tree.find_all(nodes.Name):
        if node.name in unknown and node.ctx == "load":
            first.setdefault(node.name, node.lineno)
    return sorted(first.items(), key=lambda item: (item[1], item[0]))


class InlineChecker:
    """Checks one command's ``text:`` / ``embed:``; problems go through the loader's ``add``."""

    def __init__(self, add: Add, env: jinja2.Environment, settings: Settings,
                 scope_of: Callable[[CommandSpec], NameScope] | None = None):
        self.add = add
        self.env = env
        self.settings = settings
        # What a command's texts are given (its handler's declared data): handlers resolved by the caller.
        self.scope_of = scope_of or (lambda command: command_scope(f"command '{command.name}'", command.arguments,
                                                                   None, command.handler is not None))

    def check(self, command: CommandSpec, raw: Mapping[str, Any]) -> None:
        inline = command.inline
        path = command.path
        if inline is None:
            return
        if "reply" in raw:
            self.add(path + ("reply",), f"command '{command.name}' has both 'reply' (template files) and "
                                        f"'{'text' if 'text' in raw else 'embed'}' (the answer written here)",
                     "keep one of them: 'text'/'embed' for an answer written in this file, 'reply' for "
                     "templates in templates/<language>/")
        known = self.scope_of(command)
        arguments = [a.name for a in command.arguments]
        if "text" in raw:
            raw_text = raw["text"]
            per_language = isinstance(raw_text, dict)
            self._languages(path + ("text",), f"the text of command '{command.name}'",
                            inline.texts if per_language else {})
            for language, sources in inline.texts.items():
                base = path + ("text",) + ((language,) if per_language else ())
                many = not isinstance(raw_text[language] if per_language else raw_text, str)
                for index, source in enumerate(sources):
                    self._source(base + ((index,) if many else ()), source, f"the text of command '{command.name}'",
                                 known, arguments)
        if inline.embed is not None:
            self._embed(path + ("embed",), command, raw["embed"], inline.embed, known, arguments)

    def _languages(self, path: tuple[Any, ...], what: str, texts: Mapping[str, Any]) -> None:
        if not texts:
            return
        allowed = self.settings.languages
        for language in texts:
            if language not in allowed:
                close = get_close_matches(language, allowed, n=1)
                self.add(path + (language,), f"'{language}' in {what} is not one of the bot's languages "
                                             f"({', '.join(allowed)})",
                         f"did you mean '{close[0]}'?" if close else
                         f"add '{language}' to 'languages:' under 'bot:'")
        for language in allowed:
            if language not in texts:
                fallback = self.settings.language if self.settings.language in texts else next(iter(texts))
                self.add(path, f"{what} has no '{language}' translation; the '{fallback}' one is used",
                         f"add '{language}: ...' next to the others", severity="warning")

    def _source(self, path: tuple[Any, ...], source: str, what: str, known: NameScope,
                arguments: list[str]) -> None:
        try:
            undeclared_names(self.env, source)  # compiles it: unknown filters and tests are found here
        except jinja2.TemplateSyntaxError as error:
            line = f" (line {error.lineno} of the text)" if source.count("\n") and error.lineno else ""
            self.add(path, f"{what} does not compile: {error.message}{line}",
                     syntax_hint(error.message or "", self.env) or
                     "check the {{ }} and {% %} pairs: every one that opens must close", at_key=False)
            return
        except RecursionError:
            self.add(path, f"{what} is nested too deeply to be a template", at_key=False)
            return
        if is_static(source):
            return
        check_text(self.env, source, what, known, lambda message, hint: self.add(path, message, hint, at_key=False))

    def _embed(self, path: tuple[Any, ...], command: CommandSpec, raw: Mapping[str, Any], embed: EmbedSpec,
               known: NameScope, arguments: list[str]) -> None:
        what = f"the embed of command '{command.name}'"
        if "color" in raw and limits.parse_color(embed.color) is None:
            self.add(path + ("color",), f"'color' of {what} is not a colour: {raw['color']!r}",
                     "write it as '#5865F2' (in quotes) or a colour name: " + ", ".join(sorted(limits.COLORS)),
                     at_key=False)
        if not any(key in raw for key in ("title", "description", "fields", "footer", "image", "thumbnail")):
            self.add(path, f"{what} shows nothing", "give it a title, a description, fields or an image")
        if len(embed.fields) > limits.FIELDS_MAX:
            self.add(path + ("fields",), f"{what} has {len(embed.fields)} fields; Discord allows "
                                         f"{limits.FIELDS_MAX}", "remove some, or put them in the description")
        texts: list[tuple[tuple[Any, ...], str, Mapping[str, str], int | None]] = []
        for key, limit in (("title", limits.TITLE_MAX), ("description", limits.DESCRIPTION_MAX),
                           ("footer", limits.FOOTER_MAX), ("url", None), ("image", None), ("thumbnail", None)):
            value = getattr(embed, key)
            if value is not None:
                texts.append((path + (key,), f"the {key} of {what}", value, limit))
        for number, (item, item_raw) in enumerate(zip(embed.fields, raw.get("fields") or ()), 1):
            fpath = path + ("fields", number - 1)
            texts.append((fpath + ("name",), f"the name of field {number} of {what}", item.name,
                          limits.FIELD_NAME_MAX))
            texts.append((fpath + ("value",), f"the value of field {number} of {what}", item.value,
                          limits.FIELD_VALUE_MAX))
        for tpath, label, value, limit in texts:
            key = tpath[-1]
            per_language = len(value) > 1 or ANY_LANGUAGE not in value
            self._languages(tpath, label, value if per_language else {})
            for language, source in value.items():
                spath = tpath + ((language,) if per_language else ())
                self._source(spath, source, label, known, arguments)
                if not is_static(source):
                    continue  # checked when the reply is sent
                text = source.strip()
                if limit is not None and len(text) > limit:
                    self.add(spath, f"{label} is {len(text):,} characters; Discord allows {limit:,}",
                             "shorten it" + (" (long text belongs in the description)" if key == "title" else ""),
                             at_key=False)
                if key in ("url", "image", "thumbnail") and not text.startswith(("http://", "https://")):
                    self.add(spath, f"{label} must be an http(s) link, not {text!r}", at_key=False)
                if key in ("name", "value") and not text:
                    self.add(spath, f"{label} is empty; Discord refuses empty fields", at_key=False)
        # The 6,000-character total, per language, when every counted text is fixed.
        counted = [value for tpath, _, value, _ in texts if tpath[-1] not in ("url", "image", "thumbnail")]
        for language in self.settings.languages:
            sources = [pick_language(value, language, self.settings.language) for value in counted]
            if all(is_static(source) for source in sources):
                total = sum(len(source.strip()) for source in sources)
                if total > limits.TOTAL_MAX:
                    self.add(path, f"all the texts of {what} together are {total:,} characters"
                                   f"{f' in {language}' if len(self.settings.languages) > 1 else ''}; "
                                   f"Discord allows {limits.TOTAL_MAX:,}", "shorten them, or split the answer")
                    break


def template_path(filename: str, base: Path) -> str:
    try:
        return Path(filename).resolve().relative_to(base).as_posix()
    except ValueError:
        return filename
