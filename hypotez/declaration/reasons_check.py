"""Checks a spec's own reason texts (``templates/<lang>/reasons.yaml``) for ``hypotez validate``.

At start-up a broken catalog is one ConfigError; here each problem is located in the catalog file:
a key hypotez never raises (a warning, with "did you mean"), a text whose placeholders differ from the
English text's (an error: an unknown one would fail when the reason is shown, a missing one drops a
fact), a plural with a category CLDR does not have (an error), a file that is not YAML or not a mapping (an error).
"""

from __future__ import annotations

from difflib import get_close_matches
from pathlib import Path
from typing import Any, Iterable

from hypotez.i18n import plural
from hypotez.errors import SpecProblem
from hypotez.reasons import CATALOG_FILE, FALLBACK_LANGUAGE, builtin_catalog, placeholders, plural_problems
from hypotez.declaration.yamlload import Locations, load_yaml

MODEL = "hypotez/builtin_templates/en/reasons.yaml"


def check_reason_catalogs(templates_dir: Path, languages: Iterable[str], spec_dir: Path,
                          spec_file: str) -> list[SpecProblem]:
    """Every problem in the spec's reason catalogs (the languages it speaks, and English, the fallback).
    A catalog is named as the spec is (``spec_file``, as the user gave it), so FILE opens in an editor."""
    problems: list[SpecProblem] = []
    for language in dict.fromkeys([*languages, FALLBACK_LANGUAGE]):
        path = templates_dir / language / CATALOG_FILE
        if path.is_file():
            problems += _check_file(path, _shown(path, spec_dir, spec_file))
    return problems


def _shown(path: Path, spec_dir: Path, spec_file: str) -> str:
    try:
        return (Path(spec_file).parent / path.resolve().relative_to(spec_dir)).as_posix()
    except ValueError:  # templates elsewhere (--templates): the path as it is
        return str(path)


def _check_file(path: Path, file: str) -> list[SpecProblem]:
    try:
        content = path.read_bytes()
    except OSError as error:
        return [SpecProblem(file, 1, 1, f"the reasons catalog cannot be read ({error.strerror or error})")]
    loaded = load_yaml(content, file)
    if loaded.problems or loaded.data is None:  # not YAML (located), or empty: nothing overridden
        return list(loaded.problems)
    if not isinstance(loaded.data, dict):
        return [loaded.locations.problem((), f"a reasons catalog must be a mapping of reason keys to texts, "
                                             f"not {_kind(loaded.data)}",
                                         f"write nested 'key: text' lines, as in {MODEL}")]
    checker = _CatalogChecker(loaded.locations, builtin_catalog(FALLBACK_LANGUAGE).texts)
    checker.mapping(loaded.data, ())
    return checker.problems


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (an empty value)"
    return f"a single value ({value!r})"


class _CatalogChecker:
    def __init__(self, locations: Locations, english: dict[str, str]):
        self.locations = locations
        self.english = english
        self.groups = {key.rsplit(".", 1)[0] for key in english if "." in key}
        self.problems: list[SpecProblem] = []

    def mapping(self, tree: dict[str, Any], path: tuple[str, ...]) -> None:
        for key, value in tree.items():
            here = path + (key,)
            dotted = ".".join(here)
            if isinstance(value, dict):
                if not any(group == dotted or group.startswith(dotted + ".") for group in self.groups):
                    self._unknown(here, dotted, sorted(self.groups), "group of reasons")
                else:
                    self.mapping(value, here)
            elif dotted in self.groups:
                self.problems.append(self.locations.problem(
                    here, f"'{dotted}' is a group of reasons, not one reason", "write its reasons' keys under it, "
                    f"e.g. '{dotted}:' then '  {self._example(dotted)}: text'", at_key=True, severity="warning"))
            elif dotted not in self.english:
                self._unknown(here, dotted, list(self.english), "reason key")
            elif not isinstance(value, (str, int, float)) or isinstance(value, bool):
                self.problems.append(self.locations.problem(
                    here, f"the text of reason '{dotted}' must be a text, not {_kind(value)}",
                    f"the English text is {self.english[dotted]!r}"))
            else:
                self.text(here, dotted, str(value))

    def _example(self, group: str) -> str:
        return next(key[len(group) + 1:] for key in self.english if key.startswith(group + "."))

    def _unknown(self, path: tuple[str, ...], dotted: str, known: list[str], what: str) -> None:
        close = get_close_matches(dotted, known, n=1, cutoff=0.6)
        hint = (f"did you mean '{close[0]}'?" if close
                else f"it is never used: the reasons hypotez gives are listed in {MODEL}")
        self.problems.append(self.locations.problem(path, f"unknown {what} '{dotted}'; this text is never shown",
                                                    hint, at_key=True, severity="warning"))

    def text(self, path: tuple[str, ...], key: str, text: str) -> None:
        english = self.english[key]
        try:
            names = placeholders(text)
        except ValueError as error:  # an unclosed or stray brace
            self.problems.append(self.locations.problem(
                path, f"the text of reason '{key}' is not a valid format string: {error}",
                "write a literal brace twice ({{ or }}); a placeholder is a name in braces, like {value}"))
            return
        for problem in plural_problems(text):
            self.problems.append(self.locations.problem(
                path, f"the text of reason '{key}' cannot pick a plural form: {problem}",
                "write each form as category=word, e.g. {n:plural:one=файл|few=файла|many=файлов}, "
                "or give the forms in order: {n:plural:файл|файла|файлов}"))
        expected = placeholders(english)
        unknown = sorted(names - expected)
        missing = sorted(expected - names)
        if unknown:
            # a misspelt name is one problem, not "unknown {valeu}" and "leaves out {value}"
            meant = [close[0] for name in unknown if (close := get_close_matches(name, missing, n=1))]
            missing = [name for name in missing if name not in meant]
            if meant:
                hint = f"did you mean {_braced(meant)}?"
            elif expected:
                hint = f"this reason's placeholders are {_braced(expected)}"
            else:
                hint = f"this reason has no placeholders; the English text is {english!r}"
            self.problems.append(self.locations.problem(
                path, f"the text of reason '{key}' uses the unknown {plural(len(unknown), 'placeholder', 'placeholders', language='en')} "
                      f"{_braced(unknown)}", hint))
        if missing:
            self.problems.append(self.locations.problem(
                path, f"the text of reason '{key}' leaves out the {plural(len(missing), 'placeholder', 'placeholders', language='en')} "
                      f"{_braced(missing)}", f"the English text is {english!r}"))


def _braced(names: Iterable[str]) -> str:
    return ", ".join(f"{{{name}}}" for name in sorted(names))
