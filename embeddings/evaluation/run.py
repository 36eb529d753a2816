"""Running the engine over a QA set: where each gold paragraph sits in the index, then one mode's figures."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from embeddings.evaluation.metrics import CUTOFFS, Report, Tally, measures
from embeddings.evaluation.qa_sets import QAItem
from embeddings.index.store import StoredIndex
from embeddings.qa.engine import Engine
from embeddings.qa.recency import Asked
from embeddings.qa.results import Answer

DEFAULT_TOP = 5  # sources shown per answer, as a front end shows them


def gold_rows(index: StoredIndex, items: Sequence[QAItem]) -> list[set[int]]:
    """The passage rows holding each question's gold paragraph: same article (url, else title), one text inside the other.

    A long paragraph is cut into several passages; any of them counts as a hit (as long as it is part of the paragraph).
    """
    records = index.articles()
    titles = {a.id: a.title for a in records}
    urls = {a.id: a.url for a in records}
    by_title: dict[str, list[tuple[int, str]]] = {}
    by_url: dict[str, list[tuple[int, str]]] = {}
    for article_id, passages in index.passages_by_article().items():
        texts = [(p.row, " ".join(p.text.split())) for p in passages]
        by_title.setdefault(titles[article_id], []).extend(texts)
        if urls[article_id]:
            by_url.setdefault(urls[article_id], []).extend(texts)
    golds = []
    for item in items:
        candidates = by_url.get(item.url, []) if item.url else by_title.get(item.title, [])
        golds.append({row for row, text in candidates if item.paragraph and (text in item.paragraph or item.paragraph in text)})
    return golds


def evaluate_mode(
    engine: Engine,
    items: Sequence[QAItem],
    golds: Sequence[set[int]],
    answers: bool = True,
    heldout_engine: Engine | None = None,
    heldout_items: Sequence[QAItem] = (),
    progress: Callable[[int], None] = lambda done: None,
    top: int = DEFAULT_TOP,
    answered: list | None = None,
    as_asked: bool = False,
    records: list[dict] | None = None,
) -> Report:
    """Rank every question (and answer it with `top` sources, when `answers`); the figures over the questions whose
    gold was found. Each answer is also appended to `answered` when given (to compare backends), and its measures
    to `records` (`answer_record`). `as_asked` asks each question as of the day the set says it was asked (articles
    published later left out), as its readers did."""
    report = Report(engine.mode, len(items))
    tally = Tally()
    for number, (item, gold) in enumerate(zip(items, golds, strict=True), start=1):
        if not gold:
            report.unmapped += 1
            continue
        asked = _asked(item, as_asked)
        started = time.perf_counter()
        if answers:
            answer, ranked = engine.ask_ranked(item.question, top_k=top, asked=asked)
        else:
            ranked = engine.rank(item.question, max(CUTOFFS), asked=asked)
        tally.latencies.append(time.perf_counter() - started)
        rows = [hit.row for hit in ranked[: max(CUTOFFS)]]
        rank = next((position for position, row in enumerate(rows, start=1) if row in gold), None)
        tally.add_rank(rank)
        if answers:
            tally.add_answer(answer, item)
            if answered is not None:
                answered.append(answer)
            if records is not None:
                records.append(answer_record(answer, item, rank))
        progress(number)
    if heldout_engine is not None and heldout_items:
        report.heldout_questions = len(heldout_items)
        report.heldout_abstained = _heldout_abstained(
            heldout_engine, heldout_items, tally, progress, len(items), as_asked, records
        )
    return tally.fill(report, answers, top)


def answer_record(answer: Answer, item: QAItem, rank: int | None) -> dict:
    """One question's line of `evaluate --answers`: what was asked, the gold, the answer and its measures (metrics.
    measures), `gold_rank` (the gold paragraph's place in the ranking, None past 20), and the first source quoted."""
    first = answer.sources[0] if answer.sources and not answer.abstained else None
    return {
        "id": item.id,
        "question": item.question,
        "gold": list(item.answers),
        "answer": None if answer.abstained else answer.answer,
        "answer_type": answer.answer_type,
        "gold_rank": rank,
        **measures(answer, item),
        "abstained": answer.abstained,
        "source": None if first is None else {"title": first.title, "paragraph": first.paragraph, "url": first.url},
    }


def _heldout_abstained(
    engine: Engine,
    items: Sequence[QAItem],
    tally: Tally,
    progress: Callable[[int], None],
    done: int,
    as_asked: bool,
    records: list[dict] | None,
) -> float:
    """The share of questions about articles missing from the engine's index that it refused to answer."""
    refused = 0
    for number, item in enumerate(items, start=done + 1):
        started = time.perf_counter()
        answer = engine.ask(item.question, top_k=1, asked=_asked(item, as_asked))
        tally.latencies.append(time.perf_counter() - started)
        refused += answer.abstained
        if records is not None:
            answered = None if answer.abstained else answer.answer
            records.append(
                {"id": item.id, "question": item.question, "heldout": True, "abstained": answer.abstained, "answer": answered}
            )
        progress(number)
    return refused / len(items)


def _asked(item: QAItem, as_asked: bool) -> Asked | None:
    """As of the day the question was asked, when `as_asked` and the set says it; else None (today)."""
    return Asked.as_of_day(item.asked_on) if as_asked and item.asked_on else None
