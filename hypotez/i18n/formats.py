"""Numbers, lists, durations, sizes and dates written as the reply's language writes them (CLDR)."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Iterable

from babel.dates import format_date as _babel_date
from babel.dates import format_datetime as _babel_datetime
from babel.lists import format_list as _babel_list
from babel.numbers import format_decimal
from babel.units import format_unit

from hypotez.i18n.locales import locale_for

# Sizes count in powers of 1024 (as the limits are set: 25 MB is 25 * 1024 * 1024 bytes).
_SIZE_UNITS = (("digital-gigabyte", 1024 ** 3), ("digital-megabyte", 1024 ** 2), ("digital-kilobyte", 1024))


def format_number(value: float, language: str | None, *, digits: int | None = None) -> str:
    """``1234.5`` → "1,234.5" (English), "1 234,5" (Russian); ``digits`` fixes the decimals shown."""
    pattern = None if digits is None else "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=locale_for(language))


def format_size(size: float, language: str | None) -> str:
    """A size in bytes with its unit: "2 bytes", "2.3 kB", "5.0 MB" in English; "2 байта", "2,3 кБ",
    "5,0 МБ" in Russian. The one size formatter, for the catalogs and the templates."""
    locale = locale_for(language)
    for unit, scale in _SIZE_UNITS:
        if abs(size) >= scale:
            return format_unit(size / scale, unit, length="short", format="#,##0.0", locale=locale)
    return format_unit(int(size), "digital-byte", length="long", locale=locale)


def format_seconds(seconds: float, language: str | None, *, digits: int = 1) -> str:
    """A duration in seconds, short: "1.5 sec" (English), "1,5 с" (Russian)."""
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_unit(seconds, "duration-second", length="short", format=pattern, locale=locale_for(language))


def format_list(items: Iterable[object], language: str | None, *, style: str = "standard") -> str:
    """``["a", "b", "c"]`` → "a, b, and c" (English), "a, b и c" (Russian); ``style="or"`` for choices."""
    return _babel_list([str(item) for item in items], style=style, locale=locale_for(language))


def format_datetime(moment: datetime, language: str | None, *, format: str = "medium") -> str:
    """A date and time as the language writes it ("Mar 1, 2026, 2:05:00 PM"; "1 мар. 2026 г., 14:05:00")."""
    return _babel_datetime(moment, format=format, locale=locale_for(language))


# The named date formats of CLDR; anything else given to the `date` filter is a CLDR pattern ("dd.MM.yyyy").
DATE_FORMATS = ("short", "medium", "long", "full")


def as_date(value: object) -> date | None:
    """A template's date: a date or datetime as it is, an ISO text ("2026-12-01", "2026-12-01T14:05")
    read as one; None for nothing. Raises ValueError for anything else."""
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.strip()) if "T" in value or " " in value.strip() \
                else date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValueError(f"{value!r} is not a date (give a date, or a text such as 2026-12-01)")


def format_date(value: object, language: str | None, *, format: str = "short") -> str:
    """A date as the language writes it: "01.12.2026" / "1 дек. 2026 г." / "1 декабря 2026 г." in Russian,
    "12/1/26" / "Dec 1, 2026" / "December 1, 2026" in English (short / medium / long; "full" adds the day
    of the week; other text is a CLDR pattern such as "dd.MM.yyyy"). Nothing gives an empty text."""
    moment = as_date(value)
    if moment is None:
        return ""
    if isinstance(moment, datetime):
        moment = moment.date()
    return _babel_date(moment, format=format, locale=locale_for(language))


# The letters of CLDR's date fields (era, year, quarter, month, week, day, weekday); quoted text is literal.
_DATE_FIELDS = set("GyYuUrQqMLlwWdDFgEec")


def date_format_problem(format: str) -> str | None:
    """Why ``format`` is not one the ``date`` filter takes (None when it is): a misspelt name ("longg"),
    strftime's ``%d.%m.%Y``, or a pattern with letters that are not date fields (``HH:mm`` is a time)."""
    if format in DATE_FORMATS:
        return None
    if "%" in format:
        return "strftime's %-codes are not CLDR patterns: write dd.MM.yyyy for 01.12.2026"
    unquoted = re.sub(r"'[^']*'", "", format)
    stray = sorted({letter for letter in unquoted if letter.isascii() and letter.isalpha()} - _DATE_FIELDS)
    if stray:
        return f"{', '.join(repr(letter) for letter in stray)} " + \
            ("is not a date field" if len(stray) == 1 else "are not date fields")
    return None
