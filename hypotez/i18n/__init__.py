"""Wording that depends on the language: plural forms, numbers, lists, units, sizes and dates, on Babel's
CLDR data. A leaf package: it imports no other part of hypotez, so every stage may use it."""

from hypotez.i18n.english import counted
from hypotez.i18n.formats import (DATE_FORMATS, date_format_problem, format_date, format_datetime, format_list, format_number,
                                  format_seconds, format_size)
from hypotez.i18n.locales import locale_for
from hypotez.i18n.plurals import choose, parse_forms, plural, plural_category

__all__ = ["DATE_FORMATS", "choose", "counted", "date_format_problem", "format_date", "format_datetime", "format_list", "format_number",
           "format_seconds", "format_size", "locale_for", "parse_forms", "plural", "plural_category"]
