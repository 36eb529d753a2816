"""Score fusion: one ranking from the dense and the lexical rankings."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def reciprocal_rank_fusion(rankings: Sequence[Sequence[int]], k: int = 60) -> list[tuple[int, float]]:
    """Rows ranked by the sum of 1 / (k + rank) over every ranking they appear in (Cormack et al., 2009).

    Args:
        rankings: each a list of rows, best first.
        k: damping; larger k flattens the advantage of the top ranks.

    Returns:
        (row, fused score), best first; ties keep the order of first appearance.
    """
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, row in enumerate(ranking, start=1):
            scores[row] = scores.get(row, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda item: -item[1])


def weighted_fusion(cosines: np.ndarray, bm25: np.ndarray, top_bm25: float, weight: float) -> np.ndarray:
    """weight * cosine + (1 - weight) * BM25 / best BM25 of the query, per row (txtai's hybrid scoring, tuned).

    Dividing by the query's best BM25 puts the lexical score on 0..1 like the cosine, whatever the query's length.

    Args:
        cosines: dense similarity of each row.
        bm25: BM25 score of each row (0 where no word matched).
        top_bm25: the best BM25 score over the whole index for this query (0 when no word matched).
        weight: the dense share, 0..1.

    Returns:
        The fused score of each row.
    """
    lexical = bm25 / top_bm25 if top_bm25 > 0 else np.zeros_like(bm25)
    return (weight * cosines + (1.0 - weight) * lexical).astype(np.float32)
