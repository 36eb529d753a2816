"""The answer figures: SQuAD's normalisation, exact match, F1 and "holds the gold", what the shown sources hold."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from embeddings.evaluation.metrics import (
    Report,
    Tally,
    contains_gold,
    exact_match,
    is_short,
    normalize_answer,
    sources_hold_answer,
    token_f1,
)
from embeddings.evaluation.qa_sets import QAItem

SQUID = QAItem("rt1", "Which show?", ("“Squid Game”",), "u", "Squid game", "p", "test", url="https://cnn.com/squid")
LAKE = QAItem("q1", "Deepest lake?", ("Lake Mirren", "Mirren"), "Lakes", "Lakes of Valdoria", "p", "dev")


def source(quote: str, title: str = "Lakes of Valdoria", url: str | None = None, sentence=None) -> SimpleNamespace:
    return SimpleNamespace(title=title, url=url, quote=quote, sentence=sentence)


def answer(text: str | None, sources=()) -> SimpleNamespace:
    return SimpleNamespace(answer=text, abstained=text is None, sources=list(sources))


def test_normalisation_drops_case_punctuation_articles_and_typographic_quotes():
    assert normalize_answer("The  “Squid Game”!") == "squid game"
    assert normalize_answer("an apple, a pear") == "apple pear"
    assert normalize_answer("Mirren’s lake") == "mirrens lake"


def test_exact_match_f1_and_holds_gold_on_known_strings():
    assert exact_match("Squid Game", ["“Squid Game”"]) and exact_match("the “Squid Game”", ["“Squid Game”"])
    assert not exact_match("Squid Game season 2", ["“Squid Game”"])
    assert token_f1("“Squid Game” is officially coming back", "“Squid Game”") == pytest.approx(0.5)
    assert contains_gold("“Squid Game” is officially coming back.", ["“Squid Game”"])
    assert not contains_gold("", ["“Squid Game”"]) and not exact_match("", ["“Squid Game”"])
    assert is_short("Lake Mirren") and not is_short("") and not is_short(" ".join(["word"] * 13))


def test_a_source_holds_the_answer_only_when_it_is_from_the_gold_article():
    elsewhere = source("Lake Mirren is famous.", title="Tourism in Valdoria")
    gold = source("Lake Mirren is the deepest lake.")
    assert not sources_hold_answer([elsewhere, gold], LAKE, 1) and sources_hold_answer([elsewhere, gold], LAKE, 5)
    assert not sources_hold_answer([source("It freezes every winter.")], LAKE, 5)  # gold article, no answer
    by_url = source("“Squid Game” returns.", title="Another title", url="https://cnn.com/squid")
    assert sources_hold_answer([by_url], SQUID, 1)
    assert not sources_hold_answer([source("“Squid Game” returns.", title="Squid game", url="https://x.com/")], SQUID, 1)


def test_the_tally_counts_an_abstention_as_an_empty_answer():
    tally = Tally()
    quote = "Lake Mirren is the deepest lake in Valdoria."
    tally.add_rank(1)
    tally.add_answer(answer("Lake Mirren", [source(quote, sentence=(0, len(quote)))]), LAKE)
    tally.add_rank(None)
    tally.add_answer(answer(None), LAKE)
    tally.latencies += [0.1, 0.3]
    report = tally.fill(Report("rerank", 2), answers=True, top=5)
    assert report.recall == {1: 0.5, 5: 0.5, 20: 0.5} and report.mrr == 0.5
    assert report.exact_match == 0.5 and report.f1 == 0.5 and report.contains_gold == 0.5
    assert report.sentence_contains_gold == 0.5 and report.answerable_abstained == 0.5
    assert report.short_answer == 0.5 and report.sources_hold_answer == {1: 0.5, 5: 0.5}
    assert report.row().startswith("| rerank | 2 | 0.500 |") and report.row().count("|") == 18
