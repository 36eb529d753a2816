"""The cross-lingual index is built beside the English one, reused incrementally, and rebuilt when the setting changes."""

from __future__ import annotations

import shutil

from embeddings import Settings, build_index, ensure_index
from embeddings.index.store import open_index
from tests.conftest import SEED, WordHashEncoder


class FakeMultilingual(WordHashEncoder):
    """Stands in for the multilingual encoder: a name, a dimension, and a record of what it embedded."""

    def __init__(self) -> None:
        super().__init__("test/multilingual", dimension=32)


def test_the_multilingual_vectors_are_built_recorded_and_reused(tmp_path):
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    shutil.copy(SEED, corpus / SEED.name)
    multilingual = FakeMultilingual()
    build_index(corpus, index, WordHashEncoder(), multilingual=multilingual)  # type: ignore[arg-type]
    stored = open_index(index)
    assert stored.info.multilingual == "test/multilingual"
    assert stored.crosslingual is not None and stored.crosslingual.vectors.shape == (stored.info.passages, 32)
    embedded = len(multilingual.embedded)
    (corpus / "new.txt").write_text("Harbour reopens\n\nThe harbour reopened on Monday after repairs.\n", "utf-8")
    report = build_index(corpus, index, WordHashEncoder(), multilingual=multilingual)  # type: ignore[arg-type]
    assert len(multilingual.embedded) - embedded == 1 == report.embedded  # only the new passage
    assert open_index(index).crosslingual.dense.ntotal == stored.info.passages + 1


def test_turning_the_multilingual_index_off_rebuilds_without_it(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEED, corpus / SEED.name)
    build_index(corpus, tmp_path / "index", WordHashEncoder(), multilingual=FakeMultilingual())  # type: ignore[arg-type]
    report = ensure_index(Settings(corpus=corpus, index=tmp_path / "index", multilingual=False), WordHashEncoder())
    assert report is not None and "multilingual index changed" in report.full_rebuild_reason
    stored = open_index(tmp_path / "index")
    assert stored.info.multilingual is None and stored.crosslingual is None
    assert not list(stored.folder.glob("multilingual.*"))


def test_the_environment_switch_turns_it_off(monkeypatch):
    assert Settings.from_env().multilingual
    monkeypatch.setenv("NEWSQA_MULTILINGUAL", "0")
    assert not Settings.from_env().multilingual
    assert Settings.from_env(multilingual=True).multilingual
