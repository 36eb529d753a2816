"""Search and answers: FAISS alone against exact search, `Engine.ask` per mode, and an index of a million rows."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from benchmarks.report import Report, peak_rss_mib, percentiles, show_ms, timed
from embeddings.index.dense import build_dense_index, describe, index_kind, search_dense
from embeddings.index.store import open_index
from embeddings.models.encoder import Encoder
from embeddings.models.vectors import normalize
from embeddings.settings import Settings


def measure_search(report: Report, index_dir: Path, encoder: Encoder, questions: list[str]) -> np.ndarray:
    """FAISS alone: the index in use against exact search (latency and recall@10); returns the query vectors."""
    index = open_index(index_dir)
    queries = np.stack([encoder.encode_query(q) for q in questions])
    query_seconds = [timed(lambda q=q: encoder.encode_query(q)) for q in questions[:100]]
    served = [timed(lambda v=v: search_dense(index.dense, v, 50)) for v in queries]
    vectors = np.asarray(index.vectors, dtype=np.float32)
    exact = build_dense_index(vectors, exact_max_rows=len(vectors))
    exact_times = [timed(lambda v=v: search_dense(exact, v, 50)) for v in queries]
    recall = []
    for vector in queries:
        truth = {row for row, _ in search_dense(exact, vector, 10)}
        found = {row for row, _ in search_dense(index.dense, vector, 10)}
        recall.append(len(truth & found) / max(1, len(truth)))
    served_stats, exact_stats = percentiles(served), percentiles(exact_times)
    report.line(
        "search",
        f"{describe(index.dense)} over {index.dense.ntotal} passages: {show_ms(served_stats)}; exact flat "
        f"{show_ms(exact_stats)} (p50 ratio {served_stats['p50'] / exact_stats['p50']:.2f}); recall@10 vs exact "
        f"{np.mean(recall):.3f}; question encoding {show_ms(percentiles(query_seconds))}",
        index=describe(index.dense),
        **{f"served_{k}": v for k, v in served_stats.items()},
        **{f"exact_{k}": v for k, v in exact_stats.items()},
        recall_at_10=float(np.mean(recall)),
        **{f"encode_query_{k}": v for k, v in percentiles(query_seconds).items()},
    )
    index.close()
    return queries


def engine_modes() -> list[str]:
    import embeddings.qa.engine as engine_module

    return list(getattr(engine_module, "MODES", ("hybrid",)))


def measure_answers(
    report: Report, settings: Settings, encoder: Encoder, questions: list[str], modes: Sequence[str], answer_all: bool = False
) -> None:
    """`Engine.ask` from question to Answer, per mode (the reranker's cost shows as its own row).

    `answer_all` turns abstention off, so that over random vectors every question still takes the whole path
    (sources, answer sentence) instead of stopping early at "not found".
    """
    from embeddings.qa.engine import Engine

    for mode in modes:
        try:
            engine = Engine(settings, encoder, mode=mode or None, abstain=not answer_all, answers_cached=0)
        except (TypeError, ValueError) as error:
            report.line("answer", f"mode {mode}: not available ({error})")
            continue
        engine.ask(questions[0])  # warm: loads the question encoder (and a reranker)
        asked = questions if mode != "rerank" else questions[:20]  # the cross-encoder costs ~100x more
        seconds, cpu = [], []
        for question in asked:
            wall, used = time.perf_counter(), time.process_time()
            engine.ask(question)
            seconds.append(time.perf_counter() - wall)
            cpu.append(time.process_time() - used)  # all threads of this process: what the question costs, load aside
        stats = percentiles(seconds)
        cpu_stats = percentiles(cpu)
        answered = sum(not engine.ask(q).abstained for q in asked[:20])
        report.line(
            "answer",
            f"Engine.ask mode {mode or 'default'}: {show_ms(stats)} over {len(asked)} questions "
            f"({answered} of the first {min(20, len(asked))} answered, not abstained); "
            f"CPU time per question {show_ms(cpu_stats)}",
            **{f"{mode}_{k}": v for k, v in stats.items()},
            **{f"{mode}_cpu_{k}": v for k, v in cpu_stats.items()},
        )


def _scaled_vectors(index_dir: Path, rows: int) -> np.ndarray:
    """`rows` unit vectors: the index's real vectors, then copies of them with noise added."""
    index = open_index(index_dir)
    real = np.asarray(index.vectors, dtype=np.float32)
    index.close()
    rng = np.random.default_rng(1)
    vectors = np.empty((rows, real.shape[1]), dtype=np.float32)
    for start in range(0, rows, len(real)):
        block = real[: min(len(real), rows - start)]
        noisy = block + rng.normal(0, 0.02, block.shape).astype(np.float32) if start else block
        vectors[start : start + len(block)] = normalize(noisy)
    return vectors


def measure_million(report: Report, settings: Settings, rows: int, queries: np.ndarray, work: Path) -> None:
    """A `rows`-passage index from the real vectors plus noise: size, load and search in a fresh process, memory, recall."""
    vectors = _scaled_vectors(settings.index, rows)
    started = time.perf_counter()
    big = build_dense_index(vectors, settings.exact_max_rows, settings.nprobe)
    build_seconds = time.perf_counter() - started
    path = work / "million.faiss"
    import faiss

    faiss.write_index(big, str(path))
    exact = faiss.IndexFlatIP(vectors.shape[1])
    exact.add(vectors)
    _, truth = exact.search(queries, 10)
    _, found = big.search(queries, 10)
    recall = float(np.mean([len(set(t) & set(f)) / 10 for t, f in zip(truth, found, strict=True)]))
    del big, exact, vectors
    np.save(work / "million-queries.npy", queries)
    child = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench", "--search-child", str(path), str(work / "million-queries.npy")],
        capture_output=True,
        text=True,
        check=True,
    )
    served = json.loads(child.stdout.strip().splitlines()[-1])
    kind = index_kind(rows, settings.exact_max_rows)
    report.line(
        "scale",
        f"{rows} passages ({kind}): built in {build_seconds:.0f} s, file {path.stat().st_size / 2**20:.0f} MiB "
        f"(fp32 vectors would be {rows * queries.shape[1] * 4 / 2**20:.0f} MiB); a fresh process loads it in "
        f"{served['load_seconds']:.3f} s and searches {show_ms(served['stats'])} with peak RSS {served['peak_rss_mib']:.0f} MiB; "
        f"recall@10 vs exact {recall:.3f}",
        rows=rows,
        file_mib=path.stat().st_size / 2**20,
        peak_rss_mib=served["peak_rss_mib"],
        recall_at_10=recall,
        **{f"search_{k}": v for k, v in served["stats"].items()},
    )


def search_child(path: Path, queries_path: Path) -> None:
    """Run in a child process: load an index memory-mapped, search each query, print latency and peak RSS."""
    from embeddings.index.dense import load_dense_index

    queries = np.load(queries_path)
    started = time.perf_counter()
    index = load_dense_index(path)
    load_seconds = time.perf_counter() - started
    seconds = [timed(lambda v=v: search_dense(index, v, 50)) for v in queries]
    print(json.dumps({"load_seconds": load_seconds, "stats": percentiles(seconds), "peak_rss_mib": peak_rss_mib()}))
