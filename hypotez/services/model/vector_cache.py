"""The vectors of recently asked questions, by text: people ask a bot the same few questions over and
over ("как тебя зовут?"), and encoding one costs 20-25 ms of CPU while looking it up costs
microseconds. Bounded (least recently used out first) and safe to share between threads (replies are
answered in worker threads)."""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np

# 4,096 vectors of 384 floats: 6 MB, for the whole process (the Matcher is shared by every server).
SIZE = 4096


class VectorCache:
    def __init__(self, size: int = SIZE):
        self.size = size
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, text: str) -> np.ndarray | None:
        with self._lock:
            vector = self._vectors.get(text)
            if vector is not None:
                self._vectors.move_to_end(text)
            return vector

    def put(self, text: str, vector: np.ndarray) -> np.ndarray:
        """Keep ``vector`` for ``text``; returns the kept (read-only) copy."""
        vector = vector.copy()
        vector.flags.writeable = False  # shared between replies: nobody may change it in place
        with self._lock:
            self._vectors[text] = vector
            self._vectors.move_to_end(text)
            while len(self._vectors) > self.size:
                self._vectors.popitem(last=False)
        return vector

    def clear(self) -> None:
        with self._lock:
            self._vectors.clear()

    def __len__(self) -> int:
        return len(self._vectors)
