"""Reasons: why the bot refused something, as a message key and its facts, worded per language.

A raise site says *what* went wrong (``Reason("argument.not_integer", value="abc")``); the words live
in one catalog per language, ``builtin_templates/<lang>/reasons.yaml`` (a spec may override entries
in ``templates/<lang>/reasons.yaml``). A :class:`Reason` *is* its English text (a ``str``), so logs,
the CLI, ``str(error)`` and comparisons keep reading English; the pipeline re-words it in the reply's
language with :meth:`Reasons.render`.

Catalog texts are ``str.format`` strings over the reason's parameters (plain names only), with four
extra format specs: ``{n:plural:one=файл|few=файла|many=файлов}`` picks the word form for ``n`` by
its CLDR plural category in the catalog's language (the older positional ``{n:plural:file|files}``,
``{n:plural:файл|файла|файлов}`` is still read; see :mod:`hypotez.i18n.plurals`), ``{size:filesize}``
writes a size in bytes with its unit as the language does, ``{items:join}`` lists a sequence as ``a, b, c`` (``{items:join:; }`` with another
separator) and ``{items:lines}`` one a line. A parameter that is itself a Reason is worded in the same language.
"""

from __future__ import annotations

import string
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Iterable, Mapping

import yaml

from hypotez.errors import ConfigError
from hypotez.i18n import choose, format_size, parse_forms

BUILTIN_CATALOGS = Path(__file__).parent / "builtin_templates"

CATALOG_FILE = "reasons.yaml"
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when built with it: the same data, faster
FALLBACK_LANGUAGE = "en"


class Reason(str):
    """A reason's English text that remembers its key and parameters, to be worded again elsewhere."""

    key: str
    params: dict[str, Any]

    def __new__(cls, key: str, **params: Any) -> "Reason":
        self = super().__new__(cls, ENGLISH.format(key, params))  # read at import: a raise reads no file
        self.key = key
        self.params = params
        return self

    def __repr__(self) -> str:
        return f"Reason({self.key!r}, {self.params!r})"

    def __reduce__(self):  # pickled across processes (recognition workers): rebuilt from its facts
        return (_rebuild, (self.key, self.params))


def _rebuild(key: str, params: dict[str, Any]) -> Reason:
    return Reason(key, **params)


class _Formatter(string.Formatter):
    """``str.format`` plus the ``plural``, ``filesize`` and ``join`` specs; nested Reasons worded by ``catalog``."""

    def __init__(self, catalog: "Catalog"):
        self.catalog = catalog

    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, Reason):
            return self.catalog.render(value)
        if format_spec.startswith("plural:"):
            return choose(value, format_spec[len("plural:"):].split("|"), self.catalog.language)
        if format_spec == "filesize":
            return format_size(value, self.catalog.language)
        if format_spec in ("join", "lines") or format_spec.startswith("join:"):
            separator = {"join": ", ", "lines": "\n"}.get(format_spec) or format_spec[len("join:"):]
            items = [value] if isinstance(value, str) else value  # one text (older stored facts): as it is
            return separator.join(self.format_field(item, "") for item in items)
        return super().format_field(value, format_spec)


class Catalog:
    """One language's texts (key → format string), falling back to another catalog for missing keys."""

    def __init__(self, language: str, texts: Mapping[str, str], fallback: "Catalog | None" = None):
        self.language = language
        self.texts = MappingProxyType(dict(texts))  # read-only: the shipped catalogs are shared
        self.fallback = fallback
        self._formatter = _Formatter(self)

    def text(self, key: str) -> str | None:
        found = self.texts.get(key)
        if found is None and self.fallback is not None:
            return self.fallback.text(key)
        return found

    def format(self, key: str, params: Mapping[str, Any]) -> str:
        template = self.text(key)
        if template is None:  # a key no catalog has: still say something true
            shown = ", ".join(f"{name}={value!r}" for name, value in params.items())
            return f"{key} ({shown})" if shown else key
        return self._formatter.vformat(template, (), params)

    def render(self, reason: Any) -> Any:
        """``reason`` in this language; plain strings (a handler's own words) are left as they are."""
        if isinstance(reason, Reason):
            return self.format(reason.key, reason.params)
        return reason


def placeholders(text: str) -> set[str]:
    """The parameter names a catalog text uses (``{value!r}`` → ``value``)."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def plural_problems(text: str) -> list[str]:
    """Why each ``{n:plural:...}`` in ``text`` cannot pick a form (a category CLDR does not have), so a
    catalog is refused when read rather than failing when the reason is shown."""
    problems = []
    for _, name, spec, _ in string.Formatter().parse(text):
        if name is not None and spec and spec.startswith("plural:"):
            try:
                parse_forms(spec[len("plural:"):].split("|"), FALLBACK_LANGUAGE)
            except ValueError as error:
                problems.append(f"{{{name}:{spec}}}: {error}")
    return problems


def _flatten(tree: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    texts: dict[str, str] = {}
    for key, value in tree.items():
        if isinstance(value, Mapping):
            texts.update(_flatten(value, f"{prefix}{key}."))
        else:
            texts[f"{prefix}{key}"] = str(value)
    return texts


def read_catalog(path: Path) -> dict[str, str]:
    """A catalog file: nested YAML mappings, flattened to dotted keys. Placeholders must be plain names,
    so a text cannot reach into a parameter's attributes."""
    tree = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER) or {}
    if not isinstance(tree, Mapping):
        raise ValueError(f"{path}: a reasons catalog must be a mapping of keys to texts")
    texts = _flatten(tree)
    for key, text in texts.items():
        try:
            names = placeholders(text)
        except ValueError as error:
            raise ValueError(f"{path}: {key}: {error}") from None
        bad = [name for name in names if not name.isidentifier()]
        if bad:
            raise ValueError(f"{path}: {key}: placeholders must be plain names, not {', '.join(bad)}")
        for problem in plural_problems(text):
            raise ValueError(f"{path}: {key}: {problem}")
    return texts


def _read_builtin(language: str, fallback: Catalog | None) -> Catalog:
    path = BUILTIN_CATALOGS / language / CATALOG_FILE
    return Catalog(language, read_catalog(path) if path.is_file() else {}, fallback)


# The English texts, read once when this module is imported: a Reason *is* its English text, so no
# constructor reads a file (or fails on one); a broken shipped catalog fails the import instead.
ENGLISH: Catalog = _read_builtin(FALLBACK_LANGUAGE, None)


@lru_cache(maxsize=None)
def builtin_catalog(language: str) -> Catalog:
    """The catalog shipped with hypotez. Cached per process like a compiled regex: it is read-only
    package data."""
    if language == FALLBACK_LANGUAGE:
        return ENGLISH
    return _read_builtin(language, ENGLISH)


class Reasons:
    """The catalogs of one spec's languages: the built-in texts, overridden by the spec's own
    ``templates/<lang>/reasons.yaml`` where it has one; built once per spec load."""

    def __init__(self, templates_dir: Path | None, languages: Iterable[str]):
        own_english = self._own(templates_dir, FALLBACK_LANGUAGE)
        english = builtin_catalog(FALLBACK_LANGUAGE)
        if own_english:
            english = Catalog(FALLBACK_LANGUAGE, {**english.texts, **own_english})
        self._catalogs = {FALLBACK_LANGUAGE: english}
        for language in languages:
            if language == FALLBACK_LANGUAGE:
                continue
            builtin = builtin_catalog(language)
            self._catalogs[language] = Catalog(language, {**builtin.texts, **self._own(templates_dir, language)},
                                               english)

    @staticmethod
    def _own(templates_dir: Path | None, language: str) -> dict[str, str]:
        if templates_dir is None:
            return {}
        path = Path(templates_dir) / language / CATALOG_FILE
        if not path.is_file():
            return {}
        try:
            return read_catalog(path)
        except (yaml.YAMLError, ValueError, OSError) as error:
            raise ConfigError(f"the reasons catalog {path} cannot be used: {error}",
                              "fix it (a mapping of keys to texts, as in hypotez/builtin_templates/en/reasons.yaml) "
                              "or remove it") from None

    def catalog(self, language: str) -> Catalog:
        return self._catalogs.get(language) or self._catalogs[FALLBACK_LANGUAGE]

    def localise(self, data: Mapping[str, Any], language: str) -> dict[str, Any]:
        """Template data with every Reason (and every Reason in a list) worded in ``language``."""
        catalog = self.catalog(language)
        result: dict[str, Any] = {}
        for name, value in data.items():
            if isinstance(value, Reason):
                value = catalog.render(value)
            elif isinstance(value, list) and any(isinstance(item, Reason) for item in value):
                value = [catalog.render(item) for item in value]
            result[name] = value
        return result


# Reasons kept in JSON (a failed training job's in SQLite): a Reason is {"$reason": key, "params": {...}},
# nested ones too, so it is worded again in whatever language asks later.
_JSON_TAG = "$reason"


def reason_to_json(value: Any) -> Any:
    """``value`` with every Reason in it as a tagged mapping; other values as JSON has them."""
    if isinstance(value, Reason):
        return {_JSON_TAG: value.key, "params": {name: reason_to_json(v) for name, v in value.params.items()}}
    if isinstance(value, (list, tuple)):
        return [reason_to_json(item) for item in value]
    if isinstance(value, Mapping):
        return {str(name): reason_to_json(item) for name, item in value.items()}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def reason_from_json(data: Any) -> Any:
    """The inverse of :func:`reason_to_json`. Raises ValueError for a key this hypotez does not know
    (or whose text wants other parameters): the caller keeps the text stored beside it."""
    if isinstance(data, list):
        return [reason_from_json(item) for item in data]
    if not isinstance(data, Mapping):
        return data
    if _JSON_TAG not in data:
        return {name: reason_from_json(item) for name, item in data.items()}
    key, params = data[_JSON_TAG], data.get("params") or {}
    known = isinstance(key, str) and builtin_catalog(FALLBACK_LANGUAGE).text(key) is not None
    if not known or not isinstance(params, Mapping):
        raise ValueError(f"not a known reason: {key!r}")
    try:
        return Reason(key, **{str(name): reason_from_json(value) for name, value in params.items()})
    except (KeyError, IndexError, TypeError, ValueError) as error:
        raise ValueError(f"reason {key!r} cannot be worded from {params!r}: {error}") from None


def size_reason(size: float) -> Reason:
    """A size in bytes, written with its unit in the reply's language (``{value:filesize}``)."""
    return Reason("size.bytes", value=int(size))


# json.JSONDecodeError.msg → catalog key: the standard decoder's fixed set of messages.
_JSON_MESSAGES = {
    "Expecting value": "json.expecting_value",
    "Expecting ',' delimiter": "json.expecting_comma",
    "Expecting ':' delimiter": "json.expecting_colon",
    "Expecting property name enclosed in double quotes": "json.expecting_name",
    "Unterminated string starting at": "json.unterminated_string",
    "Invalid control character at": "json.control_character",
    "Invalid \\escape": "json.invalid_escape",
    "Invalid \\uXXXX escape": "json.invalid_unicode_escape",
    "Extra data": "json.extra_data",
    "Illegal trailing comma before end of object": "json.trailing_comma_object",
    "Illegal trailing comma before end of array": "json.trailing_comma_array",
}


def library_reason(message: str, keys: Mapping[str, str], other: str) -> Reason:
    """A library's own message as a reason: one of its fixed messages (``keys``: message → catalog key),
    worded per language, or any other as written (the ``other`` key, with the message as ``detail``)."""
    key = keys.get(message)
    return Reason(key) if key else Reason(other, detail=message)


def json_problem(message: str) -> Reason:
    """The standard JSON decoder's message (``error.msg``) as a reason."""
    return library_reason(message, _JSON_MESSAGES, "json.other")
