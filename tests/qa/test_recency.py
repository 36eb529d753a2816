"""When a question is asked: "this week" favours that week's articles; "as of" a day leaves later ones out."""

from __future__ import annotations

import datetime
import json

import pytest

from embeddings import Asked, Engine, Settings, ensure_index
from embeddings.evaluation.qa_sets import load_realtimeqa
from embeddings.qa.recency import in_days
from tests.qa.test_sources import article

FRIDAY = datetime.date(2022, 10, 28)


@pytest.mark.parametrize(
    ("question", "days"),
    [
        ("Who became prime minister this week?", 7),
        ("Which storm hit Florida yesterday?", 2),
        ("What did the court rule today?", 1),
        ("Which company recently laid off staff?", 14),
        ("Who won the election last month?", 62),
        ("Which team has won the most games this year, and who scored this week?", 7),  # the narrowest words decide
    ],
)
def test_time_words_point_at_days_counted_back_from_the_asking_day(question, days):
    first, last = Asked(FRIDAY).fresh_days(question)
    assert (FRIDAY - first).days == days and last == FRIDAY + datetime.timedelta(days=1)


@pytest.mark.parametrize("question", ["who signed the pact?", "What is the weekly average?", "Is Justin a weekday name?"])
def test_a_question_without_time_words_points_at_no_days(question):
    assert Asked(FRIDAY).fresh_days(question) is None


def test_in_days_reads_dates_and_timestamps_and_never_an_undated_article():
    days = (datetime.date(2022, 10, 21), datetime.date(2022, 10, 29))
    assert in_days("2022-10-25", days) and in_days("2022-10-21T08:00:00Z", days)
    assert not in_days("2022-10-20", days) and not in_days("2022-10-30", days)
    assert not in_days(None, days) and not in_days("last Tuesday", days)


def test_as_of_leaves_out_later_articles_only():
    as_of = Asked.as_of_day("2022-10-28")
    assert as_of.published_yet("2022-10-28") and as_of.published_yet("2021-01-01")
    assert not as_of.published_yet("2022-10-29")
    assert as_of.published_yet(None) and as_of.published_yet("sometime")  # undated: may be old, so kept
    assert Asked(FRIDAY).published_yet("2030-01-01")  # asked today, nothing is left out


def test_as_of_rejects_a_day_that_does_not_exist():
    with pytest.raises(ValueError):
        Asked.as_of_day("2022-02-30")


def test_realtimeqa_questions_are_asked_on_their_quiz_day(tmp_path):
    questions = tmp_path / "qa.jsonl"
    record = {"question": "Who?", "answer_text": "A", "answer_start": 0, "article_url": "https://x.test/a", "context": "A."}
    lines = [
        {**record, "question_id": "20220617_0"},
        {**record, "question_id": "20220617_1", "question_date": "2022/06/18"},
        {**record, "question_id": "q7"},
    ]
    questions.write_text("".join(json.dumps(line) + "\n" for line in lines), "utf-8")
    assert [item.asked_on for item in load_realtimeqa(questions)] == ["2022-06-17", "2022-06-18", ""]


@pytest.fixture(scope="module")
def engine(tmp_path_factory, real_encoder) -> Engine:
    """Two prime ministers of the same country, seven weeks apart, and an undated article."""
    folder = tmp_path_factory.mktemp("recency")
    corpus = folder / "corpus"
    corpus.mkdir()
    article(
        corpus,
        "truss.md",
        "Liz Truss becomes prime minister of the United Kingdom",
        "Capital Post",
        "2022-09-06",
        "Liz Truss became prime minister on Tuesday after she won the Conservative Party leadership race.",
        "Truss promised to cut taxes and to deal with the rising cost of energy.",
    )
    article(
        corpus,
        "sunak.md",
        "Rishi Sunak takes office",
        "Capital Post",
        "2022-10-25",
        "Rishi Sunak became prime minister on Tuesday, the third to hold the office in two months.",
        "Sunak, a former finance minister, warned of difficult decisions ahead on the economy.",
    )
    article(corpus, "garden.md", "Autumn in the garden", "Capital Post", "", "Plant tulip bulbs before the first frost.")
    settings = Settings(corpus=corpus, index=folder / "index")
    ensure_index(settings, real_encoder)
    return Engine(settings, real_encoder)


def test_this_week_prefers_the_article_of_the_asking_week(engine):
    question = "Who became prime minister this week?"
    assert "Truss" in engine.ask(question, asked=Asked.as_of_day("2022-09-09")).answer
    answer = engine.ask(question, asked=Asked(datetime.date(2022, 10, 28)))  # both published by then
    assert "Sunak" in answer.answer and answer.sources[0].date == "2022-10-25"


def test_as_of_a_day_never_quotes_an_article_published_after_it(engine):
    answer = engine.ask("Who became prime minister?", top_k=5, asked=Asked.as_of_day("2022-10-01"))
    assert answer.sources and all(source.date != "2022-10-25" for source in answer.sources)
    assert "Truss" in answer.answer


def test_asked_today_every_article_counts(engine):
    answer = engine.ask("Who is Sunak, the former finance minister?", top_k=5)
    assert any(source.date == "2022-10-25" for source in answer.sources)


def test_the_answer_cache_keeps_days_apart(engine):
    question = "Who became prime minister this week?"
    first = engine.ask(question, asked=Asked.as_of_day("2022-09-09"))
    second = engine.ask(question, asked=Asked(datetime.date(2022, 10, 28)))
    assert first.answer != second.answer
