"""Retrieval: the passages most relevant to a question, from the vector and the lexical index together."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from embeddings.index.dense import search_dense
from embeddings.index.store import StoredIndex
from embeddings.qa.fusion import reciprocal_rank_fusion, weighted_fusion

MODES = ("bm25", "dense", "rrf", "hybrid")


@dataclass(frozen=True)
class Hit:
    """A retrieved passage row with its scores.

    `cosine` is the dense similarity and `lexical` the BM25 score (both computed for every hit, whichever
    index found it); `fused` is the retriever's ranking score.
    """

    row: int
    fused: float
    cosine: float
    lexical: float


class HybridRetriever:
    """Dense (FAISS) and lexical (BM25) candidates, joined into one ranking.

    Args:
        index: the stored index version to search.
        mode: "hybrid" (weighted sum of cosine and max-normalized BM25), "rrf" (reciprocal rank fusion),
            "dense" or "bm25" alone.
        candidates: how many rows each index contributes before fusion.
        weight: the dense share of the hybrid score (tuned on SQuAD dev, see docs/quality.md).
        rrf_k: damping of reciprocal rank fusion.
    """

    def __init__(
        self, index: StoredIndex, mode: str = "hybrid", candidates: int = 50, weight: float = 0.6, rrf_k: int = 60
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown retrieval mode {mode!r}; choose one of {', '.join(MODES)}")
        self.index = index
        self.mode = mode
        self.candidates = candidates
        self.weight = weight
        self.rrf_k = rrf_k

    def search(self, query: str, query_vector: np.ndarray, k: int) -> list[Hit]:
        """The best k passages, best first."""
        bm25 = self.index.lexical.scores(query)
        dense = search_dense(self.index.dense, query_vector, self.candidates) if self.mode != "bm25" else []
        lexical = _top(bm25, self.candidates) if self.mode != "dense" else []
        if self.mode == "rrf":
            ranked = reciprocal_rank_fusion([[row for row, _ in dense], [row for row, _ in lexical]], self.rrf_k)
        else:
            rows = list(dict.fromkeys([row for row, _ in dense] + [row for row, _ in lexical]))
            ranked = [(row, 0.0) for row in rows]
        rows = [row for row, _ in ranked]
        cosines = self._cosines(rows, query_vector, dict(dense))
        lexical_scores = bm25[rows] if bm25 is not None else np.zeros(len(rows), dtype=np.float32)
        if self.mode == "dense":
            fused = cosines
        elif self.mode == "bm25":
            fused = lexical_scores.astype(np.float32)
        elif self.mode == "hybrid":
            top_bm25 = float(bm25.max()) if bm25 is not None else 0.0
            fused = weighted_fusion(cosines, lexical_scores, top_bm25, self.weight)
        else:
            fused = np.array([score for _, score in ranked], dtype=np.float32)
        hits = [
            Hit(row, float(score), float(cosine), float(lexical_score))
            for row, score, cosine, lexical_score in zip(rows, fused, cosines, lexical_scores, strict=True)
        ]
        hits.sort(key=lambda hit: -hit.fused)
        return hits[:k]

    def _cosines(self, rows: list[int], query_vector: np.ndarray, known: dict[int, float]) -> np.ndarray:
        """The cosine of every row; lexical-only rows get theirs from the stored vectors, so all share one scale."""
        missing = sorted(row for row in rows if row not in known)
        if missing:
            vectors = np.asarray(self.index.vectors[missing])
            known = {**known, **dict(zip(missing, (vectors @ query_vector).tolist(), strict=True))}
        return np.array([known[row] for row in rows], dtype=np.float32)


def _top(scores: np.ndarray | None, k: int) -> list[tuple[int, float]]:
    """The k best rows of a BM25 score array, best first, leaving out rows that share no word."""
    if scores is None or k <= 0:
        return []
    k = min(k, len(scores))
    top = np.argpartition(-scores, k - 1)[:k]
    top = top[np.argsort(-scores[top], kind="stable")]
    return [(int(row), float(scores[row])) for row in top if scores[row] > 0]
