"""Transcripts are compared as word-error-rate tools compare them: a number Whisper writes in digits is
the same word as the number said in words, in any case form, and punctuation, case, ё and hyphens
are no errors; a wrong word still is."""

import pytest

from hypotez.testing.transcripts import digits_for_numbers, word_errors, words


@pytest.mark.parametrize(("said", "written"), [
    ("Запусти тренировку на двадцать минут.", "Запусти тренировку на 20 минут."),
    ("Я пробежал пять километров", "я пробежал 5 километров"),
    ("с пяти до семи часов", "С 5 до 7 часов."),
    ("сто двадцать три шага", "123 шага"),
    ("две тысячи двадцать шесть", "2026"),
    ("Twenty one pilots", "21 pilots"),
    ("one hundred twenty", "120"),
    ("Всё ещё по-русски", "все еще по русски"),
])
def test_numbers_punctuation_and_spelling_variants_are_not_errors(said, written):
    assert words(said) == words(written)
    assert word_errors(words(said), words(written)) == 0


def test_number_words_in_any_case_form_become_their_value():
    assert digits_for_numbers("с пятью из восьмисот к двумя до сорока".split()) == [
        "с", "5", "из", "800", "к", "2", "до", "40"]
    assert digits_for_numbers("двадцать пять".split()) == ["25"]
    # Two numbers in a row stay two: units are not added to units.
    assert digits_for_numbers("пять шесть".split()) == ["5", "6"]


def test_wrong_words_are_still_counted():
    assert word_errors(words("Давай начнём сначала."), words("Давай начинем с начала.")) == 3
    assert word_errors(words("на двадцать минут"), words("на 25 минут")) == 1
    assert word_errors(words("Включи музыку погромче"), words("включи музыку по громче")) == 2
