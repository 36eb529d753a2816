"""Retrieval: the passages most relevant to a question, from the vector and the lexical index together."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from embeddings.dense import search_dense
from embeddings.fusion import reciprocal_rank_fusion
from embeddings.store import StoredIndex


@dataclass(frozen=True)
class Hit:
    """A retrieved passage row with its scores: `cosine` is the dense similarity (0 when not computed)."""

    row: int
    fused: float
    cosine: float
    lexical: float


class HybridRetriever:
    """Dense (FAISS) and lexical (BM25) candidates, fused by reciprocal rank."""

    def __init__(self, index: StoredIndex, candidates: int = 50, rrf_k: int = 60) -> None:
        self.index = index
        self.candidates = candidates
        self.rrf_k = rrf_k

    def search(self, query: str, query_vector: np.ndarray, k: int) -> list[Hit]:
        """The best k passages, best first."""
        dense = search_dense(self.index.dense, query_vector, self.candidates)
        lexical = self.index.lexical.search(query, self.candidates)
        fused = reciprocal_rank_fusion([[row for row, _ in dense], [row for row, _ in lexical]], self.rrf_k)[:k]
        cosines = dict(dense)
        bm25 = dict(lexical)
        missing = [row for row, _ in fused if row not in cosines]
        if missing:
            # Lexical-only hits get their true cosine too, so every hit is judged on the same scale.
            vectors = np.asarray(self.index.vectors[sorted(missing)])
            cosines.update(zip(sorted(missing), (vectors @ query_vector).tolist(), strict=True))
        return [Hit(row, score, float(cosines[row]), bm25.get(row, 0.0)) for row, score in fused]
