"""One Qdrant version, read the way the engine reads an index folder: passages by row, ledes, articles.

Each point is a passage and carries everything answering quotes (verbatim text, heading, paragraph, the article's
title, outlet, date, url and path, its content key), so a bot replica needs only Qdrant and the model. A passage's
row is the integer of its point's UUID (uuid5 of the article, its content key and the passage's place), so ids
stay stable from build to build and a row turns back into a point id without a lookup table.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
from qdrant_client import QdrantClient, models

from embeddings.index.crosslingual import CrossLingualIndex
from embeddings.index.qdrant.collections import FORMAT, TEXT_FIELD
from embeddings.index.store import ArticleRecord, FileRecord, IndexInfo, IndexNotReady, PassageRecord

_NAMESPACE = uuid.UUID("6f1c1a4e-3b0e-4e55-9a53-4f8c1b2d7e10")
_PAGE = 1024
_ARTICLE_FIELDS = ("article_id", "source_id", "key", "path", "title", "outlet", "date", "url")


def point_id(source_id: str, key: str, ordinal: int) -> str:
    """A passage's stable point id: the same article content gives the same ids in every build."""
    return str(uuid.uuid5(_NAMESPACE, f"{source_id}\0{key}\0{ordinal}"))


def article_number(source_id: str) -> int:
    """An article's id (fits Qdrant's signed 64-bit integer index), the same in every build."""
    return uuid.uuid5(_NAMESPACE, source_id).int >> 65


def row_of(point: Any) -> int:
    return uuid.UUID(str(point)).int


def passage_payload(article: ArticleRecord, file: str, ordinal: int, count: int, passage: PassageRecord, terms: str) -> dict:
    """The payload of one passage point (`terms`: its stemmed words, for BM25)."""
    return {
        "article_id": article.id,
        "source_id": article.source_id,
        "key": article.key,
        "path": article.path,
        "title": article.title,
        "outlet": article.outlet,
        "date": article.date,
        "url": article.url,
        "file": file,
        "order": ordinal,
        "first": ordinal == 0,
        "passages": count,
        "paragraph": passage.paragraph,
        "heading": passage.heading,
        "text": passage.text,
        TEXT_FIELD: terms,
    }


def _passage(point: Any) -> PassageRecord:
    payload = point.payload
    return PassageRecord(row_of(point.id), payload["article_id"], payload["paragraph"], payload["heading"], payload["text"])


def _article(payload: dict) -> ArticleRecord:
    return ArticleRecord(*(payload[field] for field in _ARTICLE_FIELDS))


def _match(field: str, values: Sequence[Any]) -> models.FieldCondition:
    return models.FieldCondition(key=field, match=models.MatchAny(any=list(values)))


class QdrantStore:
    """A version collection opened for reading; its name (not the alias) is held, so a question never sees a switch."""

    def __init__(self, client: QdrantClient, collection: str) -> None:
        self.client = client
        self.collection = collection
        try:
            meta = client.get_collection(collection).config.metadata or {}
        except (ValueError, KeyError) as error:
            raise IndexNotReady(f"Qdrant collection {collection} is missing ({error})") from None
        if meta.get("format") != FORMAT:
            raise IndexNotReady(f"Qdrant collection {collection} was not written by this program (format {meta.get('format')})")
        self.meta = meta
        self.info = IndexInfo(
            collection, meta["model"], int(meta["dimension"]), meta["built_at"], meta["articles"], meta["passages"]
        )
        # No cross-lingual index on this backend yet: questions in other languages take the English path.
        self.crosslingual: CrossLingualIndex | None = None
        self._articles: dict[int, ArticleRecord] = {}
        self._lock = threading.Lock()

    def _remember(self, points: Sequence[Any]) -> None:
        with self._lock:
            for point in points:
                if point.payload and "source_id" in point.payload:
                    self._articles.setdefault(point.payload["article_id"], _article(point.payload))

    def scroll(self, query_filter: models.Filter | None, payload: Any = True, vectors: bool = False) -> Iterator[Any]:
        """Every point that matches, page by page."""
        offset = None
        while True:
            points, offset = self.client.scroll(
                self.collection, query_filter, limit=_PAGE, offset=offset, with_payload=payload, with_vectors=vectors
            )
            yield from points
            if offset is None:
                return

    def passages(self, rows: Sequence[int]) -> list[PassageRecord]:
        """Passages by row, in the order asked."""
        if not rows:
            return []
        points = self.client.retrieve(self.collection, [str(uuid.UUID(int=row)) for row in rows], with_payload=True)
        self._remember(points)
        found = {row_of(point.id): _passage(point) for point in points}
        return [found[row] for row in rows]

    def lede(self, article_id: int, paragraphs: int = 2) -> list[PassageRecord]:
        """An article's first body paragraphs, in reading order."""
        where = models.Filter(
            must=[
                models.FieldCondition(key="article_id", match=models.MatchValue(value=article_id)),
                models.FieldCondition(key="paragraph", range=models.Range(lte=paragraphs)),
            ]
        )
        points = sorted(self.scroll(where), key=lambda point: point.payload["order"])
        return [_passage(point) for point in points]

    def article_payloads(self, ids: Sequence[int] | None) -> list[dict]:
        """The first passage's payload of each article (it carries the article's fields and passage count)."""
        must: list = [models.FieldCondition(key="first", match=models.MatchValue(value=True))]
        if ids is not None:
            must.append(_match("article_id", ids))
        fields = [*_ARTICLE_FIELDS, "passages", "file"]
        return [point.payload for point in self.scroll(models.Filter(must=must), payload=fields)]

    def articles(self, ids: Sequence[int] | None = None) -> list[ArticleRecord]:
        if ids is None:
            return sorted((_article(payload) for payload in self.article_payloads(None)), key=lambda a: a.source_id)
        with self._lock:
            missing = [article_id for article_id in ids if article_id not in self._articles]
        if missing:
            with self._lock:
                for payload in self.article_payloads(missing):
                    self._articles.setdefault(payload["article_id"], _article(payload))
        return [self._articles[article_id] for article_id in ids if article_id in self._articles]

    def passage_counts(self) -> dict[int, int]:
        return {payload["article_id"]: payload["passages"] for payload in self.article_payloads(None)}

    def passages_by_article(self) -> dict[int, list[PassageRecord]]:
        """Every passage, grouped by article, in reading order (evaluation maps gold paragraphs with it)."""
        grouped: dict[int, list[tuple[int, PassageRecord]]] = {}
        for point in self.scroll(None, payload=["article_id", "paragraph", "heading", "text", "order"]):
            grouped.setdefault(point.payload["article_id"], []).append((point.payload["order"], _passage(point)))
        return {article: [p for _, p in sorted(items, key=lambda item: item[0])] for article, items in grouped.items()}

    def files(self) -> dict[str, FileRecord]:
        return {name: FileRecord(name, *fields) for name, fields in self.meta.get("files", {}).items()}

    def vectors(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """The stored vectors of these point ids (those that exist), for a build to reuse."""
        found: dict[str, np.ndarray] = {}
        for start in range(0, len(ids), _PAGE):
            points = self.client.retrieve(self.collection, list(ids[start : start + _PAGE]), with_vectors=True)
            found.update({str(point.id): np.asarray(point.vector, dtype=np.float32) for point in points})
        return found

    def close(self) -> None:
        """Nothing to release: the client is shared by the process (see collections.connect)."""
