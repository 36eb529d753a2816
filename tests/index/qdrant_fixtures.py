"""Settings for the Qdrant backend: local mode in a temporary folder, and a real server too when QDRANT_URL is set."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

pytest.importorskip("qdrant_client")

from embeddings import Settings  # noqa: E402
from embeddings.index.qdrant.collections import connect, forget_clients, versions  # noqa: E402

TARGETS = ["local", pytest.param("server", marks=pytest.mark.skipif(not os.environ.get("QDRANT_URL"), reason="QDRANT_URL unset"))]

ARTICLES = {
    "water.md": "# Springfield signs the water pact\n\nThe mayor of Springfield signed the water pact with Shelbyville on "
    "Monday.\n\nThe pact costs 3 million dollars and runs for ten years.\n",
    "rail.md": "# New rail line opens\n\nThe northern rail line opened on Friday after six years of work.\n\n"
    "Trains will run every ten minutes between the harbour and the airport.\n",
    "storm.md": "# Storm closes schools\n\nA winter storm closed every school in the county on Tuesday.\n\n"
    "Forecasters expect twenty centimetres of snow by the evening.\n",
}


def write_corpus(folder: Path) -> Path:
    folder.mkdir(exist_ok=True)
    for name, text in ARTICLES.items():
        (folder / name).write_text(text, "utf-8")
    return folder


@pytest.fixture(params=TARGETS)
def qdrant_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    """A small corpus and Qdrant settings (a fresh collection name on a server, so runs never meet)."""
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
