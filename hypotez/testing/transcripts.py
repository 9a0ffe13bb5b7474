"""Transcripts compared the way word-error-rate tools compare them, for tests and benchmarks of speech
recognition: lower case, no punctuation, ё as е, hyphens as spaces, and numbers said in words as
digits, so that "20 минут" is not counted against "двадцать минут" (Whisper writes a number either
way, and both are right).

Whisper's own English normaliser turns number words into digits; :func:`digits_for_numbers` does
that for Russian (every case form: "пяти", "двадцатью", "двух") and English, 0-999 999, which is
what a voice command holds. Both texts go through the same normalisation, so a word that is also a
number ("одна" in "она одна") is compared as the same digit on both sides."""

from __future__ import annotations

# Russian: each value with the stems of its case forms (nominative, genitive, dative, instrumental,
# prepositional; ё written as е, since the scorer compares it so).
_RUSSIAN_FORMS = {
    0: "ноль нуль ноля нуля нолю нулю нолем нулем ноле нуле",
    1: "один одна одно одни одного одной одному одним одном одну одних одними",
    2: "два две двух двум двумя", 3: "три трех трем тремя", 4: "четыре четырех четырем четырьмя",
    5: "пять пяти пятью", 6: "шесть шести шестью", 7: "семь семи семью", 8: "восемь восьми восемью восьмью",
    9: "девять девяти девятью", 10: "десять десяти десятью",
    11: "одиннадцать", 12: "двенадцать", 13: "тринадцать", 14: "четырнадцать", 15: "пятнадцать",
    16: "шестнадцать", 17: "семнадцать", 18: "восемнадцать", 19: "девятнадцать",
    20: "двадцать", 30: "тридцать",
    40: "сорок сорока", 50: "пятьдесят пятидесяти пятьюдесятью", 60: "шестьдесят шестидесяти шестьюдесятью",
    70: "семьдесят семидесяти семьюдесятью", 80: "восемьдесят восьмидесяти восемьюдесятью",
    90: "девяносто девяноста", 100: "сто ста", 200: "двести двухсот двумстам двумястами двухстах",
    300: "триста трехсот тремстам тремястами трехстах", 400: "четыреста четырехсот четыремстам четырьмястами четырехстах",
}
_TEEN_STEMS = {11: "одиннадцат", 12: "двенадцат", 13: "тринадцат", 14: "четырнадцат", 15: "пятнадцат",
               16: "шестнадцат", 17: "семнадцат", 18: "восемнадцат", 19: "девятнадцат", 20: "двадцат", 30: "тридцат"}
_HUNDRED_STEMS = {500: "пят", 600: "шест", 700: "сем", 800: "восем", 900: "девят"}
_ENGLISH = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
            "sixteen seventeen eighteen nineteen").split()
_ENGLISH_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
                 "ninety": 90}
_THOUSAND = {"тысяча", "тысячи", "тысячу", "тысяче", "тысячей", "тысяч", "тысячам", "тысячами", "тысячах",
             "thousand"}
_HUNDRED = {"hundred"}


def _values() -> dict[str, int]:
    values: dict[str, int] = {}
    for value, forms in _RUSSIAN_FORMS.items():
        values.update((form, value) for form in forms.split())
    for value, stem in _TEEN_STEMS.items():
        values.update((stem + ending, value) for ending in ("ь", "и", "ью"))
    for value, stem in _HUNDRED_STEMS.items():
        for form in (f"{stem}ьсот", f"{stem}исот", f"{stem}истам", f"{stem}ьюстами", f"{stem}истах"):
            values[form.replace("восемисот", "восьмисот").replace("восемистам", "восьмистам")
                   .replace("восемистах", "восьмистах")] = value
    values.update((word, value) for value, word in enumerate(_ENGLISH))
    values.update(_ENGLISH_TENS)
    return values


_VALUES = _values()


def digits_for_numbers(words: list[str]) -> list[str]:
    """``words`` (lower case) with each run of number words replaced by its value in digits."""
    out: list[str] = []
    total, part, in_number = 0, 0, False

    def flush() -> None:
        nonlocal total, part, in_number
        if in_number:
            out.append(str(total + part))
        total, part, in_number = 0, 0, False

    for word in words:
        if word in _VALUES and not (in_number and part % 10 and _VALUES[word] < 1000):
            part += _VALUES[word]
            in_number = True
        elif word in _HUNDRED and in_number:
            part *= 100
        elif word in _THOUSAND:
            total += (part or 1) * 1000
            part, in_number = 0, True
        else:
            flush()
            if word in _VALUES:  # a second number right after one that ended in units: "два три"
                part, in_number = _VALUES[word], True
            else:
                out.append(word)
    flush()
    return out


def words(text: str) -> list[str]:
    """The words a transcript is compared by (see the module's docstring)."""
    text = text.lower().replace("ё", "е")
    return digits_for_numbers("".join(ch if ch.isalnum() or ch == "'" else " " for ch in text).split())


def word_errors(reference: list[str], heard: list[str]) -> int:
    """Word-level edit distance (substitutions + insertions + deletions)."""
    previous = list(range(len(heard) + 1))
    for i, word in enumerate(reference, 1):
        current = [i]
        for j, other in enumerate(heard, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (word != other)))
        previous = current
    return previous[-1]
