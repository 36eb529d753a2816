"""Retrieval from a Qdrant version: dense and BM25 candidates from Qdrant, joined by the same fusion as FAISS + bm25s.

BM25 runs on Qdrant's scored text index over the passages' stemmed words (lexical.terms, the bm25s tokenizer), with
bm25s's k1 and b. Qdrant's BM25 is the textbook one, with the (k1 + 1) factor bm25s's Lucene variant leaves out:
dividing by it gives bm25s's scores, so both backends give the same hits with the same scores.
"""

from __future__ import annotations

import uuid
from collections import Counter

import numpy as np
from qdrant_client import models

from embeddings.index.lexical import terms
from embeddings.index.qdrant.collections import TEXT_FIELD
from embeddings.index.qdrant.store import QdrantStore, row_of
from embeddings.qa.fusion import reciprocal_rank_fusion, weighted_fusion
from embeddings.qa.retriever import MODES, Hit

BM25_K1 = 1.5  # bm25s's defaults (its "lucene" variant)
BM25_B = 0.75


class QdrantRetriever:
    """HybridRetriever's modes and scores, with the candidates and every score computed by Qdrant."""

    def __init__(
        self, index: QdrantStore, mode: str = "hybrid", candidates: int = 50, weight: float = 0.6, rrf_k: int = 60
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown retrieval mode {mode!r}; choose one of {', '.join(MODES)}")
        self.index = index
        self.mode = mode
        self.candidates = candidates
        self.weight = weight
        self.rrf_k = rrf_k

    def _text(self, words: str) -> models.TextQuery:
        scoring = models.Bm25Scoring(bm25=models.Bm25Params(k=BM25_K1, b=BM25_B))
        return models.TextQuery(text=models.TextQueryInput(query=words, scoring=scoring))

    def _ask(self, vector: list[float] | None, words: str, only: list[str] | None = None) -> list[dict[int, float]]:
        """Dense and BM25 scores, best first, in one round trip: the top candidates, or those of the `only` ids."""
        where = models.Filter(must=[models.HasIdCondition(has_id=only)]) if only is not None else None
        limit = len(only) if only is not None else self.candidates
        requests = []
        if vector is not None:
            requests.append(models.QueryRequest(query=vector, limit=limit, filter=where))
        if words:
            requests.append(models.QueryRequest(query=self._text(words), using=TEXT_FIELD, limit=limit, filter=where))
        answers = iter(self.index.client.query_batch_points(self.index.collection, requests) if requests and limit else [])
        dense = {row_of(p.id): p.score for p in next(answers).points} if vector is not None and limit else {}
        lexical = {row_of(p.id): p.score / (1.0 + BM25_K1) for p in next(answers).points} if words and limit else {}
        return [dense, lexical]

    def _with_repeats(self, scores: dict[int, float], repeats: list[str]) -> dict[int, float]:
        """bm25s scores a word as often as the question repeats it, Qdrant once: add the repeats' BM25, best first."""
        if not scores or not repeats:
            return scores
        ids = [str(uuid.UUID(int=row)) for row in scores]
        corrected = dict(scores)
        for words in repeats:
            for row, score in self._ask(None, words, ids)[1].items():
                corrected[row] += score
        return dict(sorted(corrected.items(), key=lambda item: -item[1]))

    def search(self, query: str, query_vector: np.ndarray, k: int) -> list[Hit]:
        """The best k passages, best first."""
        tokens = terms(query)
        words, repeats = " ".join(dict.fromkeys(tokens)), _repeats(tokens)
        vector = [float(x) for x in query_vector]
        dense, lexical = self._ask(vector if self.mode != "bm25" else None, words if self.mode != "dense" else "")
        lexical = self._with_repeats({row: score for row, score in lexical.items() if score > 0}, repeats)
        top_bm25 = max(lexical.values(), default=0.0)
        if self.mode == "rrf":
            ranked = reciprocal_rank_fusion([list(dense), list(lexical)], self.rrf_k)
        else:
            ranked = [(row, 0.0) for row in dict.fromkeys([*dense, *lexical])]
        rows = [row for row, _ in ranked]
        # Every hit gets both scores, whichever list found it, so all share one scale (as with FAISS + bm25s).
        cosines, bm25 = dict(dense), dict(lexical)
        missing_dense = [str(uuid.UUID(int=row)) for row in rows if row not in cosines]
        missing_lexical = [str(uuid.UUID(int=row)) for row in rows if row not in bm25]
        if missing_dense:
            cosines.update(self._ask(vector, "", missing_dense)[0])
        if missing_lexical and words:
            bm25.update(self._with_repeats(self._ask(None, words, missing_lexical)[1], repeats))
        cosine_scores = np.array([cosines.get(row, 0.0) for row in rows], dtype=np.float32)
        lexical_scores = np.array([bm25.get(row, 0.0) for row in rows], dtype=np.float32)
        if self.mode == "dense":
            fused = cosine_scores
        elif self.mode == "bm25":
            fused = lexical_scores
        elif self.mode == "hybrid":
            fused = weighted_fusion(cosine_scores, lexical_scores, top_bm25, self.weight)
        else:
            fused = np.array([score for _, score in ranked], dtype=np.float32)
        hits = [
            Hit(row, float(f), float(c), float(b))
            for row, f, c, b in zip(rows, fused, cosine_scores, lexical_scores, strict=True)
        ]
        hits.sort(key=lambda hit: -hit.fused)
        return hits[:k]


def _repeats(tokens: list[str]) -> list[str]:
    """The words a question repeats, one query per extra time: "doctor ... doctor" -> ["doctor"]."""
    counts = Counter(tokens)
    return [
        " ".join(word for word, count in counts.items() if count >= times)
        for times in range(2, max(counts.values(), default=0) + 1)
    ]
