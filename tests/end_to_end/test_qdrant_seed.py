"""With the real packaged model: the seed corpus gets the same answers, sources and scores on both backends."""

from __future__ import annotations

from dataclasses import replace

import pytest

pytest.importorskip("qdrant_client")

from embeddings import Engine
from embeddings.index import backend

QUESTIONS = [
    "who signed the pact?",
    "where was the pact signed?",
    "what is the pact called?",
    "which countries condemned the pact?",
    "when did talks on denuclearization fail?",
    "how did the US describe its commitment?",
    "what did the joint statement say?",
    "what is the capital of France?",
]


def test_the_seed_answers_are_the_same_on_qdrant(settings, real_encoder, tmp_path):
    from embeddings.index.qdrant.collections import forget_clients

    on_qdrant = replace(settings, backend="qdrant", qdrant_path=tmp_path / "qdrant")
    try:
        engines = []
        for chosen in (settings, on_qdrant):
            backend.build(chosen, real_encoder)
            engines.append(Engine(chosen, real_encoder))
        for question in QUESTIONS:
            faiss, qdrant = (engine.ask(question, top_k=3) for engine in engines)
            assert (qdrant.answer, qdrant.abstained, qdrant.answer_type) == (faiss.answer, faiss.abstained, faiss.answer_type)
            assert [(s.path, s.paragraph, s.quote, s.highlights) for s in qdrant.sources] == [
                (s.path, s.paragraph, s.quote, s.highlights) for s in faiss.sources
            ]
            assert [s.score for s in qdrant.sources] == pytest.approx([s.score for s in faiss.sources], abs=1e-5)
    finally:
        forget_clients()
