"""Replies are rendered from Jinja templates in a sandbox.

Look-up order for template ``name`` in language ``lang``: the spec's ``templates/<lang>/``, then
``templates/<default language>/``, then ``templates/``, then hypotez's built-in templates (help and
error replies) in the same language order. User text is always data, never template source.
"""

from __future__ import annotations

import io
import threading
import traceback
from functools import partial
from pathlib import Path
from typing import Any, Iterable, NamedTuple, TypeAlias

import jinja2
from jinja2.compiler import CodeGenerator, Frame
from jinja2.idtracking import VAR_LOAD_RESOLVE
from jinja2.sandbox import ImmutableSandboxedEnvironment

from hypotez.errors import BadReply, HypotezError
from hypotez.i18n import (format_date, format_datetime, format_list, format_number, format_seconds, format_size,
                          plural)
from hypotez.interpolation import Interpolation
from hypotez.reasons import Reason

BUILTIN_TEMPLATES = Path(__file__).parent / "builtin_templates"
TEMPLATE_SUFFIX = ".j2"


class TemplateMissing(HypotezError, LookupError):
    def __init__(self, name: str, language: str, searched: list[str]):
        self.name = name
        self.language = language
        self.searched = searched
        super().__init__(f"template {name!r} not found (looked in {', '.join(searched)})")


class TemplateFailed(BadReply):
    """A template that failed while it rendered: a name or attribute its data lacks (``{{ nmae }}``), a
    filter given what it cannot take. The spec's author must act: the log names the template's FILE:LINE,
    the person gets the short ``bad_reply`` apology, never a traceback."""

    def __init__(self, location: str | None, problem: str, command: str = ""):
        self.problem = problem
        super().__init__(command, [problem], location)

    def of_command(self, command: str, location: str | None = None) -> "TemplateFailed":
        """The same failure, naming the command whose answer it was (and where, when the text is the spec's)."""
        return TemplateFailed(self.location or location, self.problem, command)

    def template_data(self) -> dict[str, Any]:
        reason = Reason("template.failed")
        return {"reason": reason, "reasons": [reason]}


# What a template's mistakes raise while rendering (an included template missing is a LookupError).
_RENDER_FAILURES = (jinja2.TemplateError, TypeError, ValueError, AttributeError, LookupError, ArithmeticError)


def _failed_line(error: BaseException, filename: str) -> int | None:
    """The template line that raised: Jinja rewrites the traceback so a template's frames carry its file
    name and its own line numbers."""
    line = None
    for frame, lineno in traceback.walk_tb(error.__traceback__):
        if frame.f_code.co_filename == filename:
            line = lineno
    return line


class _Utf8Loader(jinja2.FileSystemLoader):
    """Template files as UTF-8 text, without the byte-order mark some editors put first (it would open
    every reply with an invisible U+FEFF)."""

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str | None, Any]:
        source, filename, uptodate = super().get_source(environment, template)
        return source.removeprefix("\ufeff"), filename, uptodate


def _search_path(templates_dir: Path, language: str, default_language: str) -> list[Path]:
    languages = [language] if language == default_language else [language, default_language]
    if "en" not in languages:
        languages.append("en")
    folders = [templates_dir / lang for lang in languages] + [templates_dir]
    folders += [BUILTIN_TEMPLATES / lang for lang in languages] + [BUILTIN_TEMPLATES]
    return folders


def _dates(language: str):
    """The ``datetime`` filter: ``{{ now | datetime }}``, ``{{ now | datetime('short') }}``."""
    return lambda moment, format="medium": format_datetime(moment, language, format=format)


def _day(language: str):
    """The ``date`` filter: ``{{ server.created | date }}`` → 01.12.2026 in Russian; ``date('long')``,
    ``date('dd MMMM')`` (CLDR's names and patterns). Takes dates, datetimes and ISO texts."""
    return lambda moment, format="short": format_date(moment, language, format=format)


def _sentence(text: Any) -> str:
    """Start a reason with a capital letter when it opens a reply (``capitalize`` would lower the rest:
    names, ids, quoted values)."""
    text = str(text)
    return text[:1].upper() + text[1:]


def _code(text: Any) -> str:
    """Show user text inside inline code without letting it break out of the backticks."""
    return "`" + str(text).replace("`", "ˋ") + "`"


# What a template becomes: its text when it has no expressions, an interpolation when it has only names
# (hypotez.interpolation), else the Jinja template.
Compiled: TypeAlias = "jinja2.Template | Interpolation | str"


class Parsed(NamedTuple):
    source: str
    filename: str
    tree: jinja2.nodes.Template
    # The names it reads from its data (what jinja2.meta.find_undeclared_variables returns).
    undeclared: frozenset[str]


class _TrackingGenerator(CodeGenerator):
    """Jinja's code generator, noting the names the template reads from its data as it compiles: what
    jinja2.meta.find_undeclared_variables finds (it runs this same generator), without a second pass."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.undeclared: set[str] = set()

    def enter_frame(self, frame: Frame) -> None:
        super().enter_frame(frame)
        for _, (action, param) in frame.symbols.loads.items():
            if action == VAR_LOAD_RESOLVE and param not in self.environment.globals:
                self.undeclared.add(param)


def _generate(env: jinja2.Environment, tree: jinja2.nodes.Template, name: str | None,
              filename: str | None) -> tuple[Any, frozenset[str]]:
    """What ``env.compile(tree)`` does (Python code from the tree), and the names the template reads."""
    stream = io.StringIO()
    generator = _TrackingGenerator(env, name, filename, stream, False, env.optimized)
    generator.visit(tree)
    return compile(stream.getvalue(), filename or "<template>", "exec"), frozenset(generator.undeclared)


def _self_contained(tree: jinja2.nodes.Template) -> bool:
    """Whether a template pulls in no other: another could read anything, so only then are the names it
    reads known."""
    return not any(tree.find_all((jinja2.nodes.Include, jinja2.nodes.Import, jinja2.nodes.FromImport,
                                  jinja2.nodes.Extends)))


class _Environment(ImmutableSandboxedEnvironment):
    """Jinja's sandbox with each template's globals in a plain dictionary. Jinja layers them over the
    environment's in a ChainMap, which every render flattens twice (~10 µs, a tenth of a reply's whole
    cost in the bot). The copy is the same: hypotez sets its globals before it compiles any template."""

    def make_globals(self, d: Any = None) -> Any:
        return {**self.globals, **(d or {})}


class Renderer:
    def __init__(self, templates_dir: Path, default_language: str = "en"):
        self.templates_dir = Path(templates_dir)
        self.default_language = default_language
        self._environments: dict[str, ImmutableSandboxedEnvironment] = {}
        self._lock = threading.Lock()
        # (language, name) → the compiled template, or its text when it has no expressions at all:
        # plain replies then cost a dictionary look-up instead of a Jinja render.
        self._compiled: dict[tuple[str, str], Compiled] = {}
        # (language, name) → the variables a compiled template reads, when that is known for sure.
        self._reads: dict[tuple[str, str], frozenset[str]] = {}
        # (language, name) → (source, file, tree), kept while the registry checks what it compiled.
        self._sources: dict[tuple[str, str], Parsed] = {}

    def environment(self, language: str) -> "_Environment":
        with self._lock:
            env = self._environments.get(language)
            if env is None:
                folders = [str(p) for p in _search_path(self.templates_dir, language, self.default_language)]
                env = _Environment(
                    loader=_Utf8Loader(folders),
                    undefined=jinja2.StrictUndefined,
                    autoescape=False,
                    trim_blocks=True,
                    lstrip_blocks=True,
                    keep_trailing_newline=False,
                    auto_reload=False,
                )
                words = partial(plural, language=language)  # the one CLDR engine, in this language
                env.filters["plural"] = words
                env.filters["filesize"] = partial(format_size, language=language)
                env.filters["number"] = partial(format_number, language=language)
                env.filters["seconds"] = partial(format_seconds, language=language)
                env.filters["listing"] = partial(format_list, language=language)
                env.filters["datetime"] = _dates(language)
                env.filters["date"] = _day(language)
                env.filters["code"] = _code
                env.filters["sentence"] = _sentence
                env.globals["plural"] = words
                self._environments[language] = env
            return env

    def searched(self, language: str) -> list[str]:
        return [str(p) for p in _search_path(self.templates_dir, language, self.default_language)]

    def get(self, name: str, language: str) -> jinja2.Template:
        try:
            return self.environment(language).get_template(name + TEMPLATE_SUFFIX)
        except jinja2.TemplateNotFound:
            raise TemplateMissing(name, language, self.searched(language)) from None

    def render(self, name: str, data: dict[str, Any], language: str) -> str:
        compiled = self._compiled.get((language, name))
        if compiled is None:
            compiled = self._compile(name, language)
        if isinstance(compiled, str):
            return compiled
        return self._run(compiled, data)

    def _run(self, template: jinja2.Template | Interpolation, data: dict[str, Any]) -> str:
        try:
            return template.render(**data).strip()
        except _RENDER_FAILURES as error:
            filename = template.filename or "<template>"
            line = _failed_line(error, filename)
            inline = filename == "<template>"  # a text written in the spec: the pipeline says where
            where = None if inline else self._shown_path(filename) + (f":{line}" if line else "")
            text_line = f" (line {line} of the text)" if inline and line and line > 1 else ""
            problem = getattr(error, "message", None) or str(error)
            raise TemplateFailed(where, f"{problem}{text_line}") from None

    def constant(self, name: str, language: str) -> str | None:
        """The text of a template without any ``{{ }}`` or ``{% %}``, None for the others: callers skip
        gathering the template's data when nothing would read it."""
        if (language, name) not in self._compiled:
            self._compile(name, language)
        return self.compiled_constant(name, language)

    def compiled_constant(self, name: str, language: str) -> str | None:
        """:meth:`constant`, for a template already compiled (preloaded): it never reads or compiles a
        file, so it cannot fail."""
        compiled = self._compiled.get((language, name))
        return compiled if isinstance(compiled, str) else None

    def render_source(self, source: str, data: dict[str, Any], language: str) -> str:
        """Render a text written in the spec itself (``text:``, embed fields), compiled once."""
        compiled = self._compiled.get((language, "\0" + source))  # "\0": cannot clash with a template name
        if compiled is None:
            compiled = self._compile_source(source, language)
        if isinstance(compiled, str):
            return compiled.strip()
        return self._run(compiled, data)

    def source_reads(self, source: str, language: str) -> frozenset[str] | None:
        """The variables a text written in the spec reads, as :meth:`reads` (None: unknown). Compiles it
        when it is not yet (raises what :meth:`render_source` would, jinja2.TemplateSyntaxError)."""
        key = (language, "\0" + source)
        if key not in self._compiled:
            self._compile_source(source, language)
        return frozenset() if isinstance(self._compiled[key], str) else self._reads.get(key)

    def _compile_source(self, source: str, language: str) -> Compiled:
        if "{" not in source:
            self._compiled[(language, "\0" + source)] = source
            return source
        env = self.environment(language)
        compiled, _ = self._compile_tree(env, env.parse(source), (language, "\0" + source), None, None, None)
        return compiled

    def _compile_tree(self, env: "_Environment", tree: jinja2.nodes.Template, key: tuple[str, str],
                      name: str | None, filename: str | None, uptodate: Any) -> tuple[Compiled, frozenset[str]]:
        """Compile a parsed template into what :meth:`render` runs (its text, an interpolation or the
        Jinja template), noting the names it reads when they are known; also the names it reads."""
        code, undeclared = _generate(env, tree, name, filename)
        template = env.template_class.from_code(env, code, env.make_globals(None), uptodate)
        compiled: Compiled
        if all(isinstance(node, jinja2.nodes.Output) and
               all(isinstance(child, jinja2.nodes.TemplateData) for child in node.nodes) for node in tree.body):
            compiled = template.render().strip()
        else:
            if _self_contained(tree):
                self._reads[key] = undeclared
            compiled = Interpolation.of(tree, env.globals, template.filename) or template
        self._compiled[key] = compiled
        return compiled, undeclared

    def _compile(self, name: str, language: str) -> Compiled:
        """Read, parse and compile template ``name`` once (the one parse also tells whether it is plain
        text and which variables it reads). Raises TemplateMissing, TemplateSyntaxError, UnicodeDecodeError."""
        env = self.environment(language)
        try:
            source, filename, uptodate = env.loader.get_source(env, name + TEMPLATE_SUFFIX)  # type: ignore[union-attr]
        except jinja2.TemplateNotFound:
            raise TemplateMissing(name, language, self.searched(language)) from None
        tree = env.parse(source, name + TEMPLATE_SUFFIX, filename)
        compiled, undeclared = self._compile_tree(env, tree, (language, name), name + TEMPLATE_SUFFIX, filename,
                                                  uptodate)
        self._sources[(language, name)] = Parsed(source, filename or name, tree, undeclared)
        return compiled

    def parsed(self, name: str, language: str) -> "Parsed | None":
        """The source, syntax tree and names read of a template compiled since :meth:`forget_sources`:
        checks read them instead of parsing the file again."""
        return self._sources.get((language, name))

    def forget_sources(self) -> None:
        """Drop the sources kept for the checks; the compiled templates stay."""
        self._sources.clear()

    def reads(self, name: str, language: str) -> frozenset[str] | None:
        """The variables compiled template ``name`` reads (besides Jinja's globals), None when unknown:
        callers skip gathering data no template would read."""
        return self._reads.get((language, name))

    def find_file(self, name: str, language: str) -> Path | None:
        for folder in _search_path(self.templates_dir, language, self.default_language):
            candidate = folder / (name + TEMPLATE_SUFFIX)
            if candidate.is_file():
                return candidate
        return None

    def preload(self, names: Iterable[str], languages: Iterable[str]) -> None:
        """Compile every template now, in every language, so this renderer never reads a file later:
        after a hot reload each dispatcher keeps answering with the templates it was built with.
        Templates already compiled (by :meth:`check`) are not compiled again."""
        for language in languages:
            for name in names:
                if (language, name) in self._compiled:
                    continue
                try:
                    self._compile(name, language)
                except TemplateMissing:
                    continue  # the registry has already checked the default language has it

    def own_file(self, name: str, language: str) -> Path | None:
        """The spec's own translation of ``name`` in ``language`` (templates/<language>/name.j2)."""
        own = self.templates_dir / language / (name + TEMPLATE_SUFFIX)
        return own if own.is_file() else None

    def exists_in(self, name: str, language: str) -> bool:
        """Does the spec's own folder for ``language`` (or the built-ins for it) have this template?"""
        own = self.templates_dir / language / (name + TEMPLATE_SUFFIX)
        builtin = BUILTIN_TEMPLATES / language / (name + TEMPLATE_SUFFIX)
        return own.is_file() or builtin.is_file() or (self.templates_dir / (name + TEMPLATE_SUFFIX)).is_file()

    def check(self, names: Iterable[str], language: str) -> dict[str, tuple[str, str]]:
        """Compile each template (kept for serving); returns name → ("missing" | "broken", message)
        for the bad ones."""
        problems: dict[str, tuple[str, str]] = {}
        for name in names:
            if (language, name) in self._compiled:
                continue
            try:
                self._compile(name, language)
            except TemplateMissing as missing:
                problems[name] = ("missing", str(missing))
            except jinja2.TemplateSyntaxError as error:
                where = self._shown_path(error.filename) if error.filename else name
                problems[name] = ("broken", f"template '{name}' does not compile: {error.message} "
                                            f"({where}, line {error.lineno})")
            except UnicodeDecodeError as error:
                where = self.find_file(name, language)
                shown = self._shown_path(str(where)) if where else name
                problems[name] = ("broken", f"template '{name}' is not UTF-8 text ({shown}, byte "
                                            f"{error.start + 1}): save it as UTF-8")
        return problems

    def _shown_path(self, filename: str) -> str:
        path = Path(filename)
        for base in (self.templates_dir.parent, BUILTIN_TEMPLATES.parent):
            try:
                return path.relative_to(base).as_posix()
            except ValueError:
                continue
        return str(path)
