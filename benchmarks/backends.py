"""The same figures on each index backend, side by side (`python -m embeddings bench --squad DIR --backends faiss,qdrant`).

On SQuAD-open (the corpus is embedded once, before any build, so build rates are the backends' own work): a full
build's passages/s, an unchanged rebuild, one edited article; `Engine.ask` p50/p99 per mode; R@5 of hybrid retrieval
against the gold paragraph and of dense retrieval against exact search; and how often the backends' best hybrid passage
is the same. With --rebuild-articles N, unchanged and one-article rebuilds over N one-file articles (random vectors).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from dataclasses import replace
from pathlib import Path

import numpy as np

from benchmarks.corpus import dense_texts
from benchmarks.encode_build import _ShapeEncoder
from benchmarks.report import Report, percentiles, show_ms, timed
from benchmarks.squad import load_squad
from embeddings.evaluation.backends import backend_settings, remember_vectors
from embeddings.index.backend import build, open_store
from embeddings.models.encoder import Encoder, load_encoder
from embeddings.qa.engine import Engine
from embeddings.qa.retrievers import retriever_for
from embeddings.settings import Settings


def measure_backends(
    report: Report,
    settings: Settings,
    work: Path,
    squad: Path,
    count: int,
    backends: list[str],
    many_files: int | None,
    modes: tuple[str, ...] = ("hybrid", "rerank"),
) -> None:
    """Every backend's figures on SQuAD-open, then how their rankings agree; then the many-file rebuilds."""
    encoder = remember_vectors(load_encoder(settings.model, precision=settings.precision, cache_dir=settings.cache))
    tops: dict[str, list[str | None]] = {}
    for name in backends:
        corpus = work / f"backends-{name}-corpus"
        questions, gold = load_squad(squad, corpus, count)
        texts = dense_texts(corpus)
        seconds = timed(lambda texts=texts: encoder.encode(texts))
        if seconds > 0.5:  # the first backend embeds; the others find every vector remembered
            report.line(
                "backends", f"embedded {len(texts)} SQuAD passages once for all backends: {len(texts) / seconds:.1f} passages/s"
            )
        chosen = backend_settings(replace(settings, corpus=corpus), name, work / f"backends-{name}-index", work)
        tops[name] = _measure_one(report, chosen, encoder, questions, gold, modes)
    if len(backends) == 2:
        first, second = tops.values()
        same = np.mean([a == b for a, b in zip(first, second, strict=True)])
        report.line("backends", f"best hybrid passage the same on {backends[0]} and {backends[1]}: {same:.4f}", same_top=same)
    for name in backends if many_files else []:
        _many_files(report, backend_settings(settings, name, work / f"files-{name}-index", work), work, many_files)


def _measure_one(
    report: Report, settings: Settings, encoder: Encoder, questions: list[dict], gold: list, modes: tuple[str, ...]
) -> list[str | None]:
    """One backend's build, rebuild, latency and recall lines; returns its best hybrid passage per question."""
    name = settings.backend
    full = build(settings, encoder)
    unchanged = build(settings, encoder)
    line = (settings.corpus / "articles.jsonl").read_text("utf-8").splitlines()
    article = json.loads(line[0])
    article["paragraphs"][0] += " (edited by the benchmark)"
    (settings.corpus / "articles.jsonl").write_text("\n".join([json.dumps(article), *line[1:]]) + "\n", "utf-8")
    edited = build(settings, encoder)
    report.line(
        f"backend {name}",
        f"full build {full.passages} passages in {full.seconds:.2f} s = {full.passages / full.seconds:.0f} passages/s (vectors "
        f"precomputed); unchanged rebuild {unchanged.seconds:.3f} s; one article edited {edited.seconds:.2f} s, "
        f"{edited.embedded} passages embedded",
        build_rate=full.passages / full.seconds,
        unchanged_seconds=unchanged.seconds,
        edited_seconds=edited.seconds,
        edited_embedded=edited.embedded,
    )
    texts = [q["question"] for q in questions]
    for mode in modes:
        engine = Engine(settings, encoder, mode=mode)
        engine.ask(texts[0])
        asked = texts[:100] if mode == "hybrid" else texts[:20]
        stats = percentiles([timed(lambda q=q, engine=engine: engine.ask(q)) for q in asked])
        report.line(f"backend {name}", f"Engine.ask {mode}: {show_ms(stats)} over {len(asked)} questions", **{mode: stats})
    return _recall(report, settings, encoder, texts, gold)


def _recall(report: Report, settings: Settings, encoder: Encoder, questions: list[str], gold: list) -> list[str | None]:
    """R@5 of hybrid retrieval against the gold paragraph, and of dense retrieval against exact search."""
    store = open_store(settings)
    rows, matrix = _all_vectors(store)
    passages = store.passages(rows)
    articles = {a.id: a.source_id for a in store.articles()}
    where = {p.row: (articles[p.article_id], p.paragraph) for p in passages}
    hybrid, dense = retriever_for(store, "hybrid"), retriever_for(store, "dense")
    hits, overlap, tops, started = [], [], [], time.perf_counter()
    for question, wanted in zip(questions, gold, strict=True):
        vector = encoder.encode_query(question)
        found = hybrid.search(question, vector, 5)
        hits.append(wanted in {where[hit.row] for hit in found})
        tops.append(store.passages([found[0].row])[0].text if found else None)
        exact = {rows[i] for i in np.argsort(-(matrix @ vector), kind="stable")[:5]}
        overlap.append(len(exact & {hit.row for hit in dense.search(question, vector, 5)}) / 5)
    r5, exact_recall = float(np.mean(hits)), float(np.mean(overlap))
    report.line(
        f"backend {settings.backend}",
        f"SQuAD-open {len(questions)} questions: hybrid R@5 {r5:.4f}; dense recall@5 against exact search {exact_recall:.4f} "
        f"({(time.perf_counter() - started) / len(questions) * 1000:.0f} ms a question for both)",
        r5_hybrid=r5,
        dense_recall_vs_exact=exact_recall,
    )
    return tops


def _all_vectors(store: object) -> tuple[list[int], np.ndarray]:
    """Every row with its stored vector (normalized), whichever backend holds them."""
    if hasattr(store, "vectors") and not callable(store.vectors):
        matrix = np.asarray(store.vectors, dtype=np.float32)
        rows = list(range(len(matrix)))
    else:
        points = list(store.scroll(None, payload=False, vectors=True))  # type: ignore[attr-defined]
        rows = [uuid.UUID(str(p.id)).int for p in points]
        matrix = np.asarray([p.vector for p in points], dtype=np.float32)
    return rows, matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


def _many_files(report: Report, settings: Settings, work: Path, articles: int) -> None:
    """Full, unchanged (in process and as a fresh `python -m embeddings build`) and one-article rebuilds over `articles`
    one-file articles with random vectors under the model's name: the build's bookkeeping, not the model."""
    folder = work / f"files-{articles}"
    if not folder.exists():
        for number in range(articles):
            path = folder / f"{number // 1000:02d}" / f"{number:05d}.txt"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(f"Article {number}\n\nThe council met on day {number}.\n\nIt voted {number % 7} times.\n", "utf-8")
    settings = replace(settings, corpus=folder)
    encoder = _ShapeEncoder(384, name=settings.model)
    first = build(settings, encoder)
    unchanged = build(settings, encoder)
    _release(settings)
    command = [sys.executable, "-m", "embeddings", "build", "--corpus", str(folder), "--index", str(settings.index), "--quiet"]
    command += ["--backend", settings.backend, "--collection", settings.collection]
    environment = {"QDRANT_PATH": str(settings.qdrant_path)} if settings.qdrant_path else {}
    process = timed(lambda: subprocess.run(command, check=True, capture_output=True, env={**os.environ, **environment}))
    edited = folder / "00" / "00007.txt"
    edited.write_text(edited.read_text("utf-8") + "\nA paragraph added by the benchmark.\n", "utf-8")
    changed = build(settings, encoder)
    report.line(
        f"backend {settings.backend}",
        f"{articles} one-file articles, {first.passages} passages (random vectors): full build {first.seconds:.1f} s; unchanged "
        f"rebuild {unchanged.seconds:.3f} s in process, {process:.2f} s as a process; "
        f"one article changed {changed.seconds:.2f} s, {changed.embedded} passages embedded",
        files_unchanged_seconds=unchanged.seconds,
        files_unchanged_process_seconds=process,
        files_changed_seconds=changed.seconds,
    )


def _release(settings: Settings) -> None:
    """Local mode locks its folder: close this process's client so a child process may open it."""
    if settings.backend == "qdrant":
        from embeddings.index.qdrant.collections import forget_clients

        forget_clients()
