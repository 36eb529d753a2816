"""The short answer inside the sentence: a date, quantity or percentage only when exactly one fits the question."""

from __future__ import annotations

import pytest

from embeddings.qa.span import answer_span, question_type


def span_text(question: str, sentence: str) -> str | None:
    found = answer_span(question, sentence)
    return sentence[found[0] : found[1]] if found else None


@pytest.mark.parametrize(
    ("question", "sentence", "expected"),
    [
        ("When was the treaty signed?", "The treaty was signed on June 19, 2024 in Pyongyang.", "June 19, 2024"),
        ("In what year did the war end?", "The war ended in 1953 with an armistice.", "1953"),
        ("How many people attended?", "About 70,000 people attended the final.", "70,000"),
        ("What percentage of voters agreed?", "Polls showed 62% of voters agreed.", "62%"),
        ("How much did the bridge cost?", "The bridge cost $4.5 billion to build.", "$4.5 billion"),
    ],
)
def test_a_single_candidate_of_the_asked_type_is_the_span(question, sentence, expected):
    assert span_text(question, sentence) == expected


@pytest.mark.parametrize(
    ("question", "sentence"),
    [
        ("who signed the pact?", "Vladimir Putin signed the pact together with Kim Jong-un."),
        ("Where was it signed?", "It was signed in Pyongyang."),
        ("When did it happen?", "It happened in 1990, not in 1991."),  # two dates: not sure which
        ("How many were there?", "There were several of them."),  # no number at all
    ],
)
def test_no_span_when_the_type_is_not_handled_or_the_choice_is_ambiguous(question, sentence):
    assert answer_span(question, sentence) is None


def test_a_date_the_question_already_names_is_not_the_answer():
    assert span_text("When did the war that began in 1990 end?", "After 1990 the war went on until 1995.") == "1995"


def test_question_types():
    assert question_type("When did the war end?") == "date"
    assert question_type("In which year was he born?") == "date"
    assert question_type("How many goals were scored?") == "quantity"
    assert question_type("What percentage of the vote did she win?") == "percent"
    assert question_type("Who won?") is None


def test_a_span_is_widened_to_whole_words_and_a_hyphenated_word_stays_whole():
    from embeddings.qa.span import whole_words

    text = "The 28-year-old runner won the Rhine-Meuse race - twice."
    assert text[slice(*whole_words(text, 4, 11))] == "28-year-old"  # the head read "28-year" in word pieces
    assert text[slice(*whole_words(text, 31, 34))] == "Rhine-Meuse"
    assert text[slice(*whole_words(text, 43, 47))] == "race"  # a dash between spaces joins nothing
