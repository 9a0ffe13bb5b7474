"""The retrieval model the local backend trains and answers with: search over the training examples.

With a sentence encoder (:mod:`hypotez.services.model.encoders`, the ``offline`` extra) a question is
answered from the trained prompt nearest in meaning (:mod:`hypotez.services.model.semantic`: other word
forms, word order, synonyms); without one, or for a model saved before encoders, from the lexical index
below.

Lexically, prompts are vectorised with TF-IDF over words and character n-grams (so it works for Russian and
English alike, and tolerates typos); a question is answered with the completion of the most similar
training prompt, if it is similar enough. Negative examples say what not to answer: an answer marked
negative for a prompt is never given for that prompt (or one very close to it).

Search goes through an inverted index (the prompt matrix by column: for each n-gram, the prompts
that have it), so a reply does not cost a pass over every example: the query's rarest n-grams are
walked first, up to a fixed budget of postings, to collect candidates, and the best candidates are
then scored exactly (cosine). Rare n-grams are what a close prompt shares with the question, so the
nearest prompt is among the candidates; on small models the budget covers every posting and the
search is exhaustive.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from hypotez.services.durable import fsync_dir, fsync_file
from hypotez.services.model.datasets import Example
from hypotez.services.model.lexical import StemmedWords
from hypotez.services.model.semantic import Matcher, SemanticIndex, fingerprint

# scikit-learn, scipy and joblib are imported where they are used: importing them costs seconds, and
# the bot should start (and restart after a crash) without paying that before a model exists.
if TYPE_CHECKING:
    from sklearn.feature_extraction.text import TfidfVectorizer

log = logging.getLogger("hypotez.model")

NEIGHBOURS = 8
# Postings walked per query (rarest n-grams first) and candidates scored exactly: they bound the
# cost of a reply whatever the number of examples.
POSTINGS_BUDGET = 50_000
CANDIDATES = 256
MIN_FEATURES = 8
QUERY_CHARS = 500
# New prompts encoded in one training at most, for an encoder that does not say (its
# ``most_per_training``): 10-30 ms a prompt on a small machine, within a job's 30-minute time-out.
MAX_ENCODED = 30_000
# A negative example bans its answer for prompts at least this similar to its own prompt.
NEGATIVE_SIMILARITY = 0.8


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.lower()).strip()


@dataclass(frozen=True, slots=True)
class Match:
    prompt: str
    answer: str
    similarity: float


class RetrievalModel:
    """A fitted model. Build with :meth:`fit`; persist with :meth:`save` / :meth:`load`."""

    def __init__(self, positives: list[Example], negatives: list[Example], words: TfidfVectorizer | None,
                 chars: TfidfVectorizer | None, matrix=None, negative_vectors=None, postings=None,
                 semantic: SemanticIndex | None = None, matcher: Matcher | None = None):
        self.positives = positives
        self.negatives = negatives
        self.words = words
        self.chars = chars
        self.matrix = matrix  # one l2-normalised row per positive prompt (CSR)
        self.postings = postings if postings is not None or matrix is None else matrix.tocsc()
        self.negative_vectors = negative_vectors
        # The semantic index answers when its encoder is the one this process has.
        self.semantic = semantic
        self.matcher = matcher if semantic is not None and matcher is not None and matcher.name == semantic.encoder \
            else None

    @property
    def semantic_ready(self) -> bool:
        return self.matcher is not None

    @classmethod
    def fit(cls, examples: list[Example], matcher: Matcher | None = None,
            previous: "RetrievalModel | None" = None, stop: threading.Event | None = None) -> "RetrievalModel":
        """A model of ``examples``; with ``matcher``, also their vectors (those of ``previous``, the
        model it replaces, are reused for the prompts it already had). ``stop``, once set, ends the
        encoding with :class:`~hypotez.services.model.semantic.TrainingStopped`."""
        positives = _dedupe([e for e in examples if e.positive])
        negatives = _dedupe([e for e in examples if not e.positive])
        if not positives:
            return cls([], negatives, None, None)
        prompts = [normalise(e.prompt) for e in positives]
        from sklearn.feature_extraction.text import TfidfVectorizer

        words = TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True, tokenizer=StemmedWords(),
                                token_pattern=None, lowercase=False)
        chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True)
        matrix = _combine(words.fit_transform(prompts), chars.fit_transform(prompts))
        semantic = None
        if matcher is not None:
            known = (previous.semantic_vectors() if previous is not None else None) or {}
            new = sum(1 for prompt in prompts if prompt not in known)
            most = getattr(matcher.encoder, "most_per_training", MAX_ENCODED)
            if new <= most:
                semantic = SemanticIndex.build(matcher, prompts, [normalise(e.prompt) for e in negatives], known,
                                               stop)
            else:
                log.warning("%d new prompts are more than the encoder gets through in a training job (%d): "
                            "this model matches questions by their words only", new, most)
        model = cls(positives, negatives, words, chars, matrix, semantic=semantic, matcher=matcher)
        if negatives:
            model.negative_vectors = model._vectors([normalise(e.prompt) for e in negatives])
        return model

    def semantic_vectors(self) -> dict | None:
        """This model's prompt vectors by normalised prompt (to reuse when retraining), if it has them."""
        if self.matcher is None or self.semantic is None:
            return None
        return self.semantic.by_prompt([normalise(e.prompt) for e in self.positives],
                                       [normalise(e.prompt) for e in self.negatives])

    def _vectors(self, texts: list[str]):
        assert self.words is not None and self.chars is not None
        return _combine(self.words.transform(texts), self.chars.transform(texts))

    def matches(self, text: str, limit: int = NEIGHBOURS, min_similarity: float = 0.0) -> list[Match]:
        """The nearest training examples whose answer is not banned for this text, best first."""
        if self.matrix is None:
            return []
        if self.matcher is not None:
            return self._semantic_matches(text, limit, min_similarity)
        vector = self._vectors([normalise(text)])
        if vector.nnz == 0:
            return []
        rows = self._candidates(vector)
        similarities = (self.matrix[rows] @ vector.T).toarray().ravel()
        banned = self._banned_answers(vector)
        found = []
        for position in np.argsort(-similarities, kind="stable"):
            similarity = float(similarities[position])
            if similarity <= 0.0 or similarity < min_similarity or len(found) >= limit:
                break
            example = self.positives[int(rows[position])]
            if normalise(example.completion) not in banned:
                found.append(Match(example.prompt, example.completion, similarity))
        return found

    def _semantic_matches(self, text: str, limit: int, min_similarity: float) -> list[Match]:
        assert self.matcher is not None and self.semantic is not None
        # A question is a sentence or two; the rest of a long message would cost encoding time (the
        # engine's time grows with the text) without changing which prompt is nearest.
        query = self.matcher.query(normalise(text)[:QUERY_CHARS])
        # A few more than asked for: banned answers are skipped.
        rows, similarities = self.semantic.nearest(query, limit + NEIGHBOURS)
        confidences = self.semantic.confidence(query, similarities)
        banned = {normalise(self.negatives[i].completion) for i in self.semantic.banned_rows(query)}
        if self.negative_vectors is not None:
            banned |= self._banned_answers(self._vectors([normalise(text)]))
        found = []
        for row, confidence in zip(rows, confidences):
            if confidence <= 0.0 or confidence < min_similarity or len(found) >= limit:
                break
            example = self.positives[int(row)]
            if normalise(example.completion) not in banned:
                found.append(Match(example.prompt, example.completion, float(confidence)))
        return found

    def _candidates(self, vector) -> np.ndarray:
        """Prompts sharing the query's rarest n-grams, best partial scores first (at most CANDIDATES)."""
        postings = self.postings
        columns, weights = vector.indices, vector.data
        starts, ends = postings.indptr[columns], postings.indptr[columns + 1]
        rarest = np.argsort(ends - starts, kind="stable")
        walked = np.cumsum((ends - starts)[rarest])
        chosen = rarest[:max(MIN_FEATURES, int(np.searchsorted(walked, POSTINGS_BUDGET, side="right")))]
        rows = np.concatenate([postings.indices[starts[i]:ends[i]] for i in chosen])
        partial = np.concatenate([postings.data[starts[i]:ends[i]] * weights[i] for i in chosen])
        scores = np.bincount(rows, weights=partial, minlength=postings.shape[0])
        candidates = np.flatnonzero(scores)
        if len(candidates) > CANDIDATES:
            candidates = candidates[np.argpartition(scores[candidates], -CANDIDATES)[-CANDIDATES:]]
        return candidates

    def _banned_answers(self, vector) -> set[str]:
        if not self.negatives or self.negative_vectors is None:
            return set()
        similarities = (self.negative_vectors @ vector.T).toarray().ravel()
        return {normalise(self.negatives[i].completion) for i in np.nonzero(similarities >= NEGATIVE_SIMILARITY)[0]}

    def answer(self, text: str, threshold: float) -> Match | None:
        best = next(iter(self.matches(text, NEIGHBOURS, threshold)), None)
        return best if best is not None and best.similarity >= threshold else None

    def save(self, folder: Path) -> None:
        """Write to a temporary folder, then rename: a crash never leaves a half-written model."""
        partial = folder.with_name(folder.name + ".partial")
        partial.mkdir(parents=True, exist_ok=True)
        import joblib

        joblib.dump({"words": self.words, "chars": self.chars, "matrix": self.matrix,
                     "postings": self.postings, "negative_vectors": self.negative_vectors},
                    partial / "model.joblib")
        with (partial / "examples.jsonl").open("w", encoding="utf-8") as out:
            for example in self.positives + self.negatives:
                out.write(json.dumps({"prompt": example.prompt, "completion": example.completion,
                                      "positive": example.positive}, ensure_ascii=False) + "\n")
        for written in (partial / "model.joblib", partial / "examples.jsonl"):
            fsync_file(written)
        if self.semantic is not None:
            self.semantic.save(partial)
        os.replace(partial, folder)
        fsync_dir(folder.parent)

    @classmethod
    def load(cls, folder: Path, matcher: Matcher | None = None) -> "RetrievalModel":
        """The model saved in ``folder``. With ``matcher``, a model saved without its vectors (before
        encoders, or by another encoder) gets them now, saved next to it: it answers semantically."""
        import joblib

        parts = joblib.load(folder / "model.joblib")
        positives, negatives = [], []
        with (folder / "examples.jsonl").open(encoding="utf-8") as lines:
            for line in lines:
                obj = json.loads(line)
                (positives if obj["positive"] else negatives).append(
                    Example(obj["prompt"], obj["completion"], obj["positive"]))
        matrix = parts.get("matrix")
        if matrix is None and parts.get("index") is not None:  # saved before the inverted index
            matrix = parts["index"]._fit_X
        semantic = SemanticIndex.load(folder)
        prompts = [normalise(e.prompt) for e in positives]
        if matcher is not None and positives and (semantic is None or semantic.encoder != matcher.name
                                                  or semantic.fingerprint != fingerprint(prompts)):
            log.info("model %s: encoding its %d prompts with %s", folder.name, len(positives), matcher.name)
            semantic = SemanticIndex.build(matcher, prompts, [normalise(e.prompt) for e in negatives])
            try:
                semantic.save(folder)
            except OSError as error:  # answered from memory all the same; encoded again next start
                log.warning("model %s: cannot save its vectors (%s)", folder.name, error)
        return cls(positives, negatives, parts["words"], parts["chars"], matrix, parts["negative_vectors"],
                   parts.get("postings"), semantic, matcher)

    @property
    def examples(self) -> list[Example]:
        return self.positives + self.negatives


def _combine(a, b):
    from scipy.sparse import hstack

    return hstack([a, b]).tocsr() / np.sqrt(2.0)


def _dedupe(examples: list[Example]) -> list[Example]:
    """Later examples win: retraining with a new answer for the same prompt replaces the old one."""
    latest: dict[tuple[str, str] | str, Example] = {}
    for example in examples:
        key = normalise(example.prompt) if example.positive else (normalise(example.prompt),
                                                                   normalise(example.completion))
        latest.pop(key, None)
        latest[key] = example
    return list(latest.values())
