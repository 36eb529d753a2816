"""The figures of an evaluation: answer scores (SQuAD's), what the sources show, and the report row of one mode."""

from __future__ import annotations

import re
import statistics
import string
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from embeddings.evaluation.qa_sets import QAItem

if TYPE_CHECKING:
    from embeddings.qa.results import Answer, Source

CUTOFFS = (1, 5, 20)  # ranks of the retrieval figures
SOURCE_CUTOFFS = (1, 5)  # how many of the shown sources "sources hold the answer" looks at
SHORT_ANSWER_WORDS = 12  # an answer a reader takes in at a glance (a name, a date, a short phrase)


def _is_punctuation(ch: str) -> bool:
    # ASCII punctuation as SQuAD's script, plus Unicode punctuation: news writes “Squid Game” and ’s.
    return ch in string.punctuation or unicodedata.category(ch).startswith("P")


# SQuAD's official answer normalisation: lower case, no punctuation, no articles, single spaces.
def normalize_answer(text: str) -> str:
    text = "".join(ch for ch in text.lower() if not _is_punctuation(ch))
    text = re.sub(r"\b(a|an|the)\b", " ", text)
    return " ".join(text.split())


def exact_match(prediction: str, golds: Sequence[str]) -> bool:
    """The normalised prediction equals a normalised gold answer."""
    return any(normalize_answer(prediction) == normalize_answer(gold) for gold in golds)


def token_f1(prediction: str, gold: str) -> float:
    """SQuAD token F1 between a predicted and a gold answer."""
    predicted, expected = normalize_answer(prediction).split(), normalize_answer(gold).split()
    common = sum((Counter(predicted) & Counter(expected)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(predicted), common / len(expected)
    return 2 * precision * recall / (precision + recall)


def best_f1(prediction: str, golds: Sequence[str]) -> float:
    return max((token_f1(prediction, gold) for gold in golds), default=0.0)


def contains_gold(prediction: str, golds: Sequence[str]) -> bool:
    """A normalised gold answer appears inside the normalised prediction."""
    text = normalize_answer(prediction)
    return any(normalize_answer(gold) and normalize_answer(gold) in text for gold in golds)


def is_short(answer: str) -> bool:
    return 0 < len(answer.split()) <= SHORT_ANSWER_WORDS


def from_gold_article(source: Source, item: QAItem) -> bool:
    """The source quotes the question's gold article: same url (RealTime QA) or same title (SQuAD)."""
    if item.url:
        return source.url == item.url
    return " ".join((source.title or "").split()) == item.title


def sources_hold_answer(sources: Sequence[Source], item: QAItem, k: int) -> bool:
    """One of the first k sources is from the gold article and its quote contains a gold answer."""
    return any(from_gold_article(source, item) and contains_gold(source.quote, item.answers) for source in sources[:k])


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))] if ordered else 0.0


@dataclass
class Report:
    """The figures of one evaluated mode; answer fields are None when answers were not evaluated.

    Shares are over the questions whose gold paragraph was found in the index (`unmapped` were left out); an
    abstention counts as an empty answer. `sources_hold_answer[k]` is None when fewer than k sources were asked for.
    """

    mode: str
    questions: int
    recall: dict[int, float] = field(default_factory=dict)
    mrr: float = 0.0
    contains_gold: float | None = None
    f1: float | None = None
    sentence_contains_gold: float | None = None
    answerable_abstained: float | None = None
    heldout_questions: int = 0
    heldout_abstained: float | None = None
    latency_p50_ms: float = 0.0
    latency_p95_ms: float = 0.0
    unmapped: int = 0
    exact_match: float | None = None
    short_answer: float | None = None
    sources_hold_answer: dict[int, float | None] | None = None

    def row(self) -> str:
        def cell(value: float | None) -> str:
            return "–" if value is None else f"{value:.3f}"

        shown = self.sources_hold_answer or {}
        return (
            f"| {self.mode} | {self.questions} | "
            + " | ".join(cell(self.recall.get(k)) for k in CUTOFFS)
            + f" | {cell(self.mrr)} | {cell(self.contains_gold)} | {cell(self.f1)} | {cell(self.sentence_contains_gold)}"
            + f" | {cell(self.answerable_abstained)} | {cell(self.heldout_abstained)}"
            + f" | {self.latency_p50_ms:.0f} | {self.latency_p95_ms:.0f}"
            + f" | {cell(self.exact_match)} | "
            + " | ".join(cell(shown.get(k)) for k in SOURCE_CUTOFFS)
            + f" | {cell(self.short_answer)} |"
        )


TABLE_HEADER = (
    "| mode | questions | R@1 | R@5 | R@20 | MRR@20 | answer has gold | answer F1 | sentence has gold "
    "| answerable abstained | held-out abstained | p50 ms | p95 ms "
    f"| answer EM | top-1 source has answer | top-5 sources have answer | answer <= {SHORT_ANSWER_WORDS} words |\n"
    + "|---" * 17
    + "|"
)


def measures(answer: Answer, item: QAItem) -> dict[str, float]:
    """One answer's measures, each 0..1 (a Report's answer columns are their means): abstained, contains_gold, f1,
    exact_match, short_answer, sources@K (the first K sources hold the answer), sentence_contains_gold."""
    text = "" if answer.abstained else answer.answer or ""
    values = {
        "abstained": float(answer.abstained),
        "contains_gold": float(contains_gold(text, item.answers)),
        "f1": best_f1(text, item.answers),
        "exact_match": float(exact_match(text, item.answers)),
        "short_answer": float(not answer.abstained and is_short(text)),
        **{f"sources@{k}": float(sources_hold_answer(answer.sources, item, k)) for k in SOURCE_CUTOFFS},
        "sentence_contains_gold": 0.0,
    }
    if not answer.abstained and answer.sources:
        top_source = answer.sources[0]
        sentence = top_source.quote[slice(*top_source.sentence)] if top_source.sentence else text
        values["sentence_contains_gold"] = float(contains_gold(sentence, item.answers))
    return values


@dataclass
class Tally:
    """Running sums over the evaluated questions of one mode, turned into a Report at the end."""

    counted: int = 0
    reciprocal: float = 0.0
    hits_at: Counter = field(default_factory=Counter)
    answers: Counter = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)

    def add_rank(self, rank: int | None) -> None:
        """The gold paragraph's rank in the ranking (None: not within it)."""
        self.counted += 1
        if rank is not None:
            self.reciprocal += 1.0 / rank
            for k in CUTOFFS:
                self.hits_at[k] += rank <= k

    def add_answer(self, answer: Answer, item: QAItem) -> None:
        """The engine's Answer to `item` (with the sources it shows)."""
        self.answers.update(measures(answer, item))

    def fill(self, report: Report, answers: bool, top: int) -> Report:
        counted = max(self.counted, 1)
        report.recall = {k: self.hits_at[k] / counted for k in CUTOFFS}
        report.mrr = self.reciprocal / counted
        if answers:
            share = {name: value / counted for name, value in self.answers.items()}
            report.contains_gold = share.get("contains_gold", 0.0)
            report.f1 = share.get("f1", 0.0)
            report.sentence_contains_gold = share.get("sentence_contains_gold", 0.0)
            report.answerable_abstained = share.get("abstained", 0.0)
            report.exact_match = share.get("exact_match", 0.0)
            report.short_answer = share.get("short_answer", 0.0)
            report.sources_hold_answer = {k: share.get(f"sources@{k}", 0.0) if k <= top else None for k in SOURCE_CUTOFFS}
        report.latency_p50_ms = 1000 * statistics.median(self.latencies) if self.latencies else 0.0
        report.latency_p95_ms = 1000 * percentile(self.latencies, 0.95)
        return report
