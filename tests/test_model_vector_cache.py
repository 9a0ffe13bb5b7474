"""The cache of asked questions' vectors: bounded, least recently used out first, read-only vectors."""

import numpy as np
import pytest

from hypotez.services.model.vector_cache import VectorCache


def test_the_least_recently_used_question_leaves_first_when_the_cache_is_full():
    cache = VectorCache(size=2)
    cache.put("a", np.ones(3, dtype=np.float32))
    cache.put("b", np.zeros(3, dtype=np.float32))
    assert cache.get("a") is not None  # "a" is now the most recently used
    cache.put("c", np.full(3, 2.0, dtype=np.float32))
    assert len(cache) == 2
    assert cache.get("b") is None
    assert cache.get("a").tolist() == [1.0, 1.0, 1.0] and cache.get("c").tolist() == [2.0, 2.0, 2.0]


def test_a_cached_vector_cannot_be_changed_by_whoever_got_it():
    cache = VectorCache()
    original = np.ones(3, dtype=np.float32)
    kept = cache.put("a", original)
    original[0] = 5.0  # the caller's array is not the kept one
    assert cache.get("a").tolist() == [1.0, 1.0, 1.0]
    with pytest.raises(ValueError):
        kept[0] = 7.0
