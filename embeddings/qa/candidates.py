"""Candidate short answers and what the reader weighs to choose among them.

A candidate is a named entity, noun phrase or short quote inside one of the best sentences of the passages read.
Each gets a few features (how well its sentence answers, whether it is the kind of phrase asked for, how close it
stands to the question's words, whether the question already names it...), and a linear scorer whose weights
are learnt by `python -m embeddings.evaluation.train_reader` on the dev splits (SQuAD's first 24 articles and the
RealTime QA dev questions) turns them into one score. The weights ship beside this module.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from embeddings.models.entities import PHRASE, QUOTE, Mention
from embeddings.models.span_head import SPAN, best_span
from embeddings.qa import places
from embeddings.qa.answer_types import ANY_NAME, AnswerType

WEIGHTS_FILE = Path(__file__).with_name("candidate_weights.json")
FEATURES = (
    "bias",
    "sentence",  # the cross-encoder's 0..1 judgement of the candidate's sentence (with its article's title)
    "best_sentence",  # 1 for the best-scored sentence read
    "passage",  # the rank of its passage among those read (0 = best)
    "expected_label",  # its entity type is the one the question asks for
    "meaning",  # cosine to the phrase a "which X" question names (0 when none)
    "near_question",  # 1 / (1 + words to the nearest question word in the sentence / 4)
    "named_by_question",  # share of its words the question already holds
    "in_title",  # share of its words in its article's title
    "repeated",  # how many other candidates read say the same (0..3)
    "length",  # log(1 + words)
    "phrase",
    "quote",
    "number_like",  # a date, time, number, amount or percentage
    "name",  # a named entity that is not a number
    "opens_sentence",  # stands at the sentence's start (its subject, often)
    "span",  # the span head's log-probability that the answer is exactly this phrase, / 10, floored at -2
    "proposed",  # the span head proposed it (no entity, noun phrase or quote has its bounds)
    "place_kind",  # 1: it names a place of the kind a "which country/state/city" question asks for (GeoNames)
    "counts_asked",  # 1: it counts what a "how many" question counts ("187 minutes" for "how many minutes")
)
SPAN_FLOOR = -20.0  # log-probabilities below are all "not this phrase"
SPAN_UNKNOWN = -1.0  # the "span" feature when no span head read the sentence
NAME_LABELS = ANY_NAME - {"LANGUAGE"}
_TITLE_BEFORE = re.compile(r"(?<![\w.])[A-Z][a-z]{0,3}\.\s+\Z")  # "Dr. ", "Sen. ", "Lt. " just before
CAPITALIZED = re.compile(r"[A-Z][\w.-]*")  # a capitalized word, not a possessive ("CNN’s")
DETERMINER = re.compile(r"(?:the|a|an)\s+", re.I)
NUMBER_LABELS = frozenset({"DATE", "TIME", "CARDINAL", "QUANTITY", "MONEY", "PERCENT", "ORDINAL"})
WORD = re.compile(r"[\w’']+")
_STOP = frozenset(
    "a an the of in on at to for from by with and or but is are was were be been being has have had do does did "
    "will would can could should may might this that these those it its as into about over after before than then "
    "who whom whose what which when where why how much many their his her they he she we you i our your s "
    "recently week this year according new".split()
)


@dataclass(frozen=True)
class SpanScores:
    """The span head's reading of a sentence: each word piece's character range in the passage, and the
    log-probabilities that the answer starts / ends there."""

    offsets: tuple[tuple[int, int], ...]
    start: np.ndarray
    end: np.ndarray

    def of(self, begin: int, end: int) -> float:
        """The log-probability that the answer is exactly the characters begin..end (floored)."""
        inside = [k for k, (left, right) in enumerate(self.offsets) if begin <= left and right <= end]
        if not inside:
            return SPAN_FLOOR
        return max(SPAN_FLOOR, float(self.start[inside[0]] + self.end[inside[-1]]))

    def best(self) -> tuple[int, int]:
        """The head's own likeliest answer in the sentence, as a passage character range."""
        first, last, _ = best_span(self.start, self.end)
        return self.offsets[first][0], self.offsets[last][1]


@dataclass(frozen=True)
class Sentence:
    """One sentence of a passage read: its passage's rank, character range, how well it answers (0..1), and the
    span head's scores of its words when the cross-encoder read it."""

    passage: int
    start: int
    end: int
    score: float
    span_scores: SpanScores | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Candidate:
    """A possible short answer: where it stands (in passage `sentence.passage`), its label and its features."""

    sentence: Sentence
    start: int
    end: int
    label: str
    features: np.ndarray
    full_start: int = -1  # where the name said in full begins ("Rep. Liz Cheney", "Hurricane Fiona"); -1: at start

    @property
    def shown_start(self) -> int:
        return self.full_start if 0 <= self.full_start < self.start else self.start


def content_words(text: str) -> set[str]:
    return {word for word in (w.lower().strip("’'") for w in WORD.findall(text)) if word and word not in _STOP}


def candidates_in(
    passage: str, sentence: Sentence, mentions: list[Mention], asked: set[str], kind: AnswerType, title: str, best: bool
) -> list[Candidate]:
    """The mentions of one sentence that may answer, with their features ("meaning" and "repeated" come later)."""
    text = passage[sentence.start : sentence.end]
    anchors = [match.start() for match in WORD.finditer(text) if match.group().lower() in asked]
    title_words = content_words(title)
    found = []
    for mention in mentions:
        words = content_words(text[mention.start : mention.end])
        if not kind.admits(mention.label) or not words or words <= asked:
            continue  # not the kind asked for, or named by the question ("Netflix" cannot answer "what did Netflix renew?")
        if mention.label == SPAN and kind.measures and _only_a_name(text[mention.start : mention.end], mention, mentions, kind):
            continue  # the span head's guess is a name, not a number or a length of time ("Moscow" for "how long?")
        outside = [a for a in anchors if not mention.start <= a < mention.end]
        span = (
            sentence.span_scores.of(sentence.start + mention.start, sentence.start + mention.end) / 10.0
            if sentence.span_scores is not None
            else SPAN_UNKNOWN
        )
        distance = min((_words_between(text, a, mention) for a in outside), default=20)
        values = {
            "bias": 1.0,
            "sentence": sentence.score,
            "best_sentence": float(best),
            "passage": float(sentence.passage),
            "expected_label": float(kind.accepts(mention.label)),
            "near_question": 1.0 / (1.0 + distance / 4.0),
            "named_by_question": len(words & asked) / len(words),
            "in_title": len(words & title_words) / len(words),
            "length": math.log1p(len(words)),
            "phrase": float(mention.label == PHRASE),
            "quote": float(mention.label == QUOTE),
            "number_like": float(mention.label in NUMBER_LABELS),
            "name": float(mention.label in ANY_NAME),
            "opens_sentence": float(not text[: mention.start].strip(" “\"'‘(")),
            "span": span,
            "proposed": float(mention.label == SPAN),
            "place_kind": 0.0 if mention.label == "PERSON" else places.fits(kind.name, text[mention.start : mention.end]),
            "counts_asked": counts(kind.counted, text[mention.start : mention.end], text[mention.end :]),
        }
        features = np.array([values.get(name, 0.0) for name in FEATURES], dtype=np.float32)
        start, end = sentence.start + mention.start, sentence.start + mention.end
        full = sentence.start + full_name_start(text, mention, mentions)
        found.append(Candidate(sentence, start, end, mention.label, features, full))
    return found


def _only_a_name(said: str, mention: Mention, mentions: list[Mention], kind: AnswerType) -> bool:
    """Is `mention` (the words `said`) part of a tagged name, with no digit and no tagged mention of a kind `kind`
    accepts?"""
    overlapping = [m.label for m in mentions if m is not mention and m.start < mention.end and mention.start < m.end]
    return (
        not any(ch.isdigit() for ch in said)
        and any(label in ANY_NAME for label in overlapping)
        and not any(kind.accepts(label) for label in overlapping)
    )


def counts(counted: str | None, mention: str, after: str) -> float:
    """1.0 when the mention, or the three words after it, name what the question counts ("187 minutes", "2 million
    infant swings" for "how many ... swings"); plural and singular alike."""
    if not counted:
        return 0.0
    words = [w.lower() for w in WORD.findall(mention)] + [w.lower() for w in WORD.findall(after)[:3]]
    return float(any(_singular(word) == _singular(counted) for word in words))


def _singular(word: str) -> str:
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def full_name_start(text: str, mention: Mention, mentions: list[Mention]) -> int:
    """Where a name begins with the title or kind that news puts before it ("Rep. Liz Cheney", "Lt. Nyota Uhura",
    "Hurricane Fiona", "President Joe Biden"): that is how readers and quiz editors name people and storms. Taken:
    an abbreviated title just before ("Dr.", "Sen."), and the capitalized words of the noun phrase that ends with the
    name when none of them is another entity ("North Korean" stays out of "the North Korean Kim Jong-un")."""
    start = mention.start
    if mention.label not in NAME_LABELS and not (mention.label in (PHRASE, SPAN) and text[start : start + 1].isupper()):
        return start
    while (title := _TITLE_BEFORE.search(text, 0, start)) is not None:
        start = title.start()
    phrases = [m.start for m in mentions if m.label == PHRASE and m.end == mention.end and m.start < start]
    if mention.label not in NAME_LABELS or not phrases:
        return start
    lead = DETERMINER.match(text, min(phrases))
    begin = lead.end() if lead else min(phrases)
    words = text[begin:start].split()
    others = any(m.label not in (PHRASE, QUOTE, SPAN) and m.start < start and m.end > begin for m in mentions)
    if not words or len(words) > 3 or others or not all(CAPITALIZED.fullmatch(word) for word in words):
        return start
    return begin


def with_meaning(candidates: list[Candidate], similarity: np.ndarray) -> list[Candidate]:
    """Set each candidate's "meaning": its cosine to the phrase the question names."""
    column = FEATURES.index("meaning")
    for candidate, value in zip(candidates, similarity, strict=True):
        candidate.features[column] = float(value)
    return candidates


def of_the_place_kind(candidates: list[Candidate], texts: list[str], kind: AnswerType) -> tuple[list[Candidate], list[str]]:
    """When a "which country/state/city" question has candidates that GeoNames knows as that kind of place, only
    they may answer: the tagger calls people places ("Abbott" for "which city?"), and a phrase beside the name can
    outscore it ("third female prime minister" for "of which country?"). A question whose answer GeoNames does not
    know (a village, an old name) keeps every candidate: none fits. A name fits whatever the tagger called it ("Sri
    Lanka" a person); a word must be written as a name (GeoNames has towns called "Part" and "Reading")."""
    fitting = [k for k, text in enumerate(texts) if _written_as_a_name(text) and places.fits(kind.name, text)]
    if not fitting:
        return candidates, texts
    return [candidates[k] for k in fitting], [texts[k] for k in fitting]


def _written_as_a_name(text: str) -> bool:
    """Its first word, after "the", "a" or "an", starts with a capital."""
    lead = DETERMINER.match(text)
    return text[lead.end() if lead else 0 :][:1].isupper()


def with_repeats(candidates: list[Candidate], texts: list[str]) -> list[Candidate]:
    """Set each candidate's "repeated": how many other candidates read say the same thing (capped at 3)."""
    keys = [" ".join(sorted(content_words(text))) for text in texts]
    counts = Counter(keys)
    column = FEATURES.index("repeated")
    for candidate, key in zip(candidates, keys, strict=True):
        candidate.features[column] = float(min(3, counts[key] - 1))
    return candidates


class CandidateScorer:
    """A linear score over FEATURES; weights from `candidate_weights.json` (see the module docstring)."""

    def __init__(self, weights: dict[str, float] | None = None) -> None:
        weights = weights if weights is not None else json.loads(WEIGHTS_FILE.read_text("utf-8"))["weights"]
        self.weights = np.array([weights.get(name, 0.0) for name in FEATURES], dtype=np.float32)

    def __call__(self, candidates: list[Candidate]) -> np.ndarray:
        """Each candidate's score: a logit, > 0 reads as "this phrase answers"."""
        if not candidates:
            return np.zeros(0, dtype=np.float32)
        return np.stack([c.features for c in candidates]) @ self.weights


def _words_between(text: str, anchor: int, mention: Mention) -> int:
    left, right = (anchor, mention.start) if anchor < mention.start else (mention.end, anchor)
    return len(WORD.findall(text[left:right]))


def with_names_found_elsewhere(mentions: list[list[Mention]], texts: list[str]) -> list[list[Mention]]:
    """Each sentence's mentions, plus every name the tagger found in another sentence read where this one says it too.

    The small tagger reads each sentence alone and misses names it found a sentence earlier ("King Charles III
    welcomes Sunak" after "Sunak will become the new leader"); a name is the same name wherever it stands, so it
    keeps the label it was found with (the commonest, when it was found with several). Noun phrases with exactly
    its bounds give way to it.
    """
    labels: dict[str, Counter[str]] = {}
    for found, text in zip(mentions, texts, strict=True):
        for mention in found:
            name = text[mention.start : mention.end]
            if mention.label in NAME_LABELS and len(name) >= 3 and name[:1].isupper():
                labels.setdefault(name, Counter())[mention.label] += 1
    if not labels:
        return mentions
    names = re.compile(rf"(?<![\w-])(?:{'|'.join(map(re.escape, sorted(labels, key=len, reverse=True)))})(?![\w-])")
    widened = []
    for found, text in zip(mentions, texts, strict=True):
        tagged = [m for m in found if m.label not in (PHRASE, QUOTE, SPAN)]
        added = [
            Mention(match.start(), match.end(), labels[match[0]].most_common(1)[0][0])
            for match in names.finditer(text)
            if not any(m.start < match.end() and match.start() < m.end for m in tagged)
        ]
        bounds = {(m.start, m.end) for m in added}
        kept = [m for m in found if (m.start, m.end) not in bounds]
        widened.append(sorted(kept + added, key=lambda m: m.start) if added else found)
    return widened
