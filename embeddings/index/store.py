"""The index on disk: immutable versions and an atomic switch between them.

    index/
      CURRENT             name of the live version (replaced atomically)
      .build.lock         held by the one build that may run at a time
      v-<time>-<id>/      one complete version: never modified once CURRENT names it
        info.json         format, model, dimension, build time, counts
        meta.sqlite       files, articles and passages (the verbatim text we quote)
        vectors.npy       passage embeddings, one row per passage (reused by incremental builds)
        dense.faiss       the FAISS index over those rows
        lexical/          the BM25 index over the same rows
        multilingual.*    the cross-lingual vectors and index, when that path is on (crosslingual.py)

A build writes a new version beside the live one and only then points CURRENT at it, so a crash at any
moment leaves the previous version whole and serving.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import shutil
import sqlite3
import threading
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from embeddings.errors import NewsQAError
from embeddings.index.crosslingual import CrossLingualIndex, load_crosslingual, write_crosslingual
from embeddings.index.dense import (
    EXACT_MAX_ROWS,
    NPROBE,
    RescoredIndex,
    build_dense_index,
    load_dense_index,
    save_dense_index,
)
from embeddings.index.lexical import LexicalIndex

FORMAT = 1
_CURRENT = "CURRENT"
_SCHEMA = """
CREATE TABLE files (name TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER, sha256 TEXT, problem TEXT);
CREATE TABLE articles (
    id INTEGER PRIMARY KEY, source_id TEXT UNIQUE, key TEXT, path TEXT,
    title TEXT, outlet TEXT, date TEXT, url TEXT
);
CREATE TABLE passages (
    row INTEGER PRIMARY KEY, article_id INTEGER REFERENCES articles(id),
    paragraph INTEGER, heading TEXT, text TEXT
);
CREATE INDEX passages_by_article ON passages(article_id);
CREATE INDEX articles_by_key ON articles(key);
"""


class IndexNotReady(NewsQAError):
    """The index is missing or unusable; the message says how to fix it."""


def write_failure(error: OSError) -> str:
    """What to tell the user when a build could not write the index (a full disk, a read-only folder)."""
    where = f": {error.filename}" if error.filename else ""
    return (
        f"could not write the index ({error.strerror or error}{where}). "
        "Free disk space or make the index folder writable, then run again."
    )


def rebuild_hint(index_dir: Path) -> str:
    return f"run `python -m embeddings build --index {index_dir}` to build it"


@dataclass(frozen=True)
class FileRecord:
    name: str
    size: int
    mtime_ns: int
    sha256: str
    problem: str | None = None


@dataclass(frozen=True)
class ArticleRecord:
    id: int
    source_id: str
    key: str
    path: str
    title: str
    outlet: str | None
    date: str | None
    url: str | None


@dataclass(frozen=True)
class PassageRecord:
    row: int
    article_id: int
    paragraph: int
    heading: str | None
    text: str


@dataclass(frozen=True)
class IndexInfo:
    version: str
    model: str
    dimension: int
    built_at: str
    articles: int
    passages: int
    multilingual: str | None = None  # the model of the cross-lingual index (crosslingual.py), None without one


class StoredIndex:
    """One version of the index, opened read-only; safe to share between threads."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        hint = rebuild_hint(folder.parent)
        try:
            raw = json.loads((folder / "info.json").read_text("utf-8"))
            if raw.get("format") != FORMAT:
                raise IndexNotReady(f"index at {folder.parent} has format {raw.get('format')}, expected {FORMAT}: {hint}")
            self.info = IndexInfo(
                version=folder.name,
                model=raw["model"],
                dimension=int(raw["dimension"]),
                built_at=raw["built_at"],
                articles=int(raw["articles"]),
                passages=int(raw["passages"]),
                multilingual=raw.get("multilingual"),
            )
            self._db = sqlite3.connect(f"file:{folder / 'meta.sqlite'}?mode=ro", uri=True, check_same_thread=False)
            self._lock = threading.Lock()
            (stored_passages,) = self._db.execute("SELECT count(*) FROM passages").fetchone()
            self.vectors = np.load(folder / "vectors.npy", mmap_mode="r")
            dense = load_dense_index(folder / "dense.faiss")
            # An approximate index answers with exact cosines, re-scored from the stored vectors.
            self.dense = dense if isinstance(dense, faiss.IndexFlat) else RescoredIndex(dense, self.vectors)
            self.lexical = LexicalIndex.load(folder / "lexical")
            self.crosslingual: CrossLingualIndex | None = load_crosslingual(folder) if self.info.multilingual else None
        except IndexNotReady:
            raise
        except (OSError, ValueError, KeyError, TypeError, RuntimeError, sqlite3.Error) as error:
            raise IndexNotReady(f"index at {folder.parent} is damaged ({error.__class__.__name__}: {error}): {hint}") from None
        sizes = {self.info.passages, stored_passages, self.vectors.shape[0], self.dense.ntotal}
        if self.crosslingual is not None:
            sizes |= {self.crosslingual.vectors.shape[0], self.crosslingual.dense.ntotal}
        if len(sizes) != 1 or self.dense.d != self.info.dimension:
            raise IndexNotReady(f"index at {folder.parent} is inconsistent (passage counts {sorted(sizes)}): {hint}")

    def _query(self, sql: str, parameters: Sequence[object] = ()) -> list[tuple]:
        with self._lock:
            return self._db.execute(sql, parameters).fetchall()

    def passages(self, rows: Sequence[int]) -> list[PassageRecord]:
        """Passages by row, in the order asked."""
        if not rows:
            return []
        marks = ",".join("?" * len(rows))
        found = {r[0]: PassageRecord(*r) for r in self._query(f"SELECT * FROM passages WHERE row IN ({marks})", rows)}
        return [found[row] for row in rows]

    def lede(self, article_id: int, paragraphs: int = 2) -> list[PassageRecord]:
        """An article's first body paragraphs: news names its subject there, and later paragraphs say "the company"."""
        return [
            PassageRecord(*r)
            for r in self._query(
                "SELECT * FROM passages WHERE article_id = ? AND paragraph <= ? ORDER BY row", (article_id, paragraphs)
            )
        ]

    def passages_by_article(self) -> dict[int, list[PassageRecord]]:
        """Every passage, grouped by article id, in row order (what an incremental build reuses)."""
        grouped: dict[int, list[PassageRecord]] = {}
        for record in self._query("SELECT * FROM passages ORDER BY row"):
            grouped.setdefault(record[1], []).append(PassageRecord(*record))
        return grouped

    def passage_counts(self) -> dict[int, int]:
        """How many passages each article has, by article id (counted by SQLite, not by reading every passage)."""
        return dict(self._query("SELECT article_id, count(*) FROM passages GROUP BY article_id"))

    def articles(self, ids: Sequence[int] | None = None) -> list[ArticleRecord]:
        if ids is None:
            return [ArticleRecord(*r) for r in self._query("SELECT * FROM articles ORDER BY id")]
        marks = ",".join("?" * len(ids))
        return [ArticleRecord(*r) for r in self._query(f"SELECT * FROM articles WHERE id IN ({marks})", list(ids))]

    def files(self) -> dict[str, FileRecord]:
        return {r[0]: FileRecord(*r) for r in self._query("SELECT * FROM files")}

    def close(self) -> None:
        self._db.close()


def current_version(index_dir: Path) -> Path | None:
    """The live version's folder, or None when no build has finished yet."""
    try:
        name = (index_dir / _CURRENT).read_text("utf-8").strip()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise IndexNotReady(f"cannot read {index_dir / _CURRENT} ({error}): {rebuild_hint(index_dir)}") from None
    if not name or "/" in name or not (index_dir / name).is_dir():
        raise IndexNotReady(f"{index_dir / _CURRENT} names no version folder: {rebuild_hint(index_dir)}")
    return index_dir / name


def open_index(index_dir: Path) -> StoredIndex:
    """The live version, ready to search; IndexNotReady when there is none or it is damaged."""
    folder = current_version(index_dir)
    if folder is None:
        raise IndexNotReady(f"no index at {index_dir}: {rebuild_hint(index_dir)}")
    return StoredIndex(folder)


@contextmanager
def build_lock(index_dir: Path) -> Iterator[None]:
    """Only one build at a time per index folder; a second one waits for the first."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / ".build.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@dataclass
class NewVersion:
    """Everything a version holds, in row order: passages[i] is embedded as vectors[i]."""

    model: str
    files: list[FileRecord]
    articles: list[ArticleRecord]
    passages: list[PassageRecord]
    vectors: np.ndarray
    lexical_texts: list[str]
    dense_template: Any = None  # the previous version's FAISS index, whose training a big index may reuse
    multilingual: str | None = None  # the cross-lingual encoder's name, when the version has that index
    multilingual_vectors: np.ndarray | None = None
    multilingual_template: Any = None  # the previous version's CrossLingualIndex


def _fsync(path: Path) -> None:
    """Flush one file or folder entry to disk, so a crash after the switch cannot lose it."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_tree(folder: Path) -> None:
    for path in [*folder.rglob("*"), folder]:
        _fsync(path)


def write_version(index_dir: Path, version: NewVersion, exact_max_rows: int = EXACT_MAX_ROWS, nprobe: int = NPROBE) -> Path:
    """Write `version` completely, then switch CURRENT to it atomically; returns its folder.

    Must be called under build_lock. Older versions are removed after the switch, except the one
    that was live just before (a process that opened it keeps working). `exact_max_rows` and `nprobe` (Settings)
    shape its FAISS index (see dense.py).
    """
    stamp = dt.datetime.now(dt.timezone.utc)
    name = f"v-{stamp:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
    temporary = index_dir / f".tmp-{name}"
    temporary.mkdir(parents=True)
    try:
        with sqlite3.connect(temporary / "meta.sqlite") as db:
            db.executescript(_SCHEMA)
            db.executemany("INSERT INTO files VALUES (?,?,?,?,?)", [_astuple(f) for f in version.files])
            db.executemany("INSERT INTO articles VALUES (?,?,?,?,?,?,?,?)", [_astuple(a) for a in version.articles])
            db.executemany("INSERT INTO passages VALUES (?,?,?,?,?)", [_astuple(p) for p in version.passages])
        db.close()
        vectors = np.ascontiguousarray(version.vectors, dtype=np.float32)
        np.save(temporary / "vectors.npy", vectors)
        dense = build_dense_index(vectors, exact_max_rows, nprobe, template=version.dense_template)
        save_dense_index(dense, temporary / "dense.faiss")
        (temporary / "lexical").mkdir()
        LexicalIndex.build(version.lexical_texts).save(temporary / "lexical")
        if version.multilingual_vectors is not None:
            write_crosslingual(temporary, version.multilingual_vectors, exact_max_rows, nprobe, version.multilingual_template)
        info = {
            "format": FORMAT,
            "model": version.model,
            "dimension": int(vectors.shape[1]),
            "built_at": stamp.isoformat(timespec="seconds"),
            "articles": len(version.articles),
            "passages": len(version.passages),
            "multilingual": version.multilingual if version.multilingual_vectors is not None else None,
        }
        (temporary / "info.json").write_text(json.dumps(info, indent=2), "utf-8")
        _fsync_tree(temporary)
        final = index_dir / name
        temporary.rename(final)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    previous = current_version_or_none(index_dir)
    pointer = index_dir / f".{_CURRENT}.tmp"
    with open(pointer, "w", encoding="utf-8") as handle:
        handle.write(name)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(pointer, index_dir / _CURRENT)
    _fsync(index_dir)
    _remove_old_versions(index_dir, keep={name, previous.name if previous else ""})
    return final


def current_version_or_none(index_dir: Path) -> Path | None:
    try:
        return current_version(index_dir)
    except IndexNotReady:
        return None


def _remove_old_versions(index_dir: Path, keep: set[str]) -> None:
    for child in index_dir.iterdir():
        if child.is_dir() and (child.name.startswith(".tmp-") or child.name.startswith("v-")) and child.name not in keep:
            shutil.rmtree(child, ignore_errors=True)


def remove_unfinished(index_dir: Path) -> None:
    """Remove what a crashed build left behind (call under build_lock)."""
    if index_dir.is_dir():
        for child in index_dir.iterdir():
            if child.name.startswith(".tmp-"):
                shutil.rmtree(child, ignore_errors=True)


def _astuple(record: object) -> tuple:
    return tuple(record.__dict__.values())
