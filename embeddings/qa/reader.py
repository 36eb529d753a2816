"""The reader: from the best passages to a short answer, and the thresholds for abstaining.

No packaged model reads answer spans offline, so the reader picks among typed candidates: the named entities, noun
phrases and short quotes (models/entities.py) of the best sentences of the passages read, weighed (candidates.py,
weights learnt on dev questions) by how well their sentence answers (the cross-encoder), where our span head
(models/span_head.py, over the same cross-encoder pass) says the answer starts and ends, whether they are the kind
of phrase the question asks for (answer_types.py), how close they stand to the question's own words, and more. A
candidate the question names never answers. When no candidate clearly wins, or none can answer ("why", "how"), the
answer is the best sentence, narrowed to a date or number when one alone fits (span.py). Answers are verbatim slices.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import pairwise

import numpy as np

from embeddings.ingest.passages import sentence_spans
from embeddings.models.cross_encoder import CrossEncoder, PairReading, probability
from embeddings.models.encoder import QUERY_BATCH, Encoder
from embeddings.models.entities import PHRASE, QUOTE, EntityTagger, Mention, QuestionParse, TaggerUnavailable
from embeddings.models.kept import Kept
from embeddings.models.span_head import SPAN, SpanHead
from embeddings.qa.answer_types import AnswerType, answer_type
from embeddings.qa.candidates import (
    Candidate,
    CandidateScorer,
    Sentence,
    SpanScores,
    candidates_in,
    content_words,
    of_the_place_kind,
    with_meaning,
    with_names_found_elsewhere,
    with_repeats,
)
from embeddings.qa.followup import names_no_topic
from embeddings.qa.names import fuller_name, said_in_full
from embeddings.qa.pieces import LIST_GAP, AskedWords, asked_words, with_partners
from embeddings.qa.span import answer_span, whole_words

# Abstain when the best passage's score (after Engine._second_look) is below this: with the cross-encoder its
# probability, 0.5 (0.25 until the second look; docs/quality.md), else the dense cosine (all-MiniLM-L6-v2 scale).
THRESHOLDS = {"rerank": 0.5, "hybrid": 0.3, "rrf": 0.3, "dense": 0.3, "bm25": 0.3}
MIN_RELEVANCE = THRESHOLDS["dense"]
ON_TOPIC = {**THRESHOLDS, "rerank": 0.25}  # past that bar, further sources need this score (or MIN_RELEVANCE cosine)

PASSAGES_READ = 3  # the top passages whose sentences may hold the short answer (ledes besides: Engine._read_set)
SENTENCES_READ = 6  # of their sentences, the best ones (by the cross-encoder) that are searched for candidates
PHRASES_KEPT = 8192  # candidate phrases whose vectors (the "meaning" feature) are kept, ~1.5 KB each
SENTENCE_SURE = 0.7  # a passage under the abstention bar answers when one of its sentences reads this surely (SQuAD dev)
SURE = 0.2  # the answer's share of the softmax over all candidates below which the sentence is shown (tuned on dev)


def thresholds(mode: str) -> tuple[float, float]:
    """(abstain when the best passage scores below, further sources from) for a pipeline mode."""
    return THRESHOLDS[mode], ON_TOPIC[mode]


@dataclass(frozen=True)
class Found:
    """The answer inside one of the passages read: which passage, the highlighted pieces and their sentence.

    `spans` holds one (start, end) per highlighted piece (two names joined by "and" are two pieces);
    `text` is the answer as shown; `kind` is the answer type when a phrase was picked, None for a sentence.
    """

    passage: int
    spans: tuple[tuple[int, int], ...]
    sentence_start: int
    sentence_end: int
    score: float
    text: str
    kind: str | None = None
    short: Found | None = None  # the sentence that answers, where the answer (shown said in full) is said short

    @property
    def start(self) -> int:
        return self.spans[0][0]

    @property
    def end(self) -> int:
        return self.spans[-1][1]


class Reader:
    """Finds the short answer in the top passages: a typed phrase when one fits, else the best sentence."""

    def __init__(
        self,
        encoder: Encoder,
        reranker: CrossEncoder | None = None,
        tagger: EntityTagger | None = None,
        scorer: CandidateScorer | None = None,
        span_head: SpanHead | None = None,
    ) -> None:
        self.encoder = encoder
        self.reranker = reranker
        self.tagger = tagger
        self.scorer = scorer or CandidateScorer()
        self.span_head = span_head
        self._phrases: Kept[str, np.ndarray] = Kept(PHRASES_KEPT)

    def read(
        self,
        question: str,
        passages: Sequence[str],
        contexts: Sequence[str] = (),
        topic: str | None = None,
        typed: bool = False,
        sure: float = SURE,
    ) -> Found | None:
        """The answer to `question` in `passages` (best first); None only when `typed` finds nothing of its kind.

        `contexts` (the articles' titles) help score sentences; `topic` is the question with the conversation's
        earlier one for a follow-up ("who signed the pact? and when?"): sentences are scored against it, while the
        kind of answer comes from `question` alone (a date, for "and when?"). `typed` (a follow-up of question words
        alone: "how much?"): when the kind is a date, place, person, number or amount, only a name, date or number of
        that kind may answer, and with none in the sentences searched there is no answer (the topic's sentences are
        relevant, but none says how much). `sure`: the answer's share of the candidates' vote from which a phrase is
        the answer (below it, the sentence).
        """
        passages = list(passages) or [""]
        kind, sentences, candidates = self.candidates(question, passages, contexts, topic)
        if typed and kind.labels and kind.phrase is None:
            candidates = [c for c in candidates if kind.says(c.label)]
            if not candidates:
                return None
        if candidates:
            scores = self.scorer(candidates)
            best = _best_said(candidates, int(np.argmax(scores)), passages)
            asked = asked_words(f"{question} {topic or ''}")
            found = _phrase_answer(candidates, scores, best, passages, kind, self.tagger, asked)
            if _share(candidates, scores, found, passages) >= sure:
                fuller = fuller_name(candidates, best, passages, contexts, kind)
                if fuller != best:
                    return _phrase_answer(candidates, scores, fuller, passages, kind, self.tagger, asked)
                return self._said_in_full(found, candidates[best].label, passages, contexts, kind) or found
        return _sentence_answer(question, passages, max(sentences, key=lambda s: s.score), kind)

    def best_sentences(self, question: str, passages: Sequence[str], contexts: Sequence[str]) -> list[float]:
        """Each passage's best sentence's probability as an answer (0 without a cross-encoder), each read after its
        title (`contexts`) as the reader reads them, for Engine._second_look: read whole, a paragraph about many things
        can score as not answering a question about one detail of it, while its sentence that says it answers."""
        if self.reranker is None:
            return [0.0] * len(passages)
        spans, prefixes = _titled_sentences(passages, contexts)
        logits = self.reranker.score(question, [p + passages[n][s:e] for p, (n, s, e) in zip(prefixes, spans, strict=True)])
        best = [0.0] * len(passages)
        for (number, _, _), logit in zip(spans, logits, strict=True):
            best[number] = max(best[number], probability(float(logit)))
        return best

    def candidates(
        self, question: str, passages: list[str], contexts: Sequence[str] = (), topic: str | None = None
    ) -> tuple[AnswerType, list[Sentence], list[Candidate]]:
        """The kind of answer asked for, the sentences read (scored) and the candidate phrases in the best of them."""
        topic = topic or question
        sentences = self._score_sentences(topic, passages, contexts, asked=question)
        kind = self._answer_type(question)
        if not kind.wants_phrase or self.tagger is None:
            return kind, sentences, []
        read = _searched(sentences)
        try:
            mentions = self.tagger.mentions([passages[s.passage][s.start : s.end] for s in read])
        except TaggerUnavailable:
            self.tagger = None
            return kind, sentences, []
        said = [passages[s.passage][s.start : s.end] for s in read]
        mentions = [
            _with_proposal(found, sentence, text)
            for found, sentence, text in zip(with_names_found_elsewhere(mentions, said), read, said, strict=True)
        ]
        asked = content_words(topic)
        titles = [contexts[s.passage] if s.passage < len(contexts) else "" for s in read]
        candidates = [
            candidate
            for number, (sentence, found, title) in enumerate(zip(read, mentions, titles, strict=True))
            for candidate in candidates_in(passages[sentence.passage], sentence, found, asked, kind, title, number == 0)
        ]
        texts = [passages[c.sentence.passage][c.start : c.end] for c in candidates]
        candidates, texts = of_the_place_kind(candidates, texts, kind)
        if candidates and kind.phrase:
            vectors = self._embed([kind.phrase, *texts])
            with_meaning(candidates, vectors[1:] @ vectors[0])
        return kind, sentences, with_repeats(candidates, texts)

    def _said_in_full(
        self, found: Found, label: str, passages: list[str], contexts: Sequence[str], kind: AnswerType
    ) -> Found | None:
        """`found` with its name as its article says it in full elsewhere (names.said_in_full), quoting the sentence
        that says it, and keeping `found` as the sentence that answers; None when there is no such name."""
        if len(found.spans) != 1 or self.tagger is None:
            return None
        try:
            full = said_in_full(self.tagger, found.text, label, found.passage, passages, contexts, kind)
        except TaggerUnavailable:
            return None
        if full is None:
            return None
        return Found(full.passage, ((full.start, full.end),), *full.sentence, found.score, full.text, found.kind, short=found)

    def _embed(self, texts: list[str]) -> np.ndarray:
        """Short texts embedded in the light encoder's batches; the last PHRASES_KEPT phrases' vectors are kept."""
        return np.stack(self._phrases.get_many(texts, self._embed_missing))

    def _embed_missing(self, texts: list[str]) -> list[np.ndarray]:
        return [vector for i in range(0, len(texts), QUERY_BATCH) for vector in self.encoder.encode(texts[i : i + QUERY_BATCH])]

    def _answer_type(self, question: str) -> AnswerType:
        parse = QuestionParse(None)
        if self.tagger is not None:
            try:
                parse = self.tagger.parse_question(question)
            except TaggerUnavailable:
                self.tagger = None
        return answer_type(question, parse.asked_noun, parse.asked_phrase)

    def _score_sentences(
        self, question: str, passages: list[str], contexts: Sequence[str], asked: str | None = None
    ) -> list[Sentence]:
        """Every sentence of the passages read, scored as an answer to the question (0..1), passage order kept.

        The span head reads the best of them with `asked`, the question as asked, when it differs: after "who signed
        the pact?", "where?" retrieves and scores with both turns, but the previous turn's words would point the
        head at the signatories' names (one more cross-encoder pass over those few sentences, for follow-ups only).
        A follow-up with words of its own ("what could it involve?" after "what is the agreement called?") scores
        sentences by the mean of both readings, as the ranking does its passages: read with the earlier turn, the
        sentence that answered it wins again.
        """
        spans, prefixes = _titled_sentences(passages, contexts)
        texts = [passages[number][start:end] for number, start, end in spans]
        if self.reranker is None:
            scores = self.encoder.encode(texts) @ self.encoder.encode_query(question)
            return [Sentence(n, start, end, float(score)) for (n, start, end), score in zip(spans, scores, strict=True)]
        titled = [prefix + text for prefix, text in zip(prefixes, texts, strict=True)]
        readings = self.reranker.read(question, titled)
        logits = np.array([read.logit for read in readings])
        if asked and asked != question and not names_no_topic(asked):  # a follow-up that says what it asks about
            logits = (logits + np.array([read.logit for read in self.reranker.read(asked, titled)])) / 2
        sentences = [Sentence(n, start, end, probability(logit)) for (n, start, end), logit in zip(spans, logits, strict=True)]
        chosen = {id(sentence) for sentence in _searched(sentences)}
        searched = [k for k, sentence in enumerate(sentences) if id(sentence) in chosen]
        if asked and asked != question and self.span_head is not None:
            read_for_span = self.reranker.read(asked, [prefixes[k] + texts[k] for k in searched])
        else:
            read_for_span = [readings[k] for k in searched]
        heard = self._span_scores(read_for_span, [len(prefixes[k]) for k in searched], [sentences[k].start for k in searched])
        for k, scores in zip(searched, heard, strict=True):
            sentences[k] = replace(sentences[k], span_scores=scores)  # the span head reads only the sentences searched
        return sentences

    def _span_scores(self, readings: list[PairReading], prefixes: list[int], starts: list[int]) -> list[SpanScores | None]:
        """The span head's scores of each sentence's words (the title before it left out), at passage positions."""
        if self.span_head is None or any(reading.states is None for reading in readings):
            return [None] * len(readings)
        found: list[SpanScores | None] = []
        for reading, (start, end), prefix, sentence_start in zip(
            readings, self.span_head.log_probs(readings), prefixes, starts, strict=True
        ):
            inside = [k for k, (left, _) in enumerate(reading.offsets) if left >= prefix]
            shift = sentence_start - prefix
            offsets = tuple((reading.offsets[k][0] + shift, reading.offsets[k][1] + shift) for k in inside)
            found.append(SpanScores(offsets, start[inside], end[inside]))
        return found


def _titled_sentences(passages: Sequence[str], contexts: Sequence[str]) -> tuple[list[tuple[int, int, int]], list[str]]:
    """Every sentence of the passages (passage number, start, end), and the title read before it ("" without one)."""
    spans = [(number, start, end) for number, text in enumerate(passages) for start, end in sentence_spans(text)]
    return spans, [f"{contexts[number]}. " if number < len(contexts) else "" for number, _, _ in spans]


def _searched(sentences: list[Sentence]) -> list[Sentence]:
    """The sentences whose phrases are candidates: the SENTENCES_READ best scored."""
    return sorted(sentences, key=lambda s: -s.score)[:SENTENCES_READ]


def _with_proposal(mentions: list[Mention], sentence: Sentence, text: str) -> list[Mention]:
    """The sentence's mentions and, when no mention has its bounds, the span head's own likeliest answer (widened to
    whole words: the head reads word pieces; "28-year" -> "28-year-old")."""
    if sentence.span_scores is None or not sentence.span_scores.offsets:
        return mentions
    start, end = sentence.span_scores.best()
    start, end = whole_words(text, max(0, start - sentence.start), min(len(text), end - sentence.start))
    end = _bracketed(text, start, end)
    if end <= start or any(m.start == start and m.end == end for m in mentions):
        return mentions
    return [*mentions, Mention(start, end, SPAN)]


def _bracketed(text: str, start: int, end: int) -> int:
    """Where the span start..end ends with its brackets balanced: before the first one it opens and leaves open ("one
    (or more" -> "one"); at `start` (no span) when it closes one it did not open ("North Korea’s official name) to
    Russia" reads across the bracket)."""
    opened: list[int] = []
    for k in range(start, end):
        if text[k] == "(":
            opened.append(k)
        elif text[k] == ")" and not opened:
            return start
        elif text[k] == ")":
            opened.pop()
    end = opened[0] if opened else end
    return len(text[:end].rstrip(" ,;:-–"))


def _share(candidates: list[Candidate], scores: np.ndarray, found: Found, passages: list[str]) -> float:
    """How clearly the answer wins: the probability, under a softmax over the question's candidates, of those that
    say it (its pieces, the items of its list, the same name elsewhere), so a list's items do not split the vote."""
    weights = np.exp(scores - scores.max())
    said = {frozenset(content_words(passages[found.passage][start:end])) for start, end in found.spans}
    agree = [
        (c.sentence.passage == found.passage and any(start <= c.start and c.end <= end for start, end in found.spans))
        or _words(c, passages) in said
        for c in candidates
    ]
    return float(weights[np.array(agree)].sum() / weights.sum())


def _phrase_answer(
    candidates: list[Candidate],
    scores: np.ndarray,
    best: int,
    passages: list[str],
    kind: AnswerType,
    tagger: EntityTagger | None,
    asked: AskedWords | None = None,
) -> Found:
    chosen = _as_name(candidates[best], candidates, passages)
    text = passages[chosen.sentence.passage]
    joined = with_partners(chosen, candidates, scores, text, tagger.says_a_verb if tagger else None, asked)
    spans = _in_full(joined, chosen.sentence, candidates)
    shown = " and ".join(text[start:end] for start, end in spans)
    sentence = chosen.sentence
    return Found(sentence.passage, spans, sentence.start, sentence.end, float(scores[best]), shown, kind.name)


def _in_full(spans: tuple[tuple[int, int], ...], sentence: Sentence, candidates: list[Candidate]) -> tuple[tuple[int, int], ...]:
    """Each piece with the title or kind said before its name ("Liz Cheney" -> "Rep. Liz Cheney")."""
    full: dict[int, int] = {}
    for c in candidates:
        if c.sentence == sentence:  # an entity and a proposal may start at the same word: the fuller reading wins
            full[c.start] = min(full.get(c.start, c.start), c.shown_start)
    return tuple((full.get(start, start), end) for start, end in spans)


def _best_said(candidates: list[Candidate], best: int, passages: list[str]) -> int:
    """Where the winning answer is said best: of the candidates with its words, the one in the best-scored sentence
    (the first passage on a tie), so the quote shown is the one that answers most clearly."""
    key = _words(candidates[best], passages)
    same = [i for i, c in enumerate(candidates) if _words(c, passages) == key]
    return max(same, key=lambda i: (candidates[i].sentence.score, -candidates[i].sentence.passage, i == best))


def _words(candidate: Candidate, passages: list[str]) -> frozenset[str]:
    return frozenset(content_words(passages[candidate.sentence.passage][candidate.start : candidate.end]))


def _as_name(chosen: Candidate, candidates: list[Candidate], passages: list[str]) -> Candidate:
    """The named entity behind a chosen noun phrase or head proposal, so its label finds the list it stands in: the
    entity that says the same words ("United States" / "the United States"), or the first of the names of one kind
    the proposal lists ("Japan and the United States" in "South Korea, Japan and the United States"); else the
    chosen candidate itself."""
    if chosen.label not in (PHRASE, SPAN):
        return chosen
    words = _words(chosen, passages)
    names = [c for c in candidates if c.sentence == chosen.sentence and c.label not in (PHRASE, QUOTE, SPAN)]
    same = next((c for c in names if _words(c, passages) == words), None)
    if same is not None:
        return same
    text = passages[chosen.sentence.passage]
    listed: list[Candidate] = []  # the names inside it, left to right, none overlapping the one kept before it
    for name in sorted((c for c in names if chosen.start <= c.start and c.end <= chosen.end), key=lambda c: (c.start, -c.end)):
        if not listed or name.start >= listed[-1].end:
            listed.append(name)
    outside = text[chosen.start : listed[0].start] + " " + text[listed[-1].end : chosen.end] if listed else ""
    if (
        len(listed) > 1
        and len({c.label for c in listed}) == 1
        and not content_words(outside)
        and all(LIST_GAP.fullmatch(text[left.end : right.start]) for left, right in pairwise(listed))
    ):
        return listed[0]
    return chosen


def _sentence_answer(question: str, passages: list[str], best: Sentence, kind: AnswerType) -> Found:
    """The best sentence, narrowed to a date or number when exactly one of the asked kind stands in it."""
    text = passages[best.passage][best.start : best.end]
    narrowed = answer_span(question, text)
    spans = ((best.start + narrowed[0], best.start + narrowed[1]),) if narrowed else ((best.start, best.end),)
    shown = passages[best.passage][spans[0][0] : spans[0][1]]
    return Found(best.passage, spans, best.start, best.end, best.score, shown, kind.name if narrowed else None)
