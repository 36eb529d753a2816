"""The lexical index: BM25 (bm25s) over stemmed words, for names, numbers and exact phrases."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import bm25s
import numpy as np
import Stemmer

_STEMMER = Stemmer.Stemmer("english")


def _tokenize(texts: Sequence[str]) -> list[list[str]]:
    return bm25s.tokenize(list(texts), stopwords="en", stemmer=_STEMMER, show_progress=False, return_ids=False)


def terms(text: str) -> list[str]:
    """The words BM25 sees in `text` (stop words dropped, stemmed): what the Qdrant backend indexes and queries."""
    return _tokenize([text])[0]


class LexicalIndex:
    """BM25 over passages; rows are passage numbers, as in the vector index."""

    def __init__(self, bm25: bm25s.BM25) -> None:
        self._bm25 = bm25
        self._vocab: dict[str, int] = bm25.vocab_dict

    @classmethod
    def build(cls, texts: Sequence[str]) -> LexicalIndex:
        bm25 = bm25s.BM25()
        bm25.index(_tokenize(texts) if texts else [[""]], show_progress=False)
        return cls(bm25)

    def save(self, folder: Path) -> None:
        self._bm25.save(str(folder))

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        return cls(bm25s.BM25.load(str(folder), mmap=True))

    def scores(self, query: str) -> np.ndarray | None:
        """The BM25 score of every row for `query`; None when the query shares no word with the index."""
        terms = [term for term in _tokenize([query])[0] if term in self._vocab]
        if not terms:
            return None
        return self._bm25.get_scores(terms)
