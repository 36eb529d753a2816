"""The tagger's mentions: a sentence tagged once is not tagged again (a burst asks about the same articles)."""

from __future__ import annotations

import pytest

from embeddings.models.entities import EntityTagger


@pytest.fixture
def counted(monkeypatch) -> tuple[EntityTagger, list[list[str]]]:
    tagger = EntityTagger(kept=2)
    calls: list[list[str]] = []
    tag = tagger._tag

    def counting(texts: list[str]):
        calls.append(list(texts))
        return tag(texts)

    monkeypatch.setattr(tagger, "_tag", counting)
    return tagger, calls


def test_a_sentence_tagged_before_is_answered_from_what_was_kept(counted):
    tagger, calls = counted
    pact = "Vladimir Putin and Kim Jong-un signed the pact in Pyongyang."
    first = tagger.mentions([pact])
    assert {pact[m.start : m.end] for m in first[0]} >= {"Vladimir Putin", "Kim Jong-un", "Pyongyang"}
    again = tagger.mentions([pact, pact])
    assert again == [first[0], first[0]] and calls == [[pact]]
    again[0].clear()  # callers may change the lists they get: what is kept stays
    assert tagger.mentions([pact]) == first


def test_the_least_recently_used_sentence_is_dropped_first(counted):
    tagger, calls = counted
    one, two, three = "Seoul condemned it.", "Tokyo condemned it.", "Washington condemned it."
    tagger.mentions([one, two])
    tagger.mentions([one])  # now "two" is the least recently used
    tagger.mentions([three])
    tagger.mentions([one, two])
    assert calls == [[one, two], [three], [two]]


@pytest.mark.parametrize(
    "question",
    [
        "Which US national park was impacted by severe flooding this week?",
        "Broadway’s biggest stars were recognized this week at which prestigious awards show?",
        "What is the biggest threat to the pact, according to Seoul?",
        "Which individual's account did Twitter restore?",
    ],
)
def test_a_question_is_tagged_without_parsing_and_gets_the_full_pipelines_tags(question):
    """parse_question reads tags and lemmas (coarse POS may differ: the attribute ruler looks at the parse)."""
    tagger = EntityTagger()
    full = tagger._load()(question)
    light = tagger._tagged(question)
    assert [(w.text, w.tag_, w.lemma_) for w in light] == [(w.text, w.tag_, w.lemma_) for w in full]
    assert not light.has_annotation("DEP") and not light.has_annotation("ENT_IOB")


def test_a_verb_is_told_from_the_words_before_a_name():
    tagger = EntityTagger()
    assert tagger.says_a_verb(" threaten ")
    assert tagger.says_a_verb(" who signed the pact together with the ")
    assert not tagger.says_a_verb(" the North Korean ")
    assert not tagger.says_a_verb(" the newly elected ")


@pytest.mark.parametrize(
    ("sentence", "date"),
    [
        ("The trial, expected to last five months, began on Monday.", "five months"),  # "last" is the verb
        ("The talks will last two days.", "two days"),
        ("The deal was signed last week.", "last week"),
    ],
)
def test_a_date_does_not_begin_with_the_verb_last(sentence, date):
    found = [sentence[m.start : m.end] for m in EntityTagger().mentions([sentence])[0] if m.label == "DATE"]
    assert date in found


@pytest.mark.parametrize(
    ("sentence", "amount"),
    [
        ("The console will retail for £99 in the UK.", "£99"),  # the small model tags "99"
        ("The trial may cost $4m (£2.13m) of taxpayers' money.", "£2.13m"),  # it tags "2.13"
        ("It raised $1.5 billion.", "$1.5 billion"),
    ],
)
def test_an_amount_keeps_its_currency_and_magnitude(sentence, amount):
    assert amount in [sentence[m.start : m.end] for m in EntityTagger().mentions([sentence])[0] if m.label == "MONEY"]
