"""Sources as a reader sees them: wire copy shown once, another article first only on a near-tie, newest first for
"latest"."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from embeddings import Engine, Settings, ensure_index
from embeddings.qa.engine import LEDE_SURE
from embeddings.qa.sources import asks_for_recent, near_duplicate, newest_first_among_ties, shingles, spread_over_articles
from tests.conftest import WordHashEncoder

WIRE = (
    "The harbour authority of Valdoria approved a new container terminal on Tuesday, "
    "after ten years of planning and two public inquiries into the dredging of the bay."
)


@dataclass
class Scored:
    row: int
    score: float


def article(folder: Path, name: str, title: str, outlet: str, date: str, *paragraphs: str) -> None:
    body = "\n\n".join(paragraphs)
    (folder / name).write_text(f"---\ntitle: '{title}'\nsource: {outlet}\ndate: {date}\n---\n\n{body}\n", "utf-8")


def corpus_in(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    return corpus


def candidate_texts(engine: Engine, question: str, read: list) -> set[str]:
    """The phrases the reader weighs as answers in the passages read."""
    passages = [source.quote for source in read]
    _, _, candidates = engine.reader.candidates(question, passages, [source.title for source in read])
    return {passages[c.sentence.passage][c.start : c.end] for c in candidates}


def reranking_engine(tmp_path: Path) -> Engine:
    """An engine over `tmp_path/corpus` with the default pipeline: the cross-encoder judges which passages answer."""
    settings = Settings(corpus=tmp_path / "corpus", index=tmp_path / "index")
    encoder = WordHashEncoder()
    ensure_index(settings, encoder)
    return Engine(settings, encoder)


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    protest = "Fishermen protested the dredging plans."
    article(corpus, "a.md", "Valdoria gets its terminal", "Coast Post", "2024-03-05", WIRE, protest)
    # The same wire story, lightly edited by a second outlet.
    article(corpus, "b.md", "Terminal approved", "Bay Times", "2024-03-06", WIRE.replace("Tuesday", "Tuesday morning"))
    article(
        corpus,
        "c.md",
        "Container terminal: what the dredging means",
        "Harbour Weekly",
        "2024-03-10",
        "The container terminal needs the bay dredged to fifteen metres, the harbour authority said.",
        "Dredging the bay for the container terminal will take two years, the harbour authority of Valdoria said.",
        "The harbour authority expects the container terminal to double traffic in the bay.",
    )
    settings = Settings(corpus=corpus, index=tmp_path / "index")
    encoder = WordHashEncoder()
    ensure_index(settings, encoder)
    return Engine(settings, encoder, mode="hybrid")


def test_wire_copy_repeated_by_two_outlets_is_quoted_once(engine):
    answer = engine.ask("when did the harbour authority approve the container terminal?", top_k=3)
    quotes = [source.quote for source in answer.sources]
    assert sum("approved a new container terminal" in quote for quote in quotes) == 1
    assert all(source.quote in (WIRE, WIRE.replace("Tuesday", "Tuesday morning")) or source.title for source in answer.sources)


def test_another_article_goes_first_only_on_a_near_tie():
    article_of = {1: "a", 2: "a", 3: "b", 4: "c"}
    tied = [Scored(1, 0.90), Scored(2, 0.88), Scored(3, 0.86), Scored(4, 0.20)]
    assert [item.row for item in spread_over_articles(tied, article_of, 3)] == [1, 3, 2]


def test_diversity_never_pushes_out_the_passage_that_answers():
    # The answering paragraph (row 2) is the article's second: a much weaker article must not take its place.
    article_of = {1: "a", 2: "a", 3: "b", 4: "c"}
    ranked = [Scored(1, 0.95), Scored(2, 0.90), Scored(3, 0.40), Scored(4, 0.30)]
    assert [item.row for item in spread_over_articles(ranked, article_of, 2)] == [1, 2]


def test_an_article_fills_in_when_fewer_articles_than_sources_are_relevant(engine):
    answer = engine.ask("what did the harbour authority say about dredging the bay for the container terminal?", top_k=4)
    titles = [source.title for source in answer.sources]
    assert len(titles) == 4 and titles.count("Container terminal: what the dredging means") >= 2


def test_quotes_are_verbatim_paragraphs_with_title_outlet_and_date(engine):
    answer = engine.ask("when did the harbour authority approve the container terminal?", top_k=3)
    for source in answer.sources:
        assert source.title and source.outlet and source.date
        assert source.quote in Path(engine.settings.corpus / source.path).read_text("utf-8")


def test_near_duplicates_are_recognised_by_shared_word_trigrams():
    assert near_duplicate(shingles(WIRE), shingles(WIRE.replace("Tuesday", "Tuesday morning")))
    assert not near_duplicate(shingles(WIRE), shingles("Fishermen protested the dredging plans."))


def test_latest_questions_put_the_newest_article_first_only_among_ties():
    ranked = [Scored(1, 0.90), Scored(2, 0.88), Scored(3, 0.50)]
    dates = {1: "2023-01-01", 2: "2024-06-01", 3: "2025-01-01"}
    assert [item.row for item in newest_first_among_ties(ranked, dates)] == [2, 1, 3]  # 3 is newer but no tie
    assert asks_for_recent("what is the latest on the pact?") and not asks_for_recent("who signed the pact?")


def test_a_latest_question_prefers_the_newer_of_two_equally_good_articles(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    text = "The Valdoria central bank raised its interest rate to {} percent to fight inflation."
    article(corpus, "old.md", "Rates up", "Coast Post", "2023-02-01", text.format("four"))
    article(corpus, "new.md", "Rates up again", "Coast Post", "2024-02-01", text.format("five"))
    settings = Settings(corpus=corpus, index=tmp_path / "index")
    encoder = WordHashEncoder()
    ensure_index(settings, encoder)
    engine = Engine(settings, encoder, mode="hybrid")
    latest = engine.ask("what is the latest interest rate of the Valdoria central bank?", top_k=2)
    assert latest.sources[0].date == "2024-02-01"


def test_the_reader_also_reads_the_lede_of_the_best_article(engine):
    question = "does the harbour authority expect the terminal to double traffic?"
    read = engine.reading(question, engine.rank(question, 15))
    best = read[0]
    assert best.title == "Container terminal: what the dredging means" and best.paragraph == 3
    assert {(source.title, source.paragraph) for source in read} >= {(best.title, 1), (best.title, 2)}


def test_the_reader_reads_the_lede_of_a_second_article_that_answers_surely(tmp_path):
    # The paragraphs that answer say "the platform"; the name is in the lede of the article that is not read first.
    corpus = corpus_in(tmp_path)
    article(
        corpus, "deal.md", "A rapper buys a platform", "Coast Post", "2022-10-17",
        "Kanye West is acquiring Parler, the alternative social media platform.",
        "The deal was announced on Monday morning by the parent company.",
        "Analysts said the acquisition comes after West had his account locked by Twitter this month.",
    )  # fmt: skip
    article(
        corpus, "react.md", "West buys the controversial social media platform", "Bay Times", "2022-10-18",
        "Markets shrugged on Tuesday.",
        "Traders wrote notes all day.",
        "West is acquiring the controversial social media platform after being removed from Twitter this month.",
    )  # fmt: skip
    engine = reranking_engine(tmp_path)
    question = "which controversial social media platform is West acquiring?"
    ranked = engine.rank(question, 15)
    read = engine.reading(question, ranked)
    first = read[0]
    assert first.title.startswith("West buys") and first.paragraph == 3
    second = next(source for source in read if source.title != first.title)
    assert next(item for item in ranked if item.text == second.quote).score >= LEDE_SURE
    assert {(source.title, source.paragraph) for source in read} >= {(first.title, 1), (second.title, 1), (second.title, 2)}
    assert "Parler" in candidate_texts(engine, question, read)


def test_a_name_said_short_is_answered_in_full_with_both_quotes(tmp_path):
    # News names a person in full once, near the top, and by surname after: the sentences that answer say "Sunak".
    article(
        corpus_in(tmp_path), "pm.md", "The new prime minister", "Coast Post", "2022-10-25",
        "Just seven short weeks ago, it looked as if it might be all over for Rishi Sunak. His rival had won.",
        "Sunak became prime minister on Tuesday. Sunak is the new prime minister this week. The Conservative Party "
        "chose Sunak as leader on Monday.",
        "Speaking after being declared the new leader, Sunak said he was honoured to become the next prime minister. "
        "Sunak became the new prime minister this week, the youngest in two centuries.",
        "King Charles welcomed Sunak at the palace and asked him to form a government as prime minister. "
        "Sunak then spoke outside Downing Street as the new prime minister.",
    )  # fmt: skip
    engine = reranking_engine(tmp_path)
    question = "Who became the new prime minister this week?"
    said = candidate_texts(engine, question, engine.reading(question, engine.rank(question, 15)))
    assert "Sunak" in said and "Rishi Sunak" not in said  # the sentence with the full name is not one searched
    answer = engine.ask(question, 3)
    assert answer.answer == "Rishi Sunak"
    first, second = answer.sources[:2]
    assert first.paragraph == 1 and first.quote[slice(*first.highlight)] == "Rishi Sunak"
    assert second.paragraph != 1 and second.quote[slice(*second.highlight)] == "Sunak"
    assert len({(source.title, source.paragraph) for source in answer.sources}) == len(answer.sources)
