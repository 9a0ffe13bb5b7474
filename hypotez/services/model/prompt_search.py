"""The nearest trained prompts to a question among many: exact below ``EXACT_UP_TO`` prompts; above,
a first pass over the prompts' vectors projected on their ``DIMENSIONS`` principal axes picks
``CANDIDATES`` rows (or one in 50, if more), which are then scored exactly.

At 100,000 prompts an exact pass is ~6 ms a question (384 products each, reading 150 MB), as much as
the encoder itself; the projected pass reads half of it. A sentence encoder's vectors are far from
isotropic (most of their spread lies on a few axes), so the prompts nearest a question in the
projection include, among their first hundreds, the few nearest in full: only those are ranked, with
their exact cosines.
"""

from __future__ import annotations

import numpy as np

EXACT_UP_TO = 20_000
# Chosen on 40,080 real prompts (the paraphrase benchmark's and Corpus filler) and its 240 paraphrases:
# the exact nearest prompt was among the candidates for 204/240 at 64 axes and 512 candidates, 239 at
# 128 axes, all 240 at 192 (92 % and 96 % of the spread). Candidates grow with the prompts (1 in 50).
DIMENSIONS = 192
CANDIDATES = 1_024
SAMPLE = 20_000  # rows the principal axes are computed from (seeded: the same model, the same axes)


class PromptSearch:
    def __init__(self, vectors: np.ndarray):
        self.vectors = vectors
        self._axes: np.ndarray | None = None
        self._projected: np.ndarray | None = None
        if len(vectors) > EXACT_UP_TO:
            rows = np.random.default_rng(0).choice(len(vectors), size=min(SAMPLE, len(vectors)), replace=False)
            sample = vectors[np.sort(rows)]
            self._centre = sample.mean(axis=0)
            _, _, axes = np.linalg.svd(sample - self._centre, full_matrices=False)
            self._axes = np.ascontiguousarray(axes[:DIMENSIONS].T, dtype=np.float32)  # (384, 64)
            self._projected = np.ascontiguousarray((vectors - self._centre) @ self._axes, dtype=np.float32)

    def similarities(self, query: np.ndarray) -> tuple[np.ndarray | None, np.ndarray]:
        """(rows, their cosines to ``query``): every row (None) when the prompts are few, else the
        candidates the projected pass picked."""
        if self._projected is None or self._axes is None:
            return None, dot(self.vectors, query)
        rough = dot(self._projected, query @ self._axes)  # the centre's share is the same for every row
        wanted = max(CANDIDATES, len(rough) // 50)
        rows = np.argpartition(-rough, wanted - 1)[:wanted]
        return rows, dot(self.vectors[rows], query)


def dot(rows: np.ndarray, vector: np.ndarray) -> np.ndarray:
    """``rows @ vector`` in the calling thread: OpenBLAS would split a 10,000-row product over its
    threads, and on a busy machine waiting for them took 30 ms instead of 3."""
    return np.einsum("ij,j->i", rows, vector)
