"""Streaming data checks: JSON lists item by item with line numbers, over-long lines, size limits
checked before reading, and validation that keeps no examples."""

import json

import pytest

from hypotez.services.model import DatasetError
from hypotez.services.model import datasets
from hypotez.services.model.datasets import read_bytes, read_file, read_folder, validate_file, validate_folder


def problems(call, *args):
    with pytest.raises(DatasetError) as error:
        call(*args)
    return error.value.problems


def test_a_big_json_list_is_read_across_chunks_with_line_numbers(tmp_path):
    items = [{"prompt": f"вопрос {i} " + "x" * 50, "completion": f"ответ {i}"} for i in range(3000)]
    items[2500] = {"prompt": "no answer here"}
    path = tmp_path / "set.json"
    path.write_text("[\n" + ",\n".join(json.dumps(item, ensure_ascii=False) for item in items) + "\n]\n")
    assert path.stat().st_size > 3 * datasets.CHUNK_BYTES
    assert problems(read_file, path, "set.json") == ["set.json:2502: item 2501: 'completion' is missing or empty"]
    del items[2500]
    path.write_text("[\n" + ",\n".join(json.dumps(item, ensure_ascii=False) for item in items) + "\n]\n")
    examples = read_file(path, "set.json")
    assert len(examples) == 2999 and examples[-1].completion == "ответ 2999"


def test_broken_json_inside_a_list_is_located():
    data = b'[\n  {"prompt": "a", "completion": "b"},\n  {"prompt": "c", "completion": }\n]'
    assert problems(read_bytes, data, "set.json") == ["set.json:3: not valid JSON: Expecting value (column 33)"]


def test_a_list_missing_a_comma_or_with_trailing_text():
    assert problems(read_bytes, b'[{"prompt": "a", "completion": "b"}\n {"prompt": "c", "completion": "d"}]',
                    "set.json") == ["set.json:2: expected ',' or ']' after an item"]
    assert problems(read_bytes, b'[{"prompt": "a", "completion": "b"}]\nmore', "set.json") == [
        "set.json:2: text after the end of the list"]


def test_an_over_long_line_is_reported_and_the_next_lines_still_checked(tmp_path, monkeypatch):
    monkeypatch.setattr(datasets, "MAX_LINE_CHARS", 100)
    monkeypatch.setattr(datasets, "MAX_LINE_BYTES", 400)
    path = tmp_path / "set.jsonl"
    path.write_bytes(b'{"prompt": "' + b"a" * 5000 + b'", "completion": "b"}\n{"prompt": "c"}\n')
    assert problems(read_file, path, "set.jsonl") == ["set.jsonl:1: the line is longer than 100 characters",
                                                      "set.jsonl:2: 'completion' is missing or empty"]


def test_size_limits_are_checked_before_reading(tmp_path, monkeypatch):
    monkeypatch.setattr(datasets, "MAX_FILE_BYTES", 1000)
    (tmp_path / "a.jsonl").write_bytes(b'{"prompt": "a", "completion": "b"}\n' * 20)
    (tmp_path / "b.jsonl").write_bytes(b'{"prompt": "a", "completion": "b"}\n' * 20)
    opened = []
    monkeypatch.setattr(datasets.Path, "open", lambda self, *a, **k: opened.append(self))
    assert problems(read_folder, tmp_path, "set") == ["set: the files add up to 0.0 GB; at most 0 GB"]
    assert opened == []


def test_validation_counts_without_keeping_examples(tmp_path):
    (tmp_path / "a.jsonl").write_text('{"prompt": "a", "completion": "b"}\n{"prompt": "c", "completion": "d", '
                                      '"positive": false}\n')
    (tmp_path / "b.csv").write_text("prompt,completion\nq,a\n")
    summary = validate_folder(tmp_path, "set")
    assert (summary.examples, summary.negatives) == (3, 1)
    assert validate_file(tmp_path / "b.csv", "b.csv", positive=False).negatives == 1
