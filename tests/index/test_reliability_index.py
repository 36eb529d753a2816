"""Index faults: a full or read-only disk, an index from another model's dimension, a corpus of 10,000 files.

Each gives a clear error naming the fix, and the last good index keeps answering. (Killed rebuilds are in
tests/index/test_index_crash.py, damaged files in tests/index/test_build.py, hostile article files in
tests/ingest/test_parsing_fuzz.py.)
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from embeddings import Engine, IndexNotReady, Settings, build_index, cli
from embeddings.index import store
from tests.conftest import WordHashEncoder

PARAGRAPH = "The harbour of town {n} reopened on Monday after repairs to the quay wall and the old crane {n}."


def write_corpus(corpus: Path, articles: int, paragraphs: int = 1, start: int = 0) -> None:
    corpus.mkdir(parents=True, exist_ok=True)
    for n in range(start, start + articles):
        body = "\n\n".join(PARAGRAPH.format(n=f"{n}-{p}") for p in range(paragraphs))
        (corpus / f"a{n:05d}.txt").write_text(f"Harbour {n} reopens\n\n{body}\n", "utf-8")


def build_cli(corpus: Path, index: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    """`python -m embeddings build` in-process (with the fast encoder): its exit code and what it printed."""
    monkeypatch.setattr(cli, "load_encoder", lambda name, **settings: WordHashEncoder())
    code = cli.main(["build", "--corpus", str(corpus), "--index", str(index), "--quiet"])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def answers(index: Path, corpus: Path) -> bool:
    return bool(Engine(Settings(corpus=corpus, index=index), WordHashEncoder()).ask("when did the harbour reopen?").sources)


def test_a_disk_that_fills_up_during_a_rebuild_is_a_clear_error_and_the_old_index_keeps_answering(tmp_path, monkeypatch, capsys):
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    write_corpus(corpus, 3)
    build_index(corpus, index, WordHashEncoder())
    live = store.current_version(index)
    write_corpus(corpus, 2, start=3)

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(index / "new" / "dense.faiss"))

    monkeypatch.setattr(store, "save_dense_index", full)
    code, printed = build_cli(corpus, index, capsys, monkeypatch)
    assert code == 2 and "No space left on device" in printed and "Free disk space" in printed
    assert "Traceback" not in printed
    assert store.current_version(index) == live and not list(index.glob(".tmp-*"))  # nothing half-written is left
    assert answers(index, corpus)


@pytest.fixture
def small_tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A 1 MiB tmpfs (needs root and mount); skipped where it cannot be made."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small tmpfs needs root")
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_really_full_disk_and_a_read_only_one_keep_the_last_good_index(small_tmpfs, tmp_path, monkeypatch, capsys):
    corpus, index = tmp_path / "corpus", small_tmpfs / "index"
    write_corpus(corpus, 3)
    build_index(corpus, index, WordHashEncoder())
    live = store.current_version(index)
    write_corpus(corpus, 400, paragraphs=8, start=3)  # ~3,200 passages: more than the 1 MiB disk holds
    code, printed = build_cli(corpus, index, capsys, monkeypatch)
    assert code == 2 and "could not write the index" in printed and "Free disk space" in printed
    assert "Traceback" not in printed
    assert store.current_version(index) == live and answers(index, corpus)

    subprocess.run(["mount", "-o", "remount,ro", str(small_tmpfs)], check=True)
    code, printed = build_cli(corpus, index, capsys, monkeypatch)
    assert code == 2 and "Read-only file system" in printed and "make the index folder writable" in printed
    assert store.current_version(index) == live and answers(index, corpus)


def test_an_index_built_with_another_dimension_asks_for_a_rebuild(tmp_path):
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    write_corpus(corpus, 3)
    build_index(corpus, index, WordHashEncoder(dimension=64))
    settings = Settings(corpus=corpus, index=index)
    with pytest.raises(IndexNotReady, match="python -m embeddings build"):
        Engine(settings, WordHashEncoder(dimension=32)).ask("when did the harbour reopen?")


@pytest.mark.load
def test_a_corpus_of_ten_thousand_small_files_is_indexed_whole(tmp_path):
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    write_corpus(corpus, 10_000)
    started = time.perf_counter()
    report = build_index(corpus, index, WordHashEncoder())
    seconds = time.perf_counter() - started
    print(f"10,000 files: {report.summary()} in {seconds:.1f} s")
    assert len(report.added) == 10_000 and not report.skipped
    engine = Engine(Settings(corpus=corpus, index=index), WordHashEncoder())
    assert engine.info().articles == 10_000
    hit = engine.ask("harbour of town 9876-0 reopened")
    assert hit.sources and "9876-0" in hit.sources[0].quote
    rebuilt = build_index(corpus, index, WordHashEncoder())  # nothing changed: nothing re-embedded
    assert not rebuilt.added and not rebuilt.changed
