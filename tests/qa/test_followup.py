"""Conversations with the real model: follow-up questions stay on the topic of the conversation."""

from __future__ import annotations

from pathlib import Path

import pytest

from embeddings import Engine, Settings, ensure_index
from embeddings.qa.followup import is_follow_up, names_no_topic, no_topic_language, with_context

PACT_PARAGRAPH = "Vladimir Putin, who signed the pact together with the North Korean Kim Jong-un."

BRIDGE = (
    "The new Ostra bridge was designed by the engineer Marta Kovalenko and opened to traffic in May 2023. "
    "It spans 1.2 kilometres across the Vell estuary."
)
BRIDGE_COST = "Building the Ostra bridge cost 310 million euros, most of it paid by the regional government."
FINAL = "Ostra United won the national cup final on Sunday, beating Port Vell 3-1 in front of 40,000 fans."
FINAL_GOALS = "Two of the three Ostra United goals were scored by the striker Ilian Dragov in the second half."


@pytest.fixture(scope="module")
def seed_engine(tmp_path_factory, real_encoder):
    from tests.conftest import SEED

    folder = tmp_path_factory.mktemp("seed")
    (folder / "corpus").mkdir()
    (folder / "corpus" / SEED.name).write_bytes(SEED.read_bytes())
    settings = Settings(corpus=folder / "corpus", index=folder / "index")
    ensure_index(settings, real_encoder)
    return Engine(settings, real_encoder)


@pytest.fixture(scope="module")
def local_engine(tmp_path_factory, real_encoder):
    folder = tmp_path_factory.mktemp("local")
    corpus = folder / "corpus"
    corpus.mkdir()
    for name, title, paragraphs in [
        ("bridge.md", "Ostra opens its new bridge", [BRIDGE, BRIDGE_COST]),
        ("final.md", "Ostra United take the cup", [FINAL, FINAL_GOALS]),
    ]:
        body = "\n\n".join(paragraphs)
        (corpus / name).write_text(f"---\ntitle: {title}\nsource: Vell Gazette\ndate: 2024-05-12\n---\n\n{body}\n", "utf-8")
    settings = Settings(corpus=corpus, index=folder / "index")
    ensure_index(settings, real_encoder)
    return Engine(settings, real_encoder)


def converse(engine: Engine, questions: list[str]) -> list:
    answers = []
    for number, question in enumerate(questions):
        answers.append(engine.ask(question, top_k=1, history=questions[:number]))
    return answers


def test_when_was_it_signed_after_who_signed_the_pact_quotes_the_same_paragraph(seed_engine):
    first, second, third = converse(seed_engine, ["who signed the pact?", "and when was it signed?", "where was it signed?"])
    for answer in (first, second, third):
        assert not answer.abstained
        assert answer.sources[0].quote.endswith(PACT_PARAGRAPH)
    assert "Vladimir Putin" in first.answer and "Kim Jong-un" in first.answer


def test_a_bare_where_or_when_follows_on_and_answers_in_a_few_words(seed_engine):
    where, when = converse(seed_engine, ["who signed the pact?", "where?", "and when was it signed?"])[1:]
    assert where.answer == "Pyongyang" and when.answer == "last week"
    assert when.answer_date is not None and when.answer_date.description == "the week of Jun 17, 2024"


def test_a_bare_follow_up_is_judged_by_its_topic_and_answered_by_a_phrase_of_its_kind_or_not_at_all(seed_engine):
    # "and when?" read alone scores every passage about -7: averaged with the topic's reading it used to abstain.
    where, when = converse(seed_engine, ["where was the pact signed?", "and when?"])
    assert where.answer == "Pyongyang" and when.answer == "last week" and when.answer_type == "date"
    assert when.sources[0].quote.endswith(PACT_PARAGRAPH)
    # The topic is found, but nothing in it says how much: no sentence, no name of another kind, no bare count.
    for topic in ("who signed the pact?", "where was the pact signed?", "what did Seoul, Tokyo and Washington condemn?"):
        much = converse(seed_engine, [topic, "how much?"])[1]
        assert much.abstained and much.answer is None and not much.sources, topic
    who = converse(seed_engine, ["where was the pact signed?", "who?"])[1]
    assert who.answer == "Vladimir Putin and Kim Jong-un"


def test_who_signed_the_pact_answers_both_names_and_bolds_each_in_the_quote(seed_engine):
    answer = seed_engine.ask("who signed the pact?")
    top = answer.sources[0]
    assert answer.answer == "Vladimir Putin and Kim Jong-un" and answer.answer_type == "person"
    assert [top.quote[start:end] for start, end in top.highlights] == ["Vladimir Putin", "Kim Jong-un"]
    assert top.highlight == top.highlights[0]


def test_a_conversation_follows_its_topic_and_switches_on_a_new_question(local_engine):
    questions = [
        "Who designed the new bridge in Ostra?",
        "how long is it?",
        "and how much did it cost?",
        "Who won the cup final?",
        "how many of their goals did Dragov score?",
    ]
    designed, length, cost, final, goals = converse(local_engine, questions)
    assert "Marta Kovalenko" in designed.answer
    assert length.sources[0].quote == BRIDGE and "1.2 kilometres" in length.answer
    assert cost.sources[0].quote == BRIDGE_COST
    assert final.sources[0].quote == FINAL
    assert goals.sources[0].quote == FINAL_GOALS


def test_a_follow_up_alone_in_the_conversation_is_asked_as_it_is():
    assert with_context("and when was it signed?", []) == "and when was it signed?"
    assert with_context("Who won the cup final?", ["who designed the bridge?"]) == "Who won the cup final?"


def test_a_chain_of_follow_ups_borrows_the_last_self_contained_question():
    history = ["who signed the pact?", "and when was it signed?"]
    assert with_context("where was it signed?", history) == "who signed the pact? where was it signed?"
    assert is_follow_up("what about Japan?") and not is_follow_up("who signed the pact?")


def test_a_question_of_question_words_alone_names_no_topic():
    assert names_no_topic("and when?") and names_no_topic("How much?") and names_no_topic("where exactly?")
    assert not names_no_topic("and when was it signed?") and not names_no_topic("how much did the bridge cost?")


def test_the_seed_question_works_from_a_fresh_engine(tmp_path: Path, seed_engine):
    assert seed_engine.ask("who signed the pact?", history=["what is the capital of France?"]).sources


def test_question_words_alone_in_other_languages_are_follow_ups_in_that_language():
    asked = {"А когда?": "ru", "¿Y dónde?": "es", "Und wann?": "de", "Et où ?": "fr", "그럼 어디서요?": "ko", "いつ？": "ja"}
    asked["那什么时候呢？"] = "zh"
    for question, language in asked.items():
        assert no_topic_language(question) == language and names_no_topic(question) and is_follow_up(question), question
    for question in ("and when?", "was?", "Кто подписал пакт?", "Wann wurde der Pakt unterzeichnet?", "誰が署名しましたか？"):
        assert no_topic_language(question) is None, question
    assert with_context("Und wann?", ["Wer hat den Pakt unterzeichnet?"]) == "Wer hat den Pakt unterzeichnet? Und wann?"


def test_a_follow_up_in_another_language_opens_with_and_or_names_the_topic_by_a_pronoun():
    leaning = ["А когда он был подписан?", "Und wo wurde er unterzeichnet?", "¿Y dónde se firmó?", "그럼 어디서요?"]
    leaning.append("それはいつ？")
    for question in leaning:
        assert is_follow_up(question), question
    for question in ("Кто подписал пакт?", "¿Quién firmó la alianza?", "¿Qué es el pacto?", "Où le pacte a-t-il été signé ?"):
        assert not is_follow_up(question), question  # "la" is an article, "es" a verb, "-t-il" French word order
