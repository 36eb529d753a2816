"""Passages are verbatim paragraphs with their sub-heading; long ones are cut at sentence ends."""

import pytest

from embeddings.ingest.articles import Article, Block
from embeddings.ingest.passages import sentence_spans, split_passages


def test_headings_are_context_not_passages():
    article = Article("T", (Block("First."), Block("Sub", True), Block("Second."), Block("Third.")), "a.txt", "a.txt")
    passages = split_passages(article)
    assert [(p.paragraph, p.text, p.heading) for p in passages] == [
        (1, "First.", None),
        (2, "Second.", "Sub"),
        (3, "Third.", "Sub"),
    ]


def test_long_paragraph_is_split_at_sentence_boundaries_verbatim():
    sentence = "The minister said the plan would cost more than expected. "
    paragraph = (sentence * 40).strip()
    passages = split_passages(Article("T", (Block(paragraph),), "a.txt", "a.txt"), max_chars=300)
    assert len(passages) > 1
    assert all(len(p.text) <= 300 and p.text in paragraph and p.text.endswith(".") for p in passages)
    assert " ".join(p.text for p in passages) == paragraph
    assert {p.paragraph for p in passages} == {1}


@pytest.mark.parametrize(
    "sentences",
    [
        ["Mr. Smith met U.S. officials on Jan. 5.", "He said: “It is fine.”", "Then he left."],
        ["The court overturned Roe v. Wade in June.", "Climbers left Mt. Everest early.", "It snowed."],
    ],
)
def test_sentence_spans_respect_abbreviations_and_quotes(sentences):
    text = " ".join(sentences)
    assert [text[a:b] for a, b in sentence_spans(text)] == sentences
