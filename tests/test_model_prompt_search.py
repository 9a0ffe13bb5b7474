"""The nearest trained prompts among many (hypotez.services.model.prompt_search): above 20,000 prompts
a projected first pass picks candidates, and the prompts it ranks are those an exact pass ranks."""

from __future__ import annotations

import numpy as np

from hypotez.services.model.prompt_search import CANDIDATES, EXACT_UP_TO, PromptSearch
from hypotez.services.model.semantic import SemanticIndex


def sentence_like(count: int, seed: int = 1) -> np.ndarray:
    """Unit vectors spread as a sentence encoder's are: mostly along a few axes, with a common part
    (every pair of questions scores fairly high) and some noise in every direction."""
    rng = np.random.default_rng(seed)
    axes = rng.standard_normal((24, 384)).astype(np.float32)
    rows = (rng.standard_normal((count, 24)).astype(np.float32) @ axes
            + 0.6 * rng.standard_normal((count, 384)).astype(np.float32) + 4.0)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def exact_nearest(vectors, query, limit):
    similarities = vectors @ query
    rows = np.argsort(-similarities, kind="stable")[:limit]
    return rows, similarities[rows]


def index_of(vectors):
    return SemanticIndex("test", vectors, np.zeros((0, 384), np.float32), np.zeros((0, 384), np.float32), "")


def test_many_prompts_rank_as_an_exact_pass_does():
    vectors = sentence_like(60_000)
    index = index_of(vectors)
    rng = np.random.default_rng(2)
    same_first = same_eight = 0
    for row in rng.choice(len(vectors), 200, replace=False):
        query = vectors[row] + 0.03 * rng.standard_normal(384).astype(np.float32)  # a paraphrase of it
        query /= np.linalg.norm(query)
        rows, similarities = index.nearest(query, 8)
        expected, expected_similarities = exact_nearest(vectors, query, 8)
        assert np.allclose(similarities, vectors[rows] @ query, atol=1e-5)  # exact cosines, best first
        assert list(similarities) == sorted(similarities, reverse=True)
        same_first += rows[0] == expected[0] == row
        same_eight += set(rows) == set(expected)
    assert same_first == 200 and same_eight >= 198


def test_few_prompts_are_scored_exactly():
    vectors = sentence_like(EXACT_UP_TO)
    candidates, similarities = PromptSearch(vectors).similarities(vectors[3])
    assert candidates is None and len(similarities) == EXACT_UP_TO
    many = PromptSearch(sentence_like(EXACT_UP_TO + 1))
    candidates, similarities = many.similarities(vectors[3])
    assert candidates is not None and len(candidates) == len(similarities) == CANDIDATES
    assert index_of(sentence_like(5)).nearest(vectors[0], 8)[0].shape == (5,)
