"""The qdrant backend as a bot uses it: build, ask, edit and delete articles, reload, survive a killed build."""

from __future__ import annotations

import os
from dataclasses import replace

import pytest

pytest.importorskip("qdrant_client")

from embeddings import Engine, IndexNotReady
from embeddings.index import backend
from embeddings.index.qdrant import build as qdrant_build
from embeddings.index.qdrant.collections import connect, live_collection, versions
from tests.conftest import WordHashEncoder


def _engine(settings, encoder):
    return Engine(settings, encoder, mode="hybrid")


def test_build_then_ask_quotes_the_article_from_qdrant_alone(qdrant_settings):
    encoder = WordHashEncoder()
    report = backend.build(qdrant_settings, encoder)
    assert (report.articles, len(report.added), report.embedded) == (3, 3, report.passages)
    assert not qdrant_settings.index.exists()  # no SQLite, FAISS or BM25 files: the bot needs only Qdrant
    engine = _engine(qdrant_settings, encoder)
    assert engine.rank("Who signed the water pact with Shelbyville?", 1)[0].text.startswith("The mayor of Springfield signed")
    top = engine.ask("How much does the water pact cost?").sources[0]
    assert (top.title, top.path, top.paragraph, top.date) == ("Springfield signs the water pact", "water.md", 2, None)
    assert top.quote == "The pact costs 3 million dollars and runs for ten years."


def test_answers_equal_the_faiss_backend(qdrant_settings):
    encoder = WordHashEncoder()
    faiss_settings = replace(qdrant_settings, backend="faiss")
    backend.build(qdrant_settings, encoder)
    backend.build(faiss_settings, encoder)
    for mode in ("hybrid", "rrf", "dense", "bm25"):
        engines = [Engine(qdrant_settings, encoder, mode=mode), Engine(faiss_settings, encoder, mode=mode)]
        questions = (
            "Who signed the water pact?",
            "when will trains run",
            "how much snow is expected",
            "zebra",
            "pact or no pact?",
        )
        for question in questions:
            qdrant, faiss = (engine.ask(question, top_k=3) for engine in engines)
            assert (qdrant.answer, qdrant.abstained) == (faiss.answer, faiss.abstained)
            assert [(s.quote, round(s.score, 5)) for s in qdrant.sources] == [(s.quote, round(s.score, 5)) for s in faiss.sources]
            if mode == "rrf":
                continue  # ranks of equal scores (many zero cosines on this tiny corpus) may differ, and RRF sees ranks
            ranked = [[(r.text, round(r.hit.fused, 5), round(r.hit.cosine, 5)) for r in e.rank(question, 6)] for e in engines]
            assert [r[1] for r in ranked[0]] == [r[1] for r in ranked[1]]  # the same fused scores in the same order
            assert sorted(ranked[0]) == sorted(ranked[1])  # same passages (equal scores may tie in another order)


def test_articles_and_ledes_come_from_the_points(qdrant_settings):
    encoder = WordHashEncoder()
    backend.build(qdrant_settings, encoder)
    engine = _engine(qdrant_settings, encoder)
    assert sorted((a.title, a.path, a.passages) for a in engine.articles()) == [
        ("New rail line opens", "rail.md", 2),
        ("Springfield signs the water pact", "water.md", 2),
        ("Storm closes schools", "storm.md", 2),
    ]
    index = engine.index
    storm = next(a for a in index.articles() if a.path == "storm.md")
    assert [p.text[:7] for p in index.lede(storm.id, 1)] == ["A winte"]


def test_unchanged_corpus_writes_nothing(qdrant_settings):
    encoder = WordHashEncoder()
    first = backend.build(qdrant_settings, encoder)
    again = backend.build(qdrant_settings, encoder)
    assert again.up_to_date and again.unchanged == 3
    assert live_collection(connect(qdrant_settings), qdrant_settings.collection) == first.version
    touched = qdrant_settings.corpus / "rail.md"
    os.utime(touched, ns=(touched.stat().st_atime_ns, touched.stat().st_mtime_ns + 10**9))  # same bytes, new mtime
    assert backend.build(qdrant_settings, encoder).up_to_date
    assert backend.open_store(qdrant_settings).files()["rail.md"].mtime_ns == touched.stat().st_mtime_ns  # not hashed again
    assert live_collection(connect(qdrant_settings), qdrant_settings.collection) == first.version


def test_edit_reembeds_only_that_article_and_delete_prunes_it(qdrant_settings):
    encoder = WordHashEncoder()
    backend.build(qdrant_settings, encoder)
    rows_before = {p.text: p.row for p in _engine(qdrant_settings, encoder).index.passages_by_article()[_id(qdrant_settings)]}
    (qdrant_settings.corpus / "storm.md").write_text("# Storm closes schools\n\nA spring storm closed the port.\n", "utf-8")
    os.remove(qdrant_settings.corpus / "rail.md")
    encoder.embedded.clear()
    report = backend.build(qdrant_settings, encoder)
    assert (report.changed, report.removed, report.unchanged) == (["storm.md"], ["rail.md"], 1)
    assert encoder.embedded == ["A spring storm closed the port."]
    engine = _engine(qdrant_settings, encoder)
    assert sorted(a.path for a in engine.articles()) == ["storm.md", "water.md"]
    rows_after = {p.text: p.row for p in engine.index.passages_by_article()[_id(qdrant_settings)]}
    assert rows_after == rows_before  # stable point ids for the untouched article
    assert "rail" not in " ".join(s.quote for s in engine.ask("When did the northern rail line open?", top_k=5).sources)


def _id(settings):
    return next(a.id for a in backend.open_store(settings).articles() if a.path == "water.md")


def test_reload_picks_up_the_switched_alias_without_a_restart(qdrant_settings):
    encoder = WordHashEncoder()
    backend.build(qdrant_settings, encoder)
    engine = _engine(qdrant_settings, encoder)
    old = engine.info().version
    (qdrant_settings.corpus / "zoo.md").write_text("# Zoo news\n\nThe zoo welcomed a baby giraffe named Olu.\n", "utf-8")
    report = engine.refresh()  # what the bot's /reload runs
    assert report.added == ["zoo.md"] and engine.info().version == report.version != old
    assert engine.ask("What was the baby giraffe named?").sources[0].path == "zoo.md"
    assert engine.reload() is False


def test_a_replica_without_the_corpus_serves_and_reloads_what_the_builder_switched(qdrant_settings, tmp_path):
    encoder = WordHashEncoder()
    backend.build(qdrant_settings, encoder)
    replica = _engine(replace(qdrant_settings, corpus=tmp_path / "no-corpus-here"), encoder)
    (qdrant_settings.corpus / "zoo.md").write_text("# Zoo news\n\nThe zoo welcomed a baby giraffe named Olu.\n", "utf-8")
    switched = backend.build(qdrant_settings, encoder)  # the one builder
    report = replica.refresh()  # the replica's /reload
    assert report.up_to_date and report.articles == 4 and replica.info().version == switched.version
    assert replica.ask("What was the baby giraffe named?").sources[0].path == "zoo.md"


def test_a_replica_follows_the_alias_by_itself(qdrant_settings, tmp_path, monkeypatch):
    import embeddings.qa.engine as engine_module

    encoder = WordHashEncoder()
    backend.build(qdrant_settings, encoder)
    replica = _engine(replace(qdrant_settings, corpus=tmp_path / "no-corpus-here"), encoder)
    (qdrant_settings.corpus / "zoo.md").write_text("# Zoo news\n\nThe zoo welcomed a baby giraffe named Olu.\n", "utf-8")
    switched = backend.build(qdrant_settings, encoder)
    assert replica.ask("What was the baby giraffe named?").sources[0].path != "zoo.md"  # checked every FOLLOW_SECONDS
    assert replica.info().version != switched.version
    monkeypatch.setattr(engine_module, "FOLLOW_SECONDS", 0.0)
    replica._next_follow = 0.0
    assert replica.ask("What was the baby giraffe named?").sources[0].path == "zoo.md"
    assert replica.info().version == switched.version


def test_a_killed_build_leaves_the_old_version_serving(qdrant_settings, monkeypatch):
    encoder = WordHashEncoder()
    first = backend.build(qdrant_settings, encoder)
    engine = _engine(qdrant_settings, encoder)
    (qdrant_settings.corpus / "zoo.md").write_text("# Zoo news\n\nThe zoo welcomed a baby giraffe named Olu.\n", "utf-8")
    calls = []

    def dies_midway(client, collection, points):
        if calls:
            raise KeyboardInterrupt("killed")  # the second batch: the new collection is half written
        calls.append(collection)
        return real_upsert(client, collection, points)

    real_upsert = qdrant_build._upsert
    monkeypatch.setattr(qdrant_build, "_upsert", dies_midway)
    with pytest.raises(KeyboardInterrupt):
        backend.build(qdrant_settings, encoder)
    client = connect(qdrant_settings)
    assert live_collection(client, qdrant_settings.collection) == first.version
    assert len(versions(client, qdrant_settings.collection)) == 2  # the half-written one, not live
    assert engine.reload() is False and engine.ask("Who signed the water pact?").sources[0].path == "water.md"
    monkeypatch.setattr(qdrant_build, "_upsert", real_upsert)
    report = backend.build(qdrant_settings, encoder)
    assert report.added == ["zoo.md"]
    assert versions(client, qdrant_settings.collection) == sorted([first.version, report.version])


def test_serving_without_a_collection_says_how_to_build(qdrant_settings, tmp_path):
    with pytest.raises(IndexNotReady, match="embeddings build --backend qdrant"):
        backend.ensure(replace(qdrant_settings, corpus=tmp_path / "absent"), WordHashEncoder())
