"""From ranked passages to the sources we quote: no near-duplicates, another article first only among equals,
newest first among equals when the question asks for the latest news."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

from embeddings.index.store import StoredIndex
from embeddings.qa.recency import article_dates
from embeddings.qa.results import Source

NEAR_DUPLICATE = 0.8  # word-trigram Jaccard at or above which two passages count as the same text (wire copy)
NEWS_TIE = 0.05  # final scores this close to the best count as a tie that recency may break
ARTICLE_TIE = 0.05  # scores this close count as a tie that another article's passage may win
_RECENT = re.compile(r"\b(latest|recent|recently|newest|last|current|currently|now|today|this week|so far)\b", re.I)
_WORD = re.compile(r"\w+")


class Scored(Protocol):
    row: int
    score: float


def asks_for_recent(question: str) -> bool:
    return bool(_RECENT.search(question))


def shingles(text: str) -> frozenset[tuple[str, ...]]:
    words = _WORD.findall(text.lower())
    if len(words) < 3:
        return frozenset([tuple(words)])
    return frozenset(zip(words, words[1:], words[2:], strict=False))


def near_duplicate(a: frozenset, b: frozenset) -> bool:
    return len(a & b) >= NEAR_DUPLICATE * len(a | b)


def newest_first_among_ties(ranked: Sequence[Scored], dates: dict[int, str | None]) -> list[Scored]:
    """Passages scoring within NEWS_TIE of the best, newest article first (undated last); the rest as they were."""
    if not ranked:
        return []
    best = ranked[0].score
    tied = [item for item in ranked if item.score >= best - NEWS_TIE]
    rest = [item for item in ranked if item.score < best - NEWS_TIE]
    tied.sort(key=lambda item: dates.get(item.row) or "", reverse=True)  # ISO dates sort as text; stable otherwise
    return tied + rest


def _without_near_duplicates(ranked: Sequence[Scored], passages: dict) -> list[Scored]:
    kept: list[Scored] = []
    seen: list[frozenset] = []
    for item in ranked:
        fingerprint = shingles(passages[item.row].text)
        if any(near_duplicate(fingerprint, other) for other in seen):
            continue
        seen.append(fingerprint)
        kept.append(item)
    return kept


def spread_over_articles(kept: list[Scored], article_of: dict[int, int], top_k: int) -> list[Scored]:
    """Best first; a new article's passage jumps ahead of a quoted article's only on a near-tie of scores."""
    remaining = list(kept)
    chosen: list[Scored] = []
    quoted: set[int] = set()
    while remaining and len(chosen) < top_k:
        pick = remaining[0]
        if article_of[pick.row] in quoted:
            pick = next(
                (item for item in remaining if article_of[item.row] not in quoted and item.score >= pick.score - ARTICLE_TIE),
                pick,
            )
        remaining.remove(pick)
        chosen.append(pick)
        quoted.add(article_of[pick.row])
    return chosen


def choose_passages(index: StoredIndex, ranked: Sequence[Scored], top_k: int, question: str) -> list[Scored]:
    """Up to top_k passages to quote, in the ranking's order, near-duplicate passages dropped; a passage of an article not yet
    quoted goes ahead of a better one from a quoted article only when their scores are within ARTICLE_TIE.

    Diversity never pushes out the passage that answers: news states the answer in one paragraph, often the second
    or third of the article already quoted, and a weaker article in between would hide it.
    """
    passages = {p.row: p for p in index.passages([item.row for item in ranked])}
    if asks_for_recent(question):
        ranked = newest_first_among_ties(ranked, dict(zip(passages, article_dates(index, list(passages.values())), strict=True)))
    kept = _without_near_duplicates(ranked, passages)
    return spread_over_articles(kept, {row: p.article_id for row, p in passages.items()}, top_k)


def as_sources(index: StoredIndex, rows: Sequence[int], scores: Sequence[float]) -> list[Source]:
    """Passages by row as quotable sources: the verbatim paragraph with its article's title, outlet, date and url."""
    passages = index.passages(rows)
    articles = {a.id: a for a in index.articles(sorted({p.article_id for p in passages}))}
    return [
        Source(
            title=articles[passage.article_id].title,
            outlet=articles[passage.article_id].outlet,
            date=articles[passage.article_id].date,
            url=articles[passage.article_id].url,
            path=articles[passage.article_id].path,
            paragraph=passage.paragraph,
            quote=passage.text,
            score=score,
            heading=passage.heading,
        )
        for passage, score in zip(passages, scores, strict=True)
    ]
