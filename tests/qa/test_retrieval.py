"""Retrieval as the answer quality depends on it: fusion, hybrid modes, the cross-encoder, its settings."""

from __future__ import annotations

import numpy as np
import pytest

from embeddings import Engine, Settings, ensure_index
from embeddings.models.cross_encoder import CrossEncoder
from embeddings.qa.fusion import reciprocal_rank_fusion, weighted_fusion
from tests.conftest import WordHashEncoder

PARAGRAPHS = [
    "The museum's new wing houses the XK-417 locomotive, restored by volunteers over six winters.",
    "Visitors to the museum can ride a steam train on the first Sunday of every month.",
    "The museum was founded in 1962 by a group of retired railway workers.",
    "Ticket prices will rise next year to pay for a new roof over the engine shed.",
]


@pytest.fixture
def corpus_settings(tmp_path) -> Settings:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    body = "\n\n".join(PARAGRAPHS)
    (corpus / "museum.md").write_text(f"---\ntitle: Railway museum\nsource: Gazette\ndate: 2024-01-02\n---\n\n{body}\n", "utf-8")
    return Settings(corpus=corpus, index=tmp_path / "index")


def test_weighted_fusion_puts_bm25_on_the_cosine_scale():
    fused = weighted_fusion(np.array([0.5, 0.2]), np.array([10.0, 0.0]), top_bm25=10.0, weight=0.6)
    assert fused == pytest.approx([0.6 * 0.5 + 0.4 * 1.0, 0.6 * 0.2])
    assert weighted_fusion(np.array([0.5]), np.array([0.0]), top_bm25=0.0, weight=0.6) == pytest.approx([0.3])


def test_reciprocal_rank_fusion_rewards_agreement():
    fused = reciprocal_rank_fusion([[1, 2, 3], [3, 2, 4]], k=60)
    assert fused[0][0] in (2, 3) and {row for row, _ in fused} == {1, 2, 3, 4}


@pytest.mark.parametrize("mode", ["bm25", "dense", "rrf", "hybrid"])
def test_every_retrieval_mode_finds_the_paragraph_naming_an_exact_code(corpus_settings, mode):
    encoder = WordHashEncoder()
    ensure_index(corpus_settings, encoder)
    engine = Engine(corpus_settings, encoder, mode=mode)
    assert engine.rank("which locomotive is XK-417?", 1)[0].text == PARAGRAPHS[0]


def test_unknown_modes_are_refused(corpus_settings):
    encoder = WordHashEncoder()
    ensure_index(corpus_settings, encoder)
    with pytest.raises(ValueError, match="unknown mode"):
        Engine(corpus_settings, encoder, mode="magic")


def test_rerank_setting_off_means_hybrid_retrieval(corpus_settings):
    from dataclasses import replace

    encoder = WordHashEncoder()
    ensure_index(corpus_settings, encoder)
    assert Engine(replace(corpus_settings, rerank=False), encoder).mode == "hybrid"
    assert Engine(corpus_settings, encoder).mode == "rerank"  # the cross-encoder ships with the project


def test_rerank_setting_reads_the_environment(monkeypatch):
    monkeypatch.setenv("NEWSQA_RERANK", "0")
    assert Settings.from_env().rerank is False
    monkeypatch.delenv("NEWSQA_RERANK")
    assert Settings.from_env().rerank is True


def test_the_cross_encoder_prefers_the_passage_that_answers():
    reranker = CrossEncoder()

    def probabilities(question: str) -> np.ndarray:  # the logits as 0..1 probabilities (sigmoid)
        return 1.0 / (1.0 + np.exp(-reranker.score(question, PARAGRAPHS)))

    scores = probabilities("When was the railway museum founded?")
    assert int(np.argmax(scores)) == 2 and scores[2] > 0.5
    assert ((scores >= 0) & (scores <= 1)).all()
    off_topic = probabilities("What is the recipe for banana bread?")
    assert off_topic.max() < 0.25
    assert reranker.score("anything", []).shape == (0,)


def test_a_passage_scores_the_same_whatever_it_is_ranked_with():
    # Batched, the INT8 model shares one activation scale (and the padding) across the batch, so a passage's score
    # moved with the other passages retrieved beside it; reranking reads each pair alone.
    reranker = CrossEncoder()
    question = "When was the railway museum founded?"
    alone = reranker.score(question, PARAGRAPHS[2:3])
    longest = max(PARAGRAPHS, key=len)
    beside = reranker.score(question, [PARAGRAPHS[2], longest * 4, "Short."])
    assert beside[0] == pytest.approx(alone[0], abs=1e-6)
    assert np.allclose(reranker.score(question, list(reversed(PARAGRAPHS))), reranker.score(question, PARAGRAPHS)[::-1])
