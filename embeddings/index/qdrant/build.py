"""Corpus to Qdrant, incrementally: unchanged files keep their points and vectors, only new content is embedded.

A build that changes something writes a new collection: the points of unchanged files are copied from the live
one (their vectors too), the points of deleted and edited files are left behind by a filter on their file, the new
articles' passages are added, reusing the vectors of passages whose point id (same article, same content) already
exists. Then the alias moves (collections.py). When nothing changed, nothing is written.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
from qdrant_client import QdrantClient, models

from embeddings.index.builder import BuildReport, EmptyCorpus, passage_texts
from embeddings.index.lexical import terms
from embeddings.index.qdrant.collections import (
    FORMAT,
    connect,
    create_collection,
    live_collection,
    new_collection_name,
    remove_versions,
    switch_alias,
    versions,
)
from embeddings.index.qdrant.store import QdrantStore, article_number, passage_payload, point_id
from embeddings.index.store import ArticleRecord, FileRecord, IndexNotReady, PassageRecord
from embeddings.ingest.articles import Article
from embeddings.ingest.corpus import CorpusFile, scan
from embeddings.ingest.parsing import UnreadableFile, parse_bytes
from embeddings.ingest.passages import split_passages
from embeddings.models.encoder import Encoder
from embeddings.settings import Settings

_BATCH = 256
_BUILD = threading.Lock()  # one build at a time in this process; across machines, run one builder (docs/qdrant.md)


@dataclass
class _Corpus:
    """The corpus against the live version: file records, the files to parse, and the files gone."""

    records: dict[str, FileRecord] = field(default_factory=dict)
    touched: list[tuple[CorpusFile, bytes]] = field(default_factory=list)
    removed: set[str] = field(default_factory=set)
    recorded: dict[str, FileRecord] = field(default_factory=dict)  # the live version's records


@dataclass
class _New:
    """The points to add: ids, payloads, and the texts to embed for those without a reusable vector."""

    ids: list[str] = field(default_factory=list)
    payloads: list[dict] = field(default_factory=list)
    dense_texts: list[str] = field(default_factory=list)
    sources: set[str] = field(default_factory=set)


def _open_prior(client: QdrantClient, live: str | None, model: str, report: BuildReport) -> QdrantStore | None:
    if live is None:
        return None
    try:
        prior = QdrantStore(client, live)
    except IndexNotReady as error:
        report.full_rebuild_reason = f"the current collection is unusable ({error})"
        return None
    if prior.info.model != model:
        report.full_rebuild_reason = f"model changed from {prior.info.model} to {model}"
        return None
    return prior


def _compare(settings: Settings, prior: QdrantStore | None, report: BuildReport) -> _Corpus:
    """Which files changed since the live version: size and mtime first, the bytes' hash only when those differ."""
    recorded = prior.files() if prior else {}
    corpus = _Corpus(recorded=recorded)
    files = scan(settings.corpus)
    for file in files:
        old = recorded.get(file.name)
        if old and (old.size, old.mtime_ns) == (file.size, file.mtime_ns):
            corpus.records[file.name] = old
            report.skipped.extend([old.problem] if old.problem else [])
            continue
        try:
            data, digest = file.read()
        except OSError as error:
            report.skipped.append(f"{file.name}: cannot read ({error.strerror or error})")
            continue
        corpus.records[file.name] = FileRecord(file.name, file.size, file.mtime_ns, digest, old.problem if old else None)
        if old is None or old.sha256 != digest:
            corpus.touched.append((file, data))
        else:
            report.skipped.extend([old.problem] if old.problem else [])
    corpus.removed = set(recorded) - {file.name for file in files}
    return corpus


def _parse(corpus: _Corpus, report: BuildReport) -> list[Article]:
    parsed: list[Article] = []
    for file, data in corpus.touched:
        problems: list[str] = []
        try:
            parsed.extend(parse_bytes(data, file.name, problems.append))
        except UnreadableFile as error:
            problems.append(f"{file.name}: {error}")
        report.skipped.extend(problems)
        record = corpus.records[file.name]
        corpus.records[file.name] = FileRecord(
            record.name, record.size, record.mtime_ns, record.sha256, "; ".join(problems) or None
        )
    return parsed


def _lay_out(parsed: Iterable[Article], kept_sources: set[str], before: dict[str, str], report: BuildReport) -> _New:
    """Points for the parsed articles (duplicate article ids skipped) and the report's added / changed lists."""
    new = _New()
    seen = set(kept_sources)
    for article in sorted(parsed, key=lambda a: a.source_id):
        if article.source_id in seen:
            report.skipped.append(f"{article.source_id}: duplicate article id, kept the first")
            continue
        seen.add(article.source_id)
        key = article.content_key
        if article.source_id not in before:
            report.added.append(article.source_id)
        elif before[article.source_id] != key:
            report.changed.append(article.source_id)
        else:
            report.unchanged += 1
        date = article.date.isoformat() if article.date else None
        record = ArticleRecord(article_number(article.source_id), article.source_id, key, article.path, article.title,
                               article.outlet, date, article.url)  # fmt: skip
        passages = split_passages(article)
        for ordinal, passage in enumerate(passages):
            stored = PassageRecord(0, record.id, passage.paragraph, passage.heading, passage.text)
            dense, lexical = passage_texts(article.title, passage.heading, passage.text)
            new.ids.append(point_id(article.source_id, key, ordinal))
            new.payloads.append(passage_payload(record, article.path, ordinal, len(passages), stored, " ".join(terms(lexical))))
            new.dense_texts.append(dense)
        new.sources.add(article.source_id)
    return new


def _vectors(new: _New, prior: QdrantStore | None, encoder: Encoder, progress: bool) -> tuple[np.ndarray, int]:
    """One vector per new point: the live version's when its id exists there (same content), else embedded now."""
    reused = prior.vectors(new.ids) if prior is not None and new.ids else {}
    missing = [i for i, point in enumerate(new.ids) if point not in reused]
    fresh = encoder.encode([new.dense_texts[i] for i in missing], progress=progress) if missing else None
    dimension = fresh.shape[1] if fresh is not None else prior.info.dimension if prior else encoder.dimension
    vectors = np.zeros((len(new.ids), dimension), dtype=np.float32)
    for i, point in enumerate(new.ids):
        if point in reused:
            vectors[i] = reused[point]
    if fresh is not None:
        vectors[missing] = fresh
    return vectors, len(missing)


def _upsert(client: QdrantClient, collection: str, points: Iterable[models.PointStruct]) -> int:
    batch: list[models.PointStruct] = []
    written = 0
    for point in points:
        batch.append(point)
        if len(batch) == _BATCH:
            client.upsert(collection, batch)
            written, batch = written + len(batch), []
    if batch:
        client.upsert(collection, batch)
    return written + len(batch)


def _copy_kept(prior: QdrantStore | None, target: str, leave: set[str]) -> int:
    """Copy the live version's points of unchanged files, vectors and all; deleted and edited files stay behind."""
    if prior is None:
        return 0
    where = (
        models.Filter(must_not=[models.FieldCondition(key="file", match=models.MatchAny(any=sorted(leave)))]) if leave else None
    )
    points = (models.PointStruct(id=p.id, vector=p.vector, payload=p.payload) for p in prior.scroll(where, vectors=True))
    return _upsert(prior.client, target, points)


def build_qdrant(
    settings: Settings, encoder: Encoder, progress: bool = False, log: Callable[[str], None] = lambda message: None
) -> BuildReport:
    """Bring the collection behind `settings.collection` up to date with the corpus; writes a new version only on change."""
    started = time.perf_counter()
    report = BuildReport()
    client = connect(settings)
    with _BUILD:
        live = live_collection(client, settings.collection)
        for name in versions(client, settings.collection):
            if live is None or name > live:  # what a killed build left behind (the version before the live one stays)
                client.delete_collection(name)
        prior = _open_prior(client, live, encoder.name, report)
        corpus = _compare(settings, prior, report)
        if prior is not None and not corpus.touched and not corpus.removed:
            if corpus.records != corpus.recorded:  # only mtimes moved: remember them, so the next check needs no hashing
                client.update_collection(live, metadata={**prior.meta, "files": _files_meta(corpus.records)})
            report.unchanged, report.articles, report.passages = prior.info.articles, prior.info.articles, prior.info.passages
            report.seconds = time.perf_counter() - started
            return report
        report.version = _write(client, settings, encoder, prior, corpus, report, progress)
        remove_versions(client, settings.collection, keep={report.version, live or ""})
    report.seconds = time.perf_counter() - started
    log(report.summary())
    return report


def _write(
    client: QdrantClient,
    settings: Settings,
    encoder: Encoder,
    prior: QdrantStore | None,
    corpus: _Corpus,
    report: BuildReport,
    progress: bool,
) -> str:
    """Write the new version's collection, then switch the alias to it; returns its name."""
    parsed = _parse(corpus, report)
    leave = {file.name for file, _ in corpus.touched} | corpus.removed
    firsts = prior.article_payloads(None) if prior is not None else []
    before = {payload["source_id"]: payload["key"] for payload in firsts if payload["file"] in leave}
    kept = [payload for payload in firsts if payload["file"] not in leave]
    new = _lay_out(parsed, {payload["source_id"] for payload in kept}, before, report)
    report.unchanged += len(kept)
    report.removed = sorted(source for source in before if source not in new.sources)
    report.articles = len(kept) + len(new.sources)
    if not report.articles:
        raise EmptyCorpus(f"no readable articles in {settings.corpus}: add .txt, .md, .html or .jsonl articles")
    vectors, report.embedded = _vectors(new, prior, encoder, progress)
    name = new_collection_name(settings.collection)
    create_collection(client, name, vectors.shape[1], settings.qdrant_layout)
    copied = _copy_kept(prior, name, leave)
    added = (
        models.PointStruct(id=i, vector=v.tolist(), payload=p) for i, v, p in zip(new.ids, vectors, new.payloads, strict=True)
    )
    report.passages = copied + _upsert(client, name, added)
    meta = {
        "model": encoder.name,
        "dimension": int(vectors.shape[1]),
        "built_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "articles": report.articles,
        "passages": report.passages,
        "files": _files_meta(corpus.records),
        "format": FORMAT,  # written last: a collection without it is unfinished
    }
    client.update_collection(name, metadata=meta)
    switch_alias(client, settings.collection, name)
    return name


def _files_meta(records: dict[str, FileRecord]) -> dict[str, list]:
    return {name: [r.size, r.mtime_ns, r.sha256, r.problem] for name, r in sorted(records.items())}
