"""Wording by language on CLDR (hypotez/i18n): plural categories in Russian, English, Polish and French
through a reasons catalog and through the templates' plural(...); sizes as the reply's language writes
them; every shipped reason still renders; the error tree's two branches; the package is a leaf."""

import ast
import importlib
import string
from datetime import datetime, timezone
from pathlib import Path

import pytest

from hypotez import errors
from hypotez.i18n import choose, counted, format_size, plural, plural_category
from hypotez.reasons import BUILTIN_CATALOGS, Catalog, Reason, Reasons, builtin_catalog, read_catalog, size_reason
from hypotez.rendering import Renderer

ROOT = Path(__file__).resolve().parent.parent
COUNTS = (0, 1, 2, 5, 11, 21, 22, 25, 112, 1.5)

# language, old positional forms, new named forms, the word expected for each of COUNTS
PLURALS = [
    ("ru", "файл|файла|файлов", "one=файл|few=файла|many=файлов|other=файла",
     ["файлов", "файл", "файла", "файлов", "файлов", "файл", "файла", "файлов", "файлов", None]),
    ("en", "file|files", "one=file|other=files",
     ["files", "file", "files", "files", "files", "files", "files", "files", "files", "files"]),
    ("pl", "plik|pliki|plików", "one=plik|few=pliki|many=plików|other=pliku",
     ["plików", "plik", "pliki", "plików", "plików", "plików", "pliki", "plików", "plików", None]),
    # French: 0 and 1.5 take the singular (CLDR "one": i = 0 or 1), which the old 2-form rule got wrong
    ("fr", "fichier|fichiers", "one=fichier|many=de fichiers|other=fichiers",
     ["fichier", "fichier", "fichiers", "fichiers", "fichiers", "fichiers", "fichiers", "fichiers",
      "fichiers", "fichier"]),
]


def _expected(words, named: bool, language: str):
    """The old form has no word for a fraction in Russian and Polish ("other"): it takes the last form."""
    fraction = {"ru": ("файла", "файлов"), "pl": ("pliku", "plików")}
    return [w if w is not None else fraction[language][0 if named else 1] for w in words]


def test_cldr_categories_of_the_four_languages():
    assert [plural_category(n, "ru") for n in (1, 3, 5, 21, 1.5)] == ["one", "few", "many", "one", "other"]
    assert [plural_category(n, "pl") for n in (1, 3, 5, 21, 22)] == ["one", "few", "many", "many", "few"]
    assert [plural_category(n, "fr") for n in (0, 1, 2, 1_000_000)] == ["one", "one", "other", "many"]
    assert [plural_category(n, "en") for n in (0, 1, 2)] == ["other", "one", "other"]


@pytest.mark.parametrize("language,old,new,words", PLURALS, ids=[case[0] for case in PLURALS])
def test_plural_forms_through_a_catalog(language, old, new, words):
    catalog = Catalog(language, {"old": "{n} {n:plural:" + old + "}", "new": "{n} {n:plural:" + new + "}"})
    assert [catalog.format("old", {"n": n}) for n in COUNTS] == \
        [f"{n} {w}" for n, w in zip(COUNTS, _expected(words, False, language))]
    assert [catalog.format("new", {"n": n}) for n in COUNTS] == \
        [f"{n} {w}" for n, w in zip(COUNTS, _expected(words, True, language))]


@pytest.mark.parametrize("language,old,new,words", PLURALS, ids=[case[0] for case in PLURALS])
def test_plural_forms_through_the_templates_helper(tmp_path, language, old, new, words):
    renderer = Renderer(tmp_path, language)
    positional = ", ".join(f'"{form}"' for form in old.split("|"))
    by_name = ", ".join(f'{name}="{form}"' for name, form in (pair.split("=") for pair in new.split("|")))
    for source, named in ((f"{{{{ plural(n, {positional}) }}}}", False),
                          (f"{{{{ plural(n, {by_name}) }}}}", True),
                          (f"{{{{ n | plural({positional}) }}}}", False)):
        assert [renderer.render_source(source, {"n": n}, language) for n in COUNTS] == \
            _expected(words, named, language), source


def test_a_category_that_does_not_exist_is_refused():
    with pytest.raises(ValueError, match="names no CLDR plural category"):
        choose(3, ["one=файл", "fewer=файла"], "ru")
    with pytest.raises(ValueError, match="CLDR category"):
        plural(3, single="file", language="en")


def test_a_spec_catalog_with_an_unknown_plural_category_is_refused_at_start(tmp_path):
    (tmp_path / "ru").mkdir()
    (tmp_path / "ru" / "reasons.yaml").write_text(
        'rule:\n  maxLength: "{limit} {limit:plural:one=символа|fewer=символов} ({length})"\n', encoding="utf-8")
    with pytest.raises(errors.ConfigError, match="'fewer=символов' names no CLDR plural category"):
        Reasons(tmp_path, ["ru"])


def test_sizes_are_written_as_the_reply_language_writes_them(tmp_path):
    ru, en = builtin_catalog("ru"), builtin_catalog("en")
    assert [ru.render(size_reason(n)) for n in (1, 2, 5, 2355, 5 * 1024 * 1024, 3 * 1024 ** 3)] == \
        ["1 байт", "2 байта", "5 байт", "2,3 кБ", "5,0 МБ", "3,0 ГБ"]
    assert [en.render(size_reason(n)) for n in (1, 2, 2355, 5 * 1024 * 1024)] == \
        ["1 byte", "2 bytes", "2.3 kB", "5.0 MB"]
    assert str(size_reason(2355)) == "2.3 kB"  # the English text logs show
    for language, shown in (("ru", "2,3 кБ"), ("en", "2.3 kB")):  # the templates' filter: the same formatter
        assert Renderer(tmp_path, language).render_source("{{ size | filesize }}", {"size": 2355}, language) == shown
    assert format_size(2355, "ru") == "2,3 кБ" and "KB" not in format_size(2355, "ru")


def test_numbers_lists_durations_and_dates_in_the_templates(tmp_path):
    moment = datetime(2026, 3, 1, 14, 5, tzinfo=timezone.utc)
    source = "{{ n | number }}; {{ items | listing }}; {{ items | listing(style='or') }}; {{ s | seconds }}; " \
             "{{ when | datetime('short') }}"
    data = {"n": 1234.5, "items": ["a", "b", "c"], "s": 1.25, "when": moment}
    assert Renderer(tmp_path, "en").render_source(source, data, "en") == \
        "1,234.5; a, b, and c; a, b, or c; 1.2 sec; 3/1/26, 2:05\u202fPM"
    assert Renderer(tmp_path, "ru").render_source(source, data, "ru") == \
        "1\xa0234,5; a, b и c; a, b или c; 1,2 с; 01.03.2026, 14:05"


def test_the_clis_english_counts():
    assert [counted(n, "problem") for n in (0, 1, 2)] == ["0 problems", "1 problem", "2 problems"]
    assert counted(2, "entry", "entries") == "2 entries"


def _sample(spec: str):
    """A value a catalog placeholder with format spec ``spec`` accepts."""
    if spec in ("join", "lines") or spec.startswith("join:"):
        return ["a", "b"]
    return 3 if spec else "x"  # plural, filesize and number specs (".1f", ",") want a number


@pytest.mark.parametrize("language", sorted(p.name for p in BUILTIN_CATALOGS.iterdir()
                                            if (p / "reasons.yaml").is_file()))
def test_every_shipped_reason_renders(language):
    catalog = builtin_catalog(language)
    texts = read_catalog(BUILTIN_CATALOGS / language / "reasons.yaml")
    assert len(texts) > 100
    for key, text in texts.items():
        params = {name: _sample(spec or "") for _, name, spec, _ in string.Formatter().parse(text) if name}
        worded = catalog.render(Reason(key, **params))
        assert worded and worded != key and not any("{" + name in worded for name in params), (key, worded)


def test_checks_are_a_sibling_of_bad_input_under_one_root():
    for check in (errors.NotAllowed, errors.WrongPlace, errors.OnCooldown):
        assert issubclass(check, errors.CheckFailure) and not issubclass(check, errors.UserInputError)
    for bad in (errors.MissingArgument, errors.BadArgument, errors.PathRefused, errors.NotFound):
        assert issubclass(bad, errors.UserInputError) and not issubclass(bad, errors.CheckFailure)
    ours = [value for value in vars(errors).values() if isinstance(value, type) and issubclass(value, Exception)]
    assert len(ours) > 12 and all(issubclass(error, errors.HypotezError) for error in ours)
    assert issubclass(errors.UnknownCommand, errors.CommandError)


def test_every_exception_class_of_ours_has_the_one_root():
    """Every ``class X(...)`` deriving from an exception in hypotez/ and handlers/ reaches HypotezError."""
    found = []
    for folder in (ROOT / "hypotez", ROOT / "handlers"):
        for path in folder.rglob("*.py"):
            module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            tree = ast.parse(path.read_text(encoding="utf-8"))
            names = [node.name for node in tree.body if isinstance(node, ast.ClassDef)]
            if not names:
                continue
            loaded = importlib.import_module(module)
            for name in names:
                value = getattr(loaded, name, None)
                if isinstance(value, type) and issubclass(value, BaseException):
                    found.append(value)
                    assert issubclass(value, errors.HypotezError), f"{module}.{name}"
    assert len(found) > 25
    refusal = errors.NotAllowed(Reason("permission.not_allowed"), roles=["Trainer"])
    assert refusal.roles == ["Trainer"] and refusal.permissions == [] and not hasattr(refusal, "facts")
    assert errors.OnCooldown(2.5).template_data() == {"retry_after": 2.5}


def test_i18n_imports_no_other_part_of_hypotez():
    for path in (ROOT / "hypotez" / "i18n").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("hypotez"):
                assert node.module.startswith("hypotez.i18n"), (path.name, node.module)
            if isinstance(node, ast.Import):
                assert not any(a.name.startswith("hypotez") and not a.name.startswith("hypotez.i18n")
                               for a in node.names), path.name
