"""Index builds: incremental by content, model-aware, and crash-safe."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

import embeddings.index.store as store
from embeddings import EmptyCorpus, Engine, IndexNotReady, Settings, build_index, ensure_index
from embeddings.ingest.corpus import CorpusMissing
from tests.conftest import WordHashEncoder


def write_article(corpus: Path, name: str, title: str, *paragraphs: str) -> Path:
    path = corpus / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(title + "\n\n" + "\n\n".join(paragraphs) + "\n", "utf-8")
    return path


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    write_article(root, "a.txt", "Harbour reopens", "The harbour reopened on Monday after repairs.", "Ships returned at dawn.")
    write_article(root, "sub/b.txt", "Bridge closes", "The old bridge closed for good on Friday.")
    write_article(root, "c.txt", "Library expands", "The city library opened a new wing for children.")
    return root


def test_first_build_embeds_every_passage(corpus, tmp_path):
    encoder = WordHashEncoder()
    report = build_index(corpus, tmp_path / "index", encoder)
    assert sorted(report.added) == ["a.txt", "c.txt", "sub/b.txt"]
    assert report.embedded == 4 == len(encoder.embedded)
    assert (report.articles, report.passages) == (3, 4)


def test_unchanged_corpus_embeds_nothing_and_writes_no_version(corpus, tmp_path):
    build_index(corpus, tmp_path / "index", WordHashEncoder())
    live = (tmp_path / "index" / "CURRENT").read_text()
    encoder = WordHashEncoder()
    report = build_index(corpus, tmp_path / "index", encoder)
    assert report.up_to_date and encoder.embedded == []
    assert (tmp_path / "index" / "CURRENT").read_text() == live


def test_touched_but_identical_file_embeds_nothing(corpus, tmp_path):
    build_index(corpus, tmp_path / "index", WordHashEncoder())
    path = corpus / "a.txt"
    path.write_text(path.read_text())  # new mtime, same bytes
    encoder = WordHashEncoder()
    report = build_index(corpus, tmp_path / "index", encoder)
    assert encoder.embedded == [] and not (report.added or report.changed or report.removed)


def test_edited_article_is_re_embedded_alone(corpus, tmp_path):
    index = tmp_path / "index"
    build_index(corpus, index, WordHashEncoder())
    write_article(corpus, "c.txt", "Library expands", "The city library opened a new wing for teenagers.")
    encoder = WordHashEncoder()
    report = build_index(corpus, index, encoder)
    assert report.changed == ["c.txt"] and not report.added and not report.removed
    assert encoder.embedded == ["The city library opened a new wing for teenagers."]
    engine = Engine(Settings(corpus=corpus, index=index), WordHashEncoder())
    quotes = [s.quote for s in engine.ask("library new wing teenagers").sources]
    assert "The city library opened a new wing for teenagers." in quotes
    assert "The city library opened a new wing for children." not in quotes


def test_deleted_article_disappears(corpus, tmp_path):
    index = tmp_path / "index"
    build_index(corpus, index, WordHashEncoder())
    (corpus / "sub" / "b.txt").unlink()
    encoder = WordHashEncoder()
    report = build_index(corpus, index, encoder)
    assert report.removed == ["sub/b.txt"] and encoder.embedded == []
    engine = Engine(Settings(corpus=corpus, index=index), WordHashEncoder())
    assert "Bridge closes" not in {a.title for a in engine.articles()}
    assert all(s.title != "Bridge closes" for s in engine.ask("old bridge closed Friday").sources)


def test_renamed_file_reuses_its_vectors(corpus, tmp_path):
    index = tmp_path / "index"
    build_index(corpus, index, WordHashEncoder())
    (corpus / "c.txt").rename(corpus / "library.txt")
    encoder = WordHashEncoder()
    report = build_index(corpus, index, encoder)
    assert report.added == ["library.txt"] and report.removed == ["c.txt"] and encoder.embedded == []


def test_another_model_forces_a_full_rebuild(corpus, tmp_path):
    index = tmp_path / "index"
    build_index(corpus, index, WordHashEncoder())
    encoder = WordHashEncoder(name="test/other-model", dimension=32)
    report = build_index(corpus, index, encoder)
    assert "model changed" in (report.full_rebuild_reason or "")
    assert len(encoder.embedded) == 4
    assert json.loads((store.current_version(index) / "info.json").read_text())["model"] == "test/other-model"


def test_broken_files_are_reported_by_name_and_the_rest_indexed(corpus, tmp_path):
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00binary")
    (corpus / "latin1.txt").write_bytes("Caf\u00e9\n\nFerm\u00e9.".encode("latin-1"))
    (corpus / "notes.csv").write_text("not an article format")
    report = build_index(corpus, tmp_path / "index", WordHashEncoder())
    skipped = "\n".join(report.skipped)
    assert "empty.txt: empty file" in skipped
    assert "image.txt: binary" in skipped
    assert "latin1.txt: not UTF-8" in skipped
    assert "notes.csv" not in skipped
    assert report.articles == 3
    # Skipped files are remembered, so an unchanged corpus is still up to date.
    assert build_index(corpus, tmp_path / "index", WordHashEncoder()).up_to_date


def test_empty_or_missing_corpus_is_a_clear_error(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(EmptyCorpus, match="no readable articles"):
        build_index(tmp_path / "empty", tmp_path / "index", WordHashEncoder())
    with pytest.raises(CorpusMissing, match="does not exist"):
        build_index(tmp_path / "nowhere", tmp_path / "index", WordHashEncoder())


def test_crash_mid_rebuild_leaves_the_previous_index_serving(corpus, tmp_path, monkeypatch):
    index = tmp_path / "index"
    build_index(corpus, index, WordHashEncoder())
    live = (index / "CURRENT").read_text()
    write_article(corpus, "d.txt", "Museum opens", "A new museum opened downtown.")

    def crash(*args, **kwargs):
        raise KeyboardInterrupt("power cut")

    monkeypatch.setattr(store, "save_dense_index", crash)
    with pytest.raises(KeyboardInterrupt):
        build_index(corpus, index, WordHashEncoder())
    monkeypatch.undo()

    assert (index / "CURRENT").read_text() == live
    engine = Engine(Settings(corpus=corpus, index=index), WordHashEncoder())
    assert engine.ask("harbour reopened repairs").sources[0].title == "Harbour reopens"
    # The next build finishes the job and cleans up what the crash left.
    report = build_index(corpus, index, WordHashEncoder())
    assert report.added == ["d.txt"]
    assert not [p for p in index.iterdir() if p.name.startswith(".tmp-")]


def test_engine_reload_switches_to_the_new_version(corpus, tmp_path):
    settings = Settings(corpus=corpus, index=tmp_path / "index")
    build_index(corpus, settings.index, WordHashEncoder())
    engine = Engine(settings, WordHashEncoder())
    assert not engine.reload()
    write_article(corpus, "d.txt", "Museum opens", "A new museum opened downtown.")
    build_index(corpus, settings.index, WordHashEncoder())
    assert engine.reload()
    assert engine.ask("museum opened downtown").sources[0].title == "Museum opens"


def test_ensure_index_builds_when_missing_or_stale_only(corpus, tmp_path):
    settings = Settings(corpus=corpus, index=tmp_path / "index", model="test/word-hash")
    assert ensure_index(settings, WordHashEncoder()) is not None
    assert ensure_index(settings, WordHashEncoder()) is None
    write_article(corpus, "d.txt", "Museum opens", "A new museum opened downtown.")
    assert ensure_index(settings, WordHashEncoder()).added == ["d.txt"]


@pytest.mark.parametrize("damage", ["truncate_faiss", "garbage_info", "bad_pointer", "drop_vectors"])
def test_damaged_index_gives_an_error_that_says_how_to_rebuild(corpus, tmp_path, damage):
    index = tmp_path / "index"
    build_index(corpus, index, WordHashEncoder())
    version = store.current_version(index)
    if damage == "truncate_faiss":
        (version / "dense.faiss").write_bytes((version / "dense.faiss").read_bytes()[:40])
    elif damage == "garbage_info":
        (version / "info.json").write_text("{nope")
    elif damage == "bad_pointer":
        (index / "CURRENT").write_text("v-missing")
    else:
        shutil.copy(version / "vectors.npy", tmp_path / "v.npy")
        np.save(version / "vectors.npy", np.load(tmp_path / "v.npy")[:1])
    with pytest.raises(IndexNotReady, match="python -m embeddings build"):
        Engine(Settings(corpus=corpus, index=index), WordHashEncoder())
    # The build the message names repairs it.
    build_index(corpus, index, WordHashEncoder())
    assert Engine(Settings(corpus=corpus, index=index), WordHashEncoder()).ask("harbour").sources
