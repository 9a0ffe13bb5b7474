"""Synthetic training data for the model benchmarks: Russian- and English-looking prompts over a
Zipf-distributed vocabulary (a few common words, a long tail of rare ones, like real questions)."""

from __future__ import annotations

import json
import random
from pathlib import Path

SYLLABLES = ["ка", "ро", "ми", "на", "то", "ле", "ва", "ст", "при", "да", "ko", "ra", "mi", "ne", "to",
             "la", "ve", "st", "pre", "do"]


class Corpus:
    def __init__(self, seed: int = 1, vocabulary: int = 20_000):
        self.rng = random.Random(seed)
        self.words = ["".join(self.rng.choice(SYLLABLES) for _ in range(self.rng.randint(2, 4)))
                      for _ in range(vocabulary)]
        self.weights = [1 / (rank + 1) for rank in range(vocabulary)]

    def sentence(self) -> str:
        return " ".join(self.rng.choices(self.words, self.weights, k=self.rng.randint(4, 10)))

    def pairs(self, count: int) -> list[tuple[str, str]]:
        return [(self.sentence() + "?", f"answer {index}: {self.sentence()}") for index in range(count)]


def write_chat_jsonl(path: Path, lines: int, seed: int = 1) -> Path:
    corpus = Corpus(seed)
    with path.open("w", encoding="utf-8") as out:
        for prompt, answer in corpus.pairs(lines):
            out.write(json.dumps({"messages": [{"role": "system", "content": "You are hypotez."},
                                               {"role": "user", "content": prompt},
                                               {"role": "assistant", "content": answer}]},
                                 ensure_ascii=False) + "\n")
    return path
