"""Splitting long replies at Discord's 2,000-character limit."""

from hypotez.text import DISCORD_LIMIT, split_message


def test_short_text_is_one_part():
    assert split_message("hello") == ["hello"]


def test_empty_text_is_no_part():
    assert split_message("   \n") == []


def test_every_part_fits_the_limit_and_nothing_is_lost():
    text = "\n".join(f"line {i} " + "x" * (i % 70) for i in range(400))
    parts = split_message(text)
    assert len(parts) > 1
    assert all(len(p) <= DISCORD_LIMIT for p in parts)
    assert "".join(p.replace("\n", "") for p in parts) == text.replace("\n", "")


def test_cuts_at_line_breaks_when_it_can():
    text = ("a" * 1500 + "\n") * 3
    parts = split_message(text)
    assert parts == ["a" * 1500] * 3


def test_a_single_word_longer_than_the_limit_is_cut_hard():
    parts = split_message("y" * 4500)
    assert all(len(p) <= DISCORD_LIMIT for p in parts)
    assert "".join(parts) == "y" * 4500


def test_a_code_block_cut_in_two_is_closed_and_reopened():
    body = "\n".join(f"print({i})" for i in range(600))
    parts = split_message("Result:\n```python\n" + body + "\n```")
    assert len(parts) > 1
    for part in parts:
        assert len(part) <= DISCORD_LIMIT
        assert part.count("```") % 2 == 0, part[:80]
    assert parts[1].startswith("```python\n")
