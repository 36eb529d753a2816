"""`bench --backends faiss,qdrant`: each backend's figures on one SQuAD-layout set, and how their rankings agree."""

from __future__ import annotations

import pytest

pytest.importorskip("qdrant_client")

from benchmarks import backends as bench_backends
from benchmarks.report import Report
from embeddings.settings import Settings
from tests.conftest import WordHashEncoder
from tests.evaluation.test_evaluate import qa  # noqa: F401


def test_both_backends_report_the_same_figures_side_by_side(qa, tmp_path, monkeypatch, capsys):  # noqa: F811
    from embeddings.index.qdrant.collections import forget_clients

    monkeypatch.setattr(bench_backends, "load_encoder", lambda *args, **kwargs: WordHashEncoder())
    report = Report(None)
    try:
        bench_backends.measure_backends(report, Settings(), tmp_path, qa, 6, ["faiss", "qdrant"], None, modes=("hybrid",))
    finally:
        forget_clients()
    figures = report.figures
    for name in ("faiss", "qdrant"):
        assert figures[f"backend {name}.edited_embedded"] == 2  # the edited article's two paragraphs, nothing else
        assert figures[f"backend {name}.dense_recall_vs_exact"] == 1.0  # both search exactly at this size
        assert set(figures[f"backend {name}.hybrid"]) == {"p50", "p95", "p99"}
    assert figures["backend faiss.r5_hybrid"] == figures["backend qdrant.r5_hybrid"]
    assert figures["backends.same_top"] == 1.0
    assert "best hybrid passage the same on faiss and qdrant: 1.0000" in capsys.readouterr().out
