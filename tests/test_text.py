"""Splitting long replies at Discord's 2,000-character limit."""

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deadline import deadline
from hypotez.text import DISCORD_LIMIT, FENCE, MIN_LIMIT, split_message


def split(text: str, limit: int = DISCORD_LIMIT) -> list[str]:
    """split_message, stopped if it runs long: a splitter that loops also eats memory fast (gigabytes
    a second)."""
    with deadline(2):
        return split_message(text, limit)


def test_short_text_is_one_part():
    assert split("hello") == ["hello"]


def test_empty_text_is_no_part():
    assert split("   \n") == []


def test_every_part_fits_the_limit_and_nothing_is_lost():
    text = "\n".join(f"line {i} " + "x" * (i % 70) for i in range(400))
    parts = split(text)
    assert len(parts) > 1
    assert all(len(p) <= DISCORD_LIMIT for p in parts)
    assert "".join(p.replace("\n", "") for p in parts) == text.replace("\n", "")


def test_cuts_at_line_breaks_when_it_can():
    text = ("a" * 1500 + "\n") * 3
    parts = split(text)
    assert parts == ["a" * 1500] * 3


def test_a_single_word_longer_than_the_limit_is_cut_hard():
    parts = split("y" * 4500)
    assert all(len(p) <= DISCORD_LIMIT for p in parts)
    assert "".join(parts) == "y" * 4500


def test_a_code_block_cut_in_two_is_closed_and_reopened():
    body = "\n".join(f"print({i})" for i in range(600))
    parts = split("Result:\n```python\n" + body + "\n```")
    assert len(parts) > 1
    for part in parts:
        assert len(part) <= DISCORD_LIMIT
        assert part.count("```") % 2 == 0, part[:80]
    assert parts[1].startswith("```python\n")


# --- properties: any text, any limit ---------------------------------------------------------------

# Texts made of what breaks splitters: fences with and without a language, long lines right after a
# fence, runs of backticks of every length, words without spaces longer than a message, any Unicode.
_PIECES = st.sampled_from(["```", "```python\n", "```py", "```\n", "\n```", "`", "``", "````", "``````",
                           "\n", "\n\n", " ", "    ", "\t"])
_WORDS = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=30)
_LONG_LINES = st.builds(lambda word, n: (word + " ") * n, st.sampled_from(["ab", "слово", "x", "`"]),
                        st.integers(1, 800))
_LONG_WORDS = st.builds(lambda char, n: char * n, st.sampled_from(["y", "`", "я", "\n"]), st.integers(1, 3000))
TEXTS = st.lists(st.one_of(_PIECES, _WORDS, _LONG_LINES, _LONG_WORDS), max_size=30).map("".join)
LIMITS = st.one_of(st.just(DISCORD_LIMIT), st.integers(MIN_LIMIT, 400))
_REOPENED = re.compile(r"```[A-Za-z0-9_+\-.#]*\n")


def _visible(text: str) -> str:
    """What a reader sees of a text once fence markers and whitespace are set aside."""
    return "".join(text.replace(FENCE, "").split())


def _nothing_lost(original: str, parts: list[str]) -> bool:
    """The parts, one after another, say exactly what the original says, apart from the fence markers the
    splitter adds (a block closed at the end of a part, reopened with its language at the start of the
    next) and whitespace at the cuts. A part that starts with a fence may have had it added or not:
    every reading is followed at once (a set of positions in the original)."""
    target = _visible(original)
    positions = {0}
    for index, part in enumerate(parts):
        readings = {_visible(part)}
        reopened = _REOPENED.match(part)
        if index and reopened:
            readings.add(_visible(part[reopened.end():]))
        positions = {p + len(r) for p in positions for r in readings if target.startswith(r, p)}
        if not positions:
            return False
    return len(target) in positions


@settings(max_examples=300, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXTS, limit=LIMITS)
def test_any_text_is_split_quickly_into_fitting_balanced_parts_and_nothing_is_lost(text, limit):
    parts = split(text, limit)
    assert all(part.strip() for part in parts), "an empty part"
    assert all(len(part) <= limit for part in parts), [len(p) for p in parts]
    for part in parts:
        assert part.count(FENCE) % 2 == 0, part[:200]
    assert _nothing_lost(text, parts)
    assert (parts == []) == (not text.strip())


def test_the_long_line_after_a_fence_is_not_taken_for_a_language():
    # The feedback list of three "```ab ab ab ..." entries: it used to never return.
    text = "**Последние отзывы:**\n" + "".join(f"\n#{n} ann: ```" + "ab " * 490 + "\n" for n in (3, 2, 1))
    parts = split(text)
    assert len(parts) == 3
    for part in parts:
        assert len(part) <= DISCORD_LIMIT and part.count(FENCE) % 2 == 0
    # the block cut through is reopened without a language: "ab ab ab" is text, not a language tag
    assert parts[0].endswith("ab\n```") and parts[1].startswith("```\n#2 ann: ```ab ab")
    assert _nothing_lost(text, parts)


def test_a_reopened_block_keeps_its_language_and_only_its_language():
    body = "\n".join(f"print({i})" for i in range(600))
    parts = split("```python\n" + body + "\n```")
    assert len(parts) > 1 and all(p.startswith("```python\nprint(") for p in parts)
    assert [p[:6] for p in split("```" + "ab " * 1000)] == ["```ab ", "```\nab"]


def test_a_cut_never_falls_inside_a_run_of_backticks():
    parts = split("x" * 1994 + "`````" + "y" * 100)
    assert parts == ["x" * 1994, "`````" + "y" * 100 + "\n```"]


def test_a_block_the_text_leaves_open_is_closed():
    assert split("see ```python\nprint(1)") == ["see ```python\nprint(1)\n```"]


def test_a_block_is_not_left_empty_at_the_end_of_a_part():
    # The cut would fall right after the fence's line: the fence moves to the next part instead.
    text = "a" * 1500 + "\n```python\n" + "b" * 3000
    parts = split(text)
    assert parts[0] == "a" * 1500
    assert parts[1].startswith("```python\nbbb")


def test_a_limit_too_small_for_a_reopened_fence_is_refused():
    with pytest.raises(ValueError):
        split("text", MIN_LIMIT - 1)
