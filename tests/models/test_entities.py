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
