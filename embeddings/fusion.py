"""Score fusion: one ranking from the dense and the lexical rankings."""

from __future__ import annotations

from collections.abc import Sequence


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
