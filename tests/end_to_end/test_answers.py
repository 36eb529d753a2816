"""With the real packaged model: the seed corpus answers "who signed the pact?" and abstains off-topic."""

from __future__ import annotations

import pytest

from embeddings import EmptyQuestion, Engine, ensure_index

PACT_PARAGRAPH = "Vladimir Putin, who signed the pact together with the North Korean Kim Jong-un."


@pytest.fixture
def engine(settings, real_encoder):
    ensure_index(settings, real_encoder)
    return Engine(settings, real_encoder)


def test_who_signed_the_pact_quotes_the_seed_paragraph(engine):
    answer = engine.ask("who signed the pact?")
    assert not answer.abstained
    assert "Vladimir Putin" in answer.answer and "Kim Jong-un" in answer.answer
    top = answer.sources[0]
    assert top.quote.endswith(PACT_PARAGRAPH)
    assert (top.title, top.outlet, top.date) == (
        "Seoul, Tokyo and Washington condemn the Pyongyang-Moscow pact",
        "Deutsche Welle",
        "2024-06-24",
    )
    assert top.paragraph == 4 and top.heading == "They agreed on mutual military assistance"
    assert " and ".join(top.quote[start:end] for start, end in top.highlights) == answer.answer


@pytest.mark.parametrize(
    "question",
    [
        "what is the recipe for banana bread?",
        "who won the world cup in 2018?",
        "what is the capital of France?",
        "how do I reset my router password?",
    ],
)
def test_off_topic_questions_abstain(engine, question):
    answer = engine.ask(question)
    assert answer.abstained and answer.answer is None and answer.sources == []


@pytest.mark.parametrize(
    "question",
    [
        "How long did Putin stay in Pyongyang?",  # read at 0.25-0.5: answered "last week" before the bar moved to 0.5
        "Who is the president of South Korea?",
        "How many nuclear weapons does North Korea have?",
    ],
)
def test_questions_near_the_article_that_it_does_not_answer_abstain(engine, question):
    answer = engine.ask(question)
    assert answer.abstained and answer.answer is None and answer.sources == []


def test_top_k_sets_the_number_of_distinct_sources(engine):
    answer = engine.ask("what did the joint statement say?", top_k=5)
    assert len(answer.sources) == 5
    assert len({s.quote for s in answer.sources}) == 5
    assert all(s.quote for s in answer.sources)


def test_follow_up_uses_the_previous_question(engine):
    answer = engine.ask("and when was it signed?", history=["who signed the pact?"])
    assert not answer.abstained
    assert answer.sources[0].quote.endswith(PACT_PARAGRAPH)


def test_a_follow_up_with_words_of_its_own_is_answered_by_them(engine):
    """The earlier turn finds the article; the follow-up's own words ("involve") pick the sentence that answers, not
    the one that answered the earlier turn (which names the agreement itself)."""
    answer = engine.ask("what could it involve?", history=["what is the agreement called?"])
    assert answer.answer == "advanced Russian technology"


def test_empty_question_is_refused(engine):
    with pytest.raises(EmptyQuestion):
        engine.ask("   ")


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("who signed the pact?", "Vladimir Putin and Kim Jong-un"),
        ("where was the pact signed?", "Pyongyang"),
        ("what is the pact called?", "Comprehensive Strategic Partnership Agreement"),
        ("which countries condemned the pact?", "South Korea, Japan and the United States"),
        ("when did talks on denuclearization fail?", "2019"),
        ("how did the US describe its commitment?", "remains ironclad"),
        # "violate ... Resolutions and threaten stability": stability is threatened, not violated (qa/pieces.py)
        ("what do the arms transfers violate?", "multiple United Nations Security Council Resolutions"),
        # Kim signed the pact together with Putin, but was not the president visiting (qa/pieces.py)
        ("which president visited North Korea?", "Vladimir Putin"),
        ("who did Putin sign the pact with?", "Kim Jong-un"),  # "Putin" names Vladimir Putin: not a second answer
        # countries act in news: they may answer "who" (answer_types.ACTING_PLACES)
        ("who condemned the agreement?", "South Korea, Japan and the United States"),
    ],
)
def test_short_questions_about_the_seed_get_a_few_words_bold_in_their_quote(engine, question, expected):
    answer = engine.ask(question)
    assert answer.answer == expected and answer.answer_type is not None
    top = answer.sources[0]
    assert " and ".join(top.quote[start:end] for start, end in top.highlights) == expected
