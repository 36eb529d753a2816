"""Names as the article says them in full: news names a person or team in full once and shortens it after.

"the Avalanche" is "the Colorado Avalanche" a sentence earlier; "Sunak said he was honored..." follows "...all over
for Rishi Sunak" near the top. The reader answers with the name said in full when its article says exactly one
such name, and never widens a place: "North China", "South Sudan" and "West Antarctica" are other places than
"China", "Sudan" and "Antarctica".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from embeddings.ingest.passages import sentence_spans
from embeddings.models.entities import EntityTagger
from embeddings.qa.answer_types import AnswerType
from embeddings.qa.candidates import CAPITALIZED, DETERMINER, NAME_LABELS, Candidate

PLACES = frozenset({"GPE", "LOC", "FAC"})  # labels of places, whose "fuller" names are other places


@dataclass(frozen=True)
class FullName:
    """A name said in full: in passage `passage` at characters start..end, inside the sentence `sentence`."""

    passage: int
    start: int
    end: int
    sentence: tuple[int, int]
    text: str


def fuller_name(candidates: list[Candidate], best: int, passages: list[str], contexts: Sequence[str], kind: AnswerType) -> int:
    """The same name said in full in another sentence read of the same article, when the winning one shortens it
    ("the Avalanche" -> "the Colorado Avalanche", "Biden" -> "Joe Biden"); kept as it is when the article says
    more than one fuller name that ends so ("Joe Biden" and "Jill Biden"). The fuller name has the winner's label or
    one the question asks for ("Washington", the city, does not become "George Washington")."""
    chosen = candidates[best]
    if chosen.label not in NAME_LABELS:
        return best
    short = bare(passages[chosen.sentence.passage][chosen.shown_start : chosen.end])
    article = contexts[chosen.sentence.passage] if chosen.sentence.passage < len(contexts) else None
    fuller: dict[str, list[int]] = {}
    for number, candidate in enumerate(candidates):
        same_article = candidate.sentence.passage < len(contexts) and contexts[candidate.sentence.passage] == article
        text = bare(passages[candidate.sentence.passage][candidate.shown_start : candidate.end])
        if same_article and _in_full(text, candidate.label, short, chosen.label, kind, NAME_LABELS):
            fuller.setdefault(text, []).append(number)
    if len(fuller) != 1:
        return best
    (said,) = fuller.values()
    return max(said, key=lambda i: (candidates[i].sentence.score, -candidates[i].sentence.passage))


def _in_full(name: str, name_label: str, short: str, label: str, kind: AnswerType, labels: frozenset[str]) -> bool:
    """Whether `name` says `short` in full: capitalized words before it ("Rishi" Sunak, "Colorado" Avalanche), and a
    label among `labels` that is the short name's own (`label`) or one the question asks for."""
    prefix = name[: -len(short)].split() if name.endswith(" " + short) else []
    of_kind = name_label in labels and (name_label == label or kind.accepts(name_label))
    return of_kind and bool(prefix) and all(CAPITALIZED.fullmatch(word) for word in prefix)


def bare(name: str) -> str:
    """A name without the article before it ("The Colorado Avalanche" -> "Colorado Avalanche")."""
    lead = DETERMINER.match(name)
    return name[lead.end() :] if lead else name


def said_in_full(
    tagger: EntityTagger, said: str, label: str, at: int, passages: Sequence[str], contexts: Sequence[str], kind: AnswerType
) -> FullName | None:
    """The name `said` (label `label`, in passage `at`) as its article says it in full in any sentence of the passages
    read from the same article, when it says exactly one such: the tagger confirms the fuller name is a name of the
    answer's label or of the kind asked for. Not for places. None when there is no such name, or more than one."""
    if label not in NAME_LABELS - PLACES or at >= len(contexts):
        return None
    short = bare(said)
    before = re.compile(rf"(?<![\w’'-])(?:[A-Z][\w.’'-]*\s+){{1,3}}{re.escape(short)}(?![\w’'-])")
    spans = [
        (number, start, end)
        for number, passage in enumerate(passages)
        if number < len(contexts) and contexts[number] == contexts[at]
        for start, end in sentence_spans(passage)
        if before.search(passage, start, end)
    ]
    if not spans:
        return None
    fuller: dict[str, FullName] = {}
    for (number, start, end), mentions in zip(spans, tagger.mentions([passages[n][a:b] for n, a, b in spans]), strict=True):
        text = passages[number][start:end]
        for mention in mentions:
            name = bare(text[mention.start : mention.end])
            if _in_full(name, mention.label, short, label, kind, NAME_LABELS - PLACES):
                first = start + mention.end - len(name)
                fuller.setdefault(name, FullName(number, first, start + mention.end, (start, end), name))
    return next(iter(fuller.values())) if len(fuller) == 1 else None
