"""`evaluate --backend faiss --backend qdrant`: both backends on one QA set, the corpus embedded once, answers compared."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("qdrant_client")

from embeddings.cli import main
from tests.conftest import WordHashEncoder
from tests.evaluation.test_evaluate import qa  # noqa: F401


def test_both_backends_in_one_run_embed_once_and_agree(qa, tmp_path, capsys, monkeypatch):  # noqa: F811
    import embeddings.evaluation.evaluate as evaluate
    from embeddings.index.qdrant.collections import forget_clients

    monkeypatch.delenv("QDRANT_URL", raising=False)
    monkeypatch.setenv("QDRANT_PATH", str(tmp_path / "qdrant"))
    encoder = WordHashEncoder()
    monkeypatch.setattr(evaluate, "load_encoder", lambda *args, **kwargs: encoder)
    args = ["--questions", str(qa / "questions.jsonl"), "--corpus", str(qa / "articles.jsonl"), "--mode", "hybrid"]
    try:
        assert main(["evaluate", *args, "--backend", "faiss", "--backend", "qdrant", "--json"]) == 0
    finally:
        forget_clients()
    lines = capsys.readouterr().out.splitlines()
    faiss, qdrant = (json.loads(line) for line in lines[:2])
    assert (faiss["mode"], qdrant["mode"]) == ("hybrid (faiss)", "hybrid (qdrant)")
    assert faiss["recall"] == qdrant["recall"] and faiss["questions"] == qdrant["questions"] == 6
    assert lines[2] == "hybrid: same top source on faiss and qdrant: 1.0000"
    passages = [text for text in encoder.embedded if "Valdoria" in text or "Brenna" in text or "lake" in text]
    assert len(passages) == len(set(passages))  # the second build reused the first one's vectors


def test_held_out_questions_need_the_faiss_backend(qa, capsys):  # noqa: F811
    args = ["--questions", str(qa / "questions.jsonl"), "--corpus", str(qa / "articles.jsonl"), "--heldout", "1"]
    assert main(["evaluate", *args, "--backend", "qdrant"]) == 2
    assert "--heldout works with the faiss backend only" in capsys.readouterr().err
