"""What the engine needs from an index version, whichever backend holds it (FAISS + SQLite folder, or Qdrant)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from embeddings.index.crosslingual import CrossLingualIndex
from embeddings.index.store import ArticleRecord, IndexInfo, PassageRecord


class PassageStore(Protocol):
    """One immutable index version: passages by row, an article's lede, and the articles with their passage counts."""

    info: IndexInfo
    crosslingual: CrossLingualIndex | None  # the vectors questions in other languages search (None: English only)

    def passages(self, rows: Sequence[int]) -> list[PassageRecord]: ...

    def lede(self, article_id: int, paragraphs: int = 2) -> list[PassageRecord]: ...

    def articles(self, ids: Sequence[int] | None = None) -> list[ArticleRecord]: ...

    def passage_counts(self) -> dict[int, int]: ...

    def passages_by_article(self) -> dict[int, list[PassageRecord]]: ...

    def close(self) -> None: ...
