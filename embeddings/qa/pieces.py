"""The pieces a short answer is shown in: a list as one span, or two names the sentence joins.

"South Korea, Japan and the United States" answers "which countries condemned the pact?" as one span, verbatim;
"Vladimir Putin, who signed the pact together with the North Korean Kim Jong-un" answers "who signed?" with two
highlighted names. A second name joins only when no verb stands between the joining word and it: in "violate
multiple United Nations Security Council Resolutions and threaten stability", "stability" is what the transfers
threaten, not a second thing they violate. And only when the words before the joining word say what the question
asks: Kim Jong-un signed the pact together with Putin, but did not visit Pyongyang with him.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from embeddings.index.lexical import terms
from embeddings.qa.candidates import NUMBER_LABELS, WORD, Candidate, content_words

PEER_MARGIN = 2.0  # how far below the best a second name may score and still join it ("X together with Y")
LIST_GAP = re.compile(r"\s*(?:,|,? and|,? or|&)\s*(?:the\s+)?")  # between the items of a list: ", " " and " ", and the "
JOINERS = re.compile(r"\b(?:and|together with|along with|alongside|as well as)\b|&", re.I)
QUESTION_WORDS = frozenset("who whom whose which what when where why how".split())


@dataclass(frozen=True)
class AskedWords:
    """What `with_partners` reads of the question: its words stemmed (without stop words and question words), and
    the names it says (its capitalized words after the first, lowercased)."""

    terms: frozenset[str]
    names: frozenset[str]


def asked_words(question: str) -> AskedWords:
    said = WORD.findall(question)[1:]
    names = frozenset(re.sub(r"[’']s$", "", word.lower()) for word in said if word[:1].isupper())  # "Putin’s" names Putin
    return AskedWords(frozenset(terms(question)) - QUESTION_WORDS, names)


def with_partners(
    best: Candidate,
    candidates: list[Candidate],
    scores: np.ndarray,
    passage: str,
    says_a_verb: Callable[[str], bool] | None = None,
    asked: AskedWords | None = None,
) -> tuple[tuple[int, int], ...]:
    """The best candidate with the others of its kind that the sentence joins to it, as passage character ranges.

    A list becomes one span; a second name joined further away becomes a second span, but not a second number, date
    or amount ("eight and over 232" does not answer "how many of the stations are owned?"), nor a name after a verb
    that follows the joining word (`says_a_verb`, the tagger's; without one, joining words alone decide), nor a name
    the sentence joins by words none of which the question asks about (`asked`: "who signed the pact together with"
    answers "who signed?", not "who visited Pyongyang?"), nor one the question names in part ("Vladimir Putin" is
    not whom "Putin" signed the pact with).
    """
    score = {id(c): float(s) for c, s in zip(candidates, scores, strict=True)}
    peers = sorted((c for c in candidates if c.sentence == best.sentence and c.label == best.label), key=lambda c: c.start)
    at = next(i for i, c in enumerate(peers) if c is best)
    first = last = at
    while first > 0 and LIST_GAP.fullmatch(passage[peers[first - 1].end : peers[first].start]):
        first -= 1
    while last + 1 < len(peers) and LIST_GAP.fullmatch(passage[peers[last].end : peers[last + 1].start]):
        last += 1
    if first < last:
        return ((peers[first].start, peers[last].end),)
    if best.label in NUMBER_LABELS:
        return ((best.start, best.end),)
    for other in peers:
        left, right = sorted((best, other), key=lambda c: c.start)
        between = passage[left.end : right.start]
        near = score[id(other)] >= score[id(best)] - PEER_MARGIN and len(WORD.findall(between)) <= 10
        joiner = JOINERS.search(between)
        if (
            other is not best
            and not (asked and content_words(passage[other.start : other.end]) & asked.names)
            and near
            and joiner
            and not (says_a_verb and says_a_verb(between[joiner.end() :]))
            and _joins_what_is_asked(between[: joiner.start()], asked)
        ):
            return ((left.start, left.end), (right.start, right.end))
    return ((best.start, best.end),)


def _joins_what_is_asked(relation: str, asked: AskedWords | None) -> bool:
    """Do the words before the joining word ("who signed the pact" in "Putin, who signed the pact together with
    Kim") say nothing, or something the question asks about? Without `asked`, they are taken to."""
    said = frozenset(terms(relation)) - QUESTION_WORDS
    return asked is None or not said or bool(said & asked.terms)
