"""The semantic half of the local model: trained prompts as sentence vectors, and the rule that decides
whether the nearest one is near enough.

A sentence encoder scores every pair of questions fairly high (multilingual-e5 gives 0.80-0.90 to
"How much is a cinema ticket?" and "How much is the subscription?" alike, and to a paraphrase with a
typo), so one absolute threshold cannot separate a paraphrase from another question of the same shape.
The rule therefore also compares the question with a *background*: a few hundred everyday questions on
every topic (``data/background.txt``), the "none of the above" class. A question is answered only if
the trained prompt it is nearest to is nearer than anything in the background (by ``MARGIN``) and not
below ``FLOOR``. Background questions that are themselves close to a trained prompt are left out for
that model, so training a bot on such a topic still works.

The decision is reported as a confidence on the same 0-1 scale as the lexical similarity, with the
calibrated boundary at the default ``threshold`` (0.55): a bot's ``threshold`` keeps its meaning
(higher is stricter) whichever index answers.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Iterable, Mapping

import numpy as np

from hypotez.errors import HypotezError
from hypotez.services.durable import fsync_dir, fsync_file
from hypotez.services.model.encoders import Encoder
from hypotez.services.model.prompt_search import PromptSearch, dot
from hypotez.services.model.vector_cache import VectorCache

log = logging.getLogger("hypotez.model")

FILE = "semantic.npz"
# The calibrated boundary (chosen on benchmarks/data/paraphrase_{ru,en}.json, not on the held-out sets;
# README "Model service" has the trade-off at other margins):
# nearest prompt at least MARGIN nearer than the nearest background question, and at least FLOOR.
MARGIN = 0.01
FLOOR = 0.80
# Confidence = DEFAULT_THRESHOLD at the boundary, + SCALE per unit of cosine above it.
DEFAULT_THRESHOLD = 0.55
SCALE = 5.0
# A background question this close to a trained prompt is about the bot's own topic: left out.
BACKGROUND_OVERLAP = 0.93
# A negative example bans its answer for questions at least this close to its prompt.
NEGATIVE_SIMILARITY = 0.95


BACKGROUND_VECTORS = "data/background.{encoder}.npz"
# Prompts encoded between two looks at a training's stop signal: ~1.4 s on onnxruntime in two threads,
# so a bot stopped mid-training exits within seconds (its job is resumed when it starts again).
STOP_CHECK_EVERY = 512


class TrainingStopped(HypotezError):
    """A training was asked to stop (the bot stopping, the job's time-out) before its vectors were made."""


def _data(name: str):
    return resources.files("hypotez.services.model").joinpath(name)


def background_questions() -> list[str]:
    text = _data("data/background.txt").read_text("utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def shipped_background(encoder: str, questions: list[str]) -> np.ndarray | None:
    """The background's vectors shipped with the package for ``encoder`` (encoding them takes seconds),
    if they were made from these very questions; else None."""
    shipped = _data(BACKGROUND_VECTORS.format(encoder=encoder))
    if not shipped.is_file():
        return None
    with shipped.open("rb") as file, np.load(file, allow_pickle=False) as parts:
        if str(parts["fingerprint"]) != fingerprint(questions):
            return None
        return parts["vectors"].astype(np.float32)


def write_background(matcher: "Matcher", folder: Path) -> Path:
    """Encode the background and write it where :func:`shipped_background` finds it (run after editing
    ``data/background.txt``; tests/test_model_paraphrase.py checks the shipped file is current)."""
    questions = background_questions()
    path = folder / Path(BACKGROUND_VECTORS.format(encoder=matcher.name)).name
    np.savez(path, vectors=matcher.encode(questions).astype(np.float16), fingerprint=np.array(fingerprint(questions)))
    return path


class Matcher:
    """An encoder and its background vectors: what a model needs to answer semantically. One per
    process (the local Model service owns it), shared by every server's model."""

    def __init__(self, encoder: Encoder):
        self.encoder = encoder
        self.name = encoder.name
        self._background: np.ndarray | None = None
        self.asked = VectorCache()  # questions' vectors, by text

    @property
    def background(self) -> np.ndarray:
        if self._background is None:
            questions = background_questions()
            self._background = shipped_background(self.name, questions)
            if self._background is None:  # the questions were edited: a few seconds, once per process
                log.info("encoding the %d background questions with %s", len(questions), self.name)
                self._background = self.encoder.encode(questions)
        return self._background

    def encode(self, texts: list[str]) -> np.ndarray:
        return self.encoder.encode(texts)

    def query(self, text: str) -> np.ndarray:
        """The vector of one question asked, from the cache when it was asked lately (read-only)."""
        vector = self.asked.get(text)
        if vector is None:
            vector = self.asked.put(text, self.encoder.encode([text])[0])
        return vector


@dataclass
class SemanticIndex:
    encoder: str  # the encoder's name: vectors of another encoder are never compared with these
    vectors: np.ndarray  # one L2-normalised row per positive prompt
    negatives: np.ndarray  # one row per negative example's prompt
    background: np.ndarray  # the background questions kept for this model
    fingerprint: str  # of the prompts the vectors were made from

    def __post_init__(self) -> None:
        self._search = PromptSearch(self.vectors)

    @classmethod
    def build(cls, matcher: Matcher, prompts: list[str], negative_prompts: list[str],
              known: Mapping[str, np.ndarray] | None = None,
              stop: threading.Event | None = None) -> "SemanticIndex":
        """Vectors for ``prompts``; those in ``known`` (the previous model's, by prompt) are reused,
        so retraining with a few more examples encodes only those. When ``stop`` is set, raises
        :class:`TrainingStopped` within ``STOP_CHECK_EVERY`` prompts."""
        known = known or {}
        vectors = _encode_missing(matcher, prompts, known, stop)
        negatives = _encode_missing(matcher, negative_prompts, known, stop)
        background = matcher.background
        if len(vectors) and len(background):
            overlap = _max_similarity(background, vectors)
            background = background[overlap < BACKGROUND_OVERLAP]
        return cls(matcher.name, vectors, negatives, background, fingerprint(prompts))

    def nearest(self, query: np.ndarray, limit: int) -> tuple[np.ndarray, np.ndarray]:
        """Rows of the ``limit`` nearest prompts, best first, and their cosine similarities."""
        candidates, similarities = self._search.similarities(query)
        limit = min(limit, len(similarities))
        if limit <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        best = np.argpartition(-similarities, limit - 1)[:limit]
        best = best[np.argsort(-similarities[best], kind="stable")]
        return (best if candidates is None else candidates[best]), similarities[best]

    def confidence(self, query: np.ndarray, similarities: np.ndarray) -> np.ndarray:
        """The calibrated 0-1 confidence for prompts at these similarities to ``query``."""
        background = float(np.max(self.background @ query)) if len(self.background) else -1.0
        boundary = max(background + MARGIN, FLOOR)
        return np.clip(DEFAULT_THRESHOLD + (similarities - boundary) * SCALE, 0.0, 1.0)

    def banned_rows(self, query: np.ndarray) -> np.ndarray:
        """Negative examples whose prompt ``query`` is close to."""
        if not len(self.negatives):
            return np.zeros(0, dtype=np.int64)
        return np.flatnonzero(dot(self.negatives, query) >= NEGATIVE_SIMILARITY)

    def by_prompt(self, prompts: list[str], negative_prompts: list[str]) -> dict[str, np.ndarray]:
        known = dict(zip(negative_prompts, self.negatives))
        known.update(zip(prompts, self.vectors))
        return known

    # -- persistence ------------------------------------------------------------------------

    def save(self, folder: Path) -> None:
        path = folder / FILE
        partial = folder / (FILE + ".partial")
        with partial.open("wb") as out:
            np.savez(out, encoder=np.array(self.encoder), vectors=self.vectors.astype(np.float16),
                     negatives=self.negatives.astype(np.float16), background=self.background.astype(np.float16),
                     fingerprint=np.array(self.fingerprint))
        fsync_file(partial)
        os.replace(partial, path)
        fsync_dir(folder)

    @classmethod
    def load(cls, folder: Path) -> "SemanticIndex | None":
        path = folder / FILE
        if not path.is_file():
            return None
        with np.load(path, allow_pickle=False) as parts:
            return cls(str(parts["encoder"]), parts["vectors"].astype(np.float32),
                       parts["negatives"].astype(np.float32), parts["background"].astype(np.float32),
                       str(parts["fingerprint"]))


def fingerprint(prompts: Iterable[str]) -> str:
    digest = hashlib.sha256()
    for prompt in prompts:
        digest.update(prompt.encode("utf-8") + b"\0")
    return digest.hexdigest()


def _encode_missing(matcher: Matcher, texts: list[str], known: Mapping[str, np.ndarray],
                    stop: threading.Event | None = None) -> np.ndarray:
    out = np.zeros((len(texts), matcher.encoder.dim), dtype=np.float32)
    missing = [i for i, text in enumerate(texts) if text not in known]
    for i, text in enumerate(texts):
        if text in known:
            out[i] = known[text]
    # In chunks when it may be stopped: a thread cannot be interrupted, so it looks between chunks.
    step = STOP_CHECK_EVERY if stop is not None else max(len(missing), 1)
    for start in range(0, len(missing), step):
        if stop is not None and stop.is_set():
            raise TrainingStopped(f"stopped after encoding {start} of {len(missing)} prompts")
        rows = missing[start:start + step]
        out[rows] = matcher.encode([texts[i] for i in rows])
    return out


def _max_similarity(rows: np.ndarray, against: np.ndarray, chunk: int = 4096) -> np.ndarray:
    """For each of ``rows``, its highest cosine to any of ``against`` (in chunks: bounded memory)."""
    best = np.full(len(rows), -1.0, dtype=np.float32)
    for start in range(0, len(against), chunk):
        np.maximum(best, (rows @ against[start:start + chunk].T).max(axis=1), out=best)
    return best

