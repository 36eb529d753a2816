"""Local mode is a Python re-implementation of Qdrant: the same points in Qdrant's own engine (qdrant-edge-py, its Rust
shard in-process) must give the same top-k and scores for every query the retriever sends, so drift is caught here."""

from __future__ import annotations

import random

import numpy as np
import pytest

qdrant_edge = pytest.importorskip("qdrant_edge")
pytest.importorskip("qdrant_client")

from qdrant_client import models  # noqa: E402

from embeddings.index import backend  # noqa: E402
from embeddings.index.lexical import terms  # noqa: E402
from embeddings.index.qdrant.collections import TEXT_FIELD  # noqa: E402
from embeddings.qa.qdrant_retriever import BM25_B, BM25_K1  # noqa: E402
from tests.conftest import WordHashEncoder  # noqa: E402

WORDS = (
    "mayor council water pact signed city harbour rail line opened storm school closed snow forecast election vote "
    "minister budget tax hospital doctors strike union wages court judge ruling police arrest fire forest drought "
    "farmers harvest prices market shares bank rates inflation energy wind solar plant workers port ship cargo"
).split()
K = 10


def _corpus(folder, articles: int = 40) -> None:
    """Articles of random news words: many ties and shared terms, as real BM25 statistics have."""
    chooser = random.Random(12)
    folder.mkdir()
    for number in range(articles):
        paragraphs = [" ".join(chooser.choices(WORDS, k=chooser.randint(6, 30))).capitalize() + "." for _ in range(4)]
        title = " ".join(chooser.choices(WORDS, k=4)).title()
        (folder / f"a{number:03}.md").write_text(f"# {title}\n\n" + "\n\n".join(paragraphs) + "\n", "utf-8")


@pytest.fixture
def both(tmp_path, qdrant_settings):
    """The backend's collection in local mode, and the same points in an edge shard."""
    if qdrant_settings.qdrant_url:
        pytest.skip("local mode against edge only")
    corpus = tmp_path / "fidelity"
    _corpus(corpus)
    settings = qdrant_settings.__class__(**{**qdrant_settings.__dict__, "corpus": corpus})
    encoder = WordHashEncoder()
    backend.build(settings, encoder)
    store = backend.open_store(settings)
    points = list(store.scroll(None, vectors=True))
    config = qdrant_edge.EdgeConfig(
        vectors={"": qdrant_edge.EdgeVectorParams(size=encoder.dimension, distance=qdrant_edge.Distance.Cosine)}
    )
    shard = qdrant_edge.EdgeShard.create(str(tmp_path / "edge"), config)
    shard.update(qdrant_edge.UpdateOperation.create_field_index(TEXT_FIELD, qdrant_edge.TextIndexParams(scoring=True)))
    shard.update(
        qdrant_edge.UpdateOperation.upsert_points([qdrant_edge.Point(str(p.id), {"": p.vector}, p.payload) for p in points])
    )
    yield store, shard, encoder, [str(p.id) for p in points]
    shard.close()


def _local(store, query, using=None, ids=None):
    where = models.Filter(must=[models.HasIdCondition(has_id=ids)]) if ids else None
    found = store.client.query_points(
        store.collection, query=query, using=using, limit=len(ids) if ids else K, query_filter=where
    )
    return [(str(p.id), p.score) for p in found.points]


def _edge(shard, query, ids=None):
    where = qdrant_edge.Filter(must=[qdrant_edge.HasIdCondition(set(ids))]) if ids else None
    found = shard.query(qdrant_edge.QueryRequest(limit=len(ids) if ids else K, query=query, filter=where))
    return [(str(p.id), p.score) for p in found]


def _same(local, edge):
    """Same scores in the same order, and the same points above the last score (ties at the cut may differ)."""
    assert [score for _, score in local] == pytest.approx([score for _, score in edge], rel=1e-5, abs=1e-6)
    cut = local[-1][1] + 1e-5 if local else 0.0
    assert {point for point, score in local if score > cut} == {point for point, score in edge if score > cut}


def test_local_mode_scores_like_qdrants_engine(both):
    store, shard, encoder, ids = both
    chooser = random.Random(3)
    for _ in range(25):
        question = " ".join(chooser.choices(WORDS, k=chooser.randint(1, 6)))
        vector = [float(x) for x in encoder.encode([question])[0]]
        subset = chooser.sample(ids, 12)
        _same(_local(store, vector), _edge(shard, qdrant_edge.Query.Nearest(vector, using="")))
        _same(_local(store, vector, ids=subset), _edge(shard, qdrant_edge.Query.Nearest(vector, using=""), ids=subset))
        words = " ".join(terms(question))
        text = models.TextQuery(
            text=models.TextQueryInput(query=words, scoring=models.Bm25Scoring(bm25=models.Bm25Params(k=BM25_K1, b=BM25_B)))
        )
        edge_text = qdrant_edge.TextQuery(TEXT_FIELD, words, qdrant_edge.Bm25Params(k=BM25_K1, b=BM25_B))
        local = _local(store, text, using=TEXT_FIELD)
        assert local, question
        _same(local, _edge(shard, edge_text))
        _same(_local(store, text, using=TEXT_FIELD, ids=subset), _edge(shard, edge_text, ids=subset))
    assert np.isfinite([score for _, score in local]).all()
