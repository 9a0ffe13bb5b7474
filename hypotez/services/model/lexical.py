"""Words for the lexical index, reduced to their stems (Snowball, through PyStemmer): "подписки",
"подписку" and "подписка" are one word to it, as are "orders" and "ordered" and "order".

Russian words go through the Russian stemmer, the others through the English one. Without PyStemmer
(it is a dependency, but a platform may lack its wheel) words are kept as they are.
"""

from __future__ import annotations

import re

WORD = re.compile(r"(?u)\b\w+\b")
CYRILLIC = re.compile(r"[а-яё]")


class StemmedWords:
    """A tokenizer for scikit-learn's TfidfVectorizer (picklable: the stemmers are made again after a
    model is loaded, not stored in it)."""

    def __init__(self):
        self._stemmers = None

    def __getstate__(self):
        return {}

    def __setstate__(self, state):
        self._stemmers = None

    def _load(self):
        try:
            import Stemmer
        except ImportError:
            return False
        return Stemmer.Stemmer("russian"), Stemmer.Stemmer("english")

    def __call__(self, text: str) -> list[str]:
        if self._stemmers is None:
            self._stemmers = self._load()
        words = WORD.findall(text)
        if not self._stemmers:
            return words
        russian, english = self._stemmers
        return [russian.stemWord(w) if CYRILLIC.search(w) else english.stemWord(w) for w in words]
