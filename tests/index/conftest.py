"""Settings for the Qdrant backend: local mode in a temporary folder, and a real server too when QDRANT_URL is set."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from embeddings import Settings
from tests.index.qdrant_fixtures import write_corpus

TARGETS = ["local", pytest.param("server", marks=pytest.mark.skipif(not os.environ.get("QDRANT_URL"), reason="QDRANT_URL unset"))]


@pytest.fixture(params=TARGETS)
def qdrant_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    """A small corpus and Qdrant settings (a fresh collection name on a server, so runs never meet)."""
    pytest.importorskip("qdrant_client")
    from embeddings.index.qdrant.collections import connect, forget_clients, versions

    corpus = write_corpus(tmp_path / "corpus")
    base = Settings(corpus=corpus, index=tmp_path / "index", backend="qdrant", rerank=False)
    if request.param == "server":
        settings = replace(
            base,
            qdrant_url=os.environ["QDRANT_URL"],
            qdrant_api_key=os.environ.get("QDRANT_API_KEY"),
            collection=f"newsqa-test-{uuid.uuid4().hex[:8]}",
        )
    else:
        settings = replace(base, qdrant_path=tmp_path / "qdrant")
    yield settings
    if request.param == "server":
        client = connect(settings)
        client.delete_alias(settings.collection)
        for name in versions(client, settings.collection):
            client.delete_collection(name)
    forget_clients()
