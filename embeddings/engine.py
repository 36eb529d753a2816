"""The engine: the one object front ends talk to. Question in, `Answer` out; nothing here formats for a UI."""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from embeddings.encoder import Encoder, load_encoder
from embeddings.reader import MIN_RELEVANCE, best_sentence
from embeddings.results import Answer, Source
from embeddings.retriever import Hit, HybridRetriever
from embeddings.settings import Settings
from embeddings.store import IndexInfo, StoredIndex, current_version, open_index

# A question that leans on the previous one: short, or opening with "and", "what about", a pronoun...
_FOLLOW_UP = re.compile(
    r"^(and|but|also|so|what about|how about|then)\b|\b(he|she|it|they|them|his|her|its|their|that|this|those|these)\b",
    re.IGNORECASE,
)


class EmptyQuestion(ValueError):
    """The question has no text."""


@dataclass(frozen=True)
class ArticleSummary:
    title: str
    outlet: str | None
    date: str | None
    url: str | None
    path: str
    passages: int


def with_context(question: str, history: Sequence[str]) -> str:
    """The text to retrieve with: a follow-up question borrows the previous question's words."""
    if history and _FOLLOW_UP.search(question):
        return f"{history[-1]} {question}"
    return question


class Engine:
    """Answers questions from the live index version; `reload()` switches to a newer one without a restart."""

    def __init__(self, settings: Settings, encoder: Encoder | None = None) -> None:
        self.settings = settings
        self.encoder = encoder or load_encoder(settings.model)
        self._index = open_index(settings.index)
        self._swap = threading.Lock()

    @property
    def index(self) -> StoredIndex:
        return self._index

    def info(self) -> IndexInfo:
        return self._index.info

    def reload(self) -> bool:
        """Switch to the newest built version; True when it changed. Questions in flight finish on the old one."""
        folder = current_version(self.settings.index)
        with self._swap:
            if folder is None or folder == self._index.folder:
                return False
            self._index = StoredIndex(folder)
            return True

    def articles(self) -> list[ArticleSummary]:
        index = self._index
        counts: dict[int, int] = {}
        for (article_id,) in index._query("SELECT article_id FROM passages"):
            counts[article_id] = counts.get(article_id, 0) + 1
        return [ArticleSummary(a.title, a.outlet, a.date, a.url, a.path, counts.get(a.id, 0)) for a in index.articles()]

    def ask(self, question: str, top_k: int | None = None, history: Sequence[str] = ()) -> Answer:
        """Answer `question` with up to `top_k` quoted sources, or abstain when nothing relevant is indexed.

        `history` holds the conversation's earlier questions, oldest first, for follow-ups.
        """
        question = " ".join(question.split())
        if not question:
            raise EmptyQuestion("the question is empty")
        top_k = max(1, top_k or self.settings.top_k)
        index = self._index  # one version for the whole question, even if reload() runs meanwhile
        query = with_context(question, history)
        query_vector = self.encoder.encode_query(query)
        hits = HybridRetriever(index).search(query, query_vector, k=max(4 * top_k, 20))
        if not hits or max(hit.cosine for hit in hits) < MIN_RELEVANCE:
            return Answer(question, None, True, [])
        sources = self._sources(index, [hit for hit in hits if hit.cosine >= MIN_RELEVANCE], top_k)
        sentence = best_sentence(self.encoder, query_vector, sources[0].quote)
        top = sources[0]
        sources[0] = Source(**{**top.__dict__, "highlight": (sentence.start, sentence.end)})
        return Answer(question, top.quote[sentence.start : sentence.end], False, sources)

    def _sources(self, index: StoredIndex, hits: list[Hit], top_k: int) -> list[Source]:
        """Hits as quoted sources, best first, dropping repeats of the same text."""
        passages = index.passages([hit.row for hit in hits])
        articles = {a.id: a for a in index.articles(sorted({p.article_id for p in passages}))}
        sources: list[Source] = []
        seen: set[str] = set()
        for hit, passage in zip(hits, passages, strict=True):
            fingerprint = " ".join(passage.text.lower().split())
            if fingerprint in seen:
                continue
            seen.add(fingerprint)
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
                    score=hit.cosine,
                    heading=passage.heading,
                )
            )
            if len(sources) == top_k:
                break
        return sources
