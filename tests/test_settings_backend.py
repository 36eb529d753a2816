"""The backend settings: NEWSQA_BACKEND and Qdrant's variables, overridden by flags; a wrong name says what to choose."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main as bot_main
from embeddings import NewsQAError, Settings


def test_qdrant_settings_come_from_the_environment_then_flags(monkeypatch):
    for name, value in {
        "NEWSQA_BACKEND": "qdrant",
        "QDRANT_URL": "http://qdrant:6333",
        "QDRANT_API_KEY": "k",
        "QDRANT_PATH": "/tmp/q",
        "NEWSQA_COLLECTION": "news",
        "NEWSQA_QDRANT_LAYOUT": "shards=2",
    }.items():
        monkeypatch.setenv(name, value)
    settings = Settings.from_env(collection="other")
    assert (settings.backend, settings.qdrant_url, settings.qdrant_api_key) == ("qdrant", "http://qdrant:6333", "k")
    assert (settings.qdrant_path, settings.collection, settings.qdrant_layout) == (Path("/tmp/q"), "other", "shards=2")
    assert Settings.from_env(backend="faiss").backend == "faiss"


def test_faiss_stays_the_default(monkeypatch):
    for name in ("NEWSQA_BACKEND", "QDRANT_URL", "QDRANT_PATH", "NEWSQA_COLLECTION"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings.from_env()
    assert (settings.backend, settings.qdrant_url, settings.qdrant_path, settings.collection) == ("faiss", None, None, "newsqa")


def test_an_unknown_backend_is_an_error_the_user_can_act_on(monkeypatch, capsys):
    monkeypatch.setenv("NEWSQA_BACKEND", "elastic")
    with pytest.raises(NewsQAError, match="choose one of faiss, qdrant"):
        Settings.from_env()
    assert bot_main(["ask", "who?"]) == 2
    assert "unknown backend 'elastic'" in capsys.readouterr().err


def test_qdrant_without_a_location_says_what_to_set(monkeypatch, tmp_path, capsys):
    pytest.importorskip("qdrant_client")
    for name in ("QDRANT_URL", "QDRANT_PATH"):
        monkeypatch.delenv(name, raising=False)
    assert bot_main(["ask", "--backend", "qdrant", "--corpus", str(tmp_path / "none"), "who?"]) == 2
    assert "QDRANT_URL" in capsys.readouterr().err
