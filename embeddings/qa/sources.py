"""From ranked passages to the sources we quote: no near-duplicates, one passage per article first, newest first
among equals when the question asks for the latest news."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

from embeddings.index.store import StoredIndex
from embeddings.qa.results import Source

NEAR_DUPLICATE = 0.8  # word-trigram Jaccard at or above which two passages count as the same text (wire copy)
NEWS_TIE = 0.05  # final scores this close to the best count as a tie that recency may break
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


def choose_sources(index: StoredIndex, ranked: Sequence[Scored], top_k: int, question: str) -> list[Source]:
    """Up to top_k sources, best first: near-duplicate passages dropped, at most one per article unless fewer
    articles than top_k are relevant (then further passages of the same articles fill in)."""
    passages = {p.row: p for p in index.passages([item.row for item in ranked])}
    articles = {a.id: a for a in index.articles(sorted({p.article_id for p in passages.values()}))}
    if asks_for_recent(question):
        ranked = newest_first_among_ties(ranked, {row: articles[p.article_id].date for row, p in passages.items()})
    kept: list[Scored] = []
    seen: list[frozenset] = []
    for item in ranked:
        fingerprint = shingles(passages[item.row].text)
        if any(near_duplicate(fingerprint, other) for other in seen):
            continue
        seen.append(fingerprint)
        kept.append(item)
    first_per_article: list[Scored] = []
    used_articles: set[int] = set()
    for item in kept:
        article_id = passages[item.row].article_id
        if article_id not in used_articles:
            used_articles.add(article_id)
            first_per_article.append(item)
    chosen = first_per_article[:top_k]
    if len(chosen) < top_k:
        chosen_rows = {item.row for item in chosen}
        chosen += [item for item in kept if item.row not in chosen_rows][: top_k - len(chosen)]
        chosen.sort(key=lambda item: kept.index(item))
    sources = []
    for item in chosen:
        passage = passages[item.row]
        article = articles[passage.article_id]
        sources.append(
            Source(
                title=article.title,
                outlet=article.outlet,
                date=article.date,
                url=article.url,
                path=article.path,
                paragraph=passage.paragraph,
                quote=passage.text,
                score=float(item.score),
                heading=passage.heading,
            )
        )
    return sources
