"""Encoding and building: the model's raw rates, a full build against them, rebuilds, and builds of many small files."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from benchmarks.corpus import change_one_article
from benchmarks.report import Report, peak_rss_mib, timed
from embeddings.index.builder import build_index
from embeddings.ingest.corpus import scan
from embeddings.ingest.parsing import parse_bytes
from embeddings.models.encoder import Encoder, load_encoder
from embeddings.models.vectors import normalize
from embeddings.settings import Settings


def encode_rates(report: Report, settings: Settings, texts: list[str], precision: str) -> tuple[float, np.ndarray]:
    """fp32 and chosen-precision raw encode rates on `texts`; returns the chosen rate and its vectors."""
    fp32 = load_encoder(settings.model, precision="fp32", cache_dir=settings.cache)
    fp32.encode_bulk(texts[:8])  # load and warm up
    started = time.perf_counter()
    reference = fp32.encode_bulk(texts)
    fp32_rate = len(texts) / (time.perf_counter() - started)
    if precision == "fp32":
        report.line("encode", f"fp32 {fp32_rate:.1f} passages/s on {len(texts)} passages", fp32_rate=fp32_rate)
        return fp32_rate, reference
    fast = fp32.with_precision(precision)  # the same weights; only the autocast differs
    fast.encode_bulk(texts[:8])
    started = time.perf_counter()
    vectors = fast.encode_bulk(texts)
    rate = len(texts) / (time.perf_counter() - started)
    cosines = np.sum(vectors * reference, axis=1)
    report.line(
        "encode",
        f"fp32 {fp32_rate:.1f} passages/s, {precision} {rate:.1f} passages/s = {rate / fp32_rate:.2f}x fp32 "
        f"on {len(texts)} passages; cosine to fp32 min {cosines.min():.5f} mean {cosines.mean():.6f}",
        fp32_rate=fp32_rate,
        rate=rate,
        speedup=rate / fp32_rate,
        cosine_min=float(cosines.min()),
    )
    return rate, vectors


def raw_rate(encoder: Encoder, texts: list[str]) -> float:
    encoder.encode_bulk(texts[:8])
    return len(texts) / timed(lambda: encoder.encode_bulk(texts))


def build_child(settings: Settings) -> None:
    """Run in a child process by the bench: a full build with a warm model; prints seconds, passages, peak RSS."""
    encoder = load_encoder(settings.model, precision=settings.precision, cache_dir=settings.cache)
    encoder.encode_bulk(["warm up"])
    result = build_index(settings.corpus, settings.index, encoder, **index_options(settings))
    print(
        json.dumps(
            {"seconds": result.seconds, "passages": result.passages, "articles": result.articles, "peak_rss_mib": peak_rss_mib()}
        )
    )


def index_options(settings: Settings) -> dict[str, int]:
    """The keyword arguments of `build_index` that choose the FAISS index (exact up to a size, then IVF-SQ8)."""
    return {"exact_max_rows": settings.exact_max_rows, "nprobe": settings.nprobe}


def _build_in_child(corpus: Path, index: Path, encoder: Encoder) -> dict:
    """`python -m benchmarks.bench --build-child` (build_child above, in a fresh process); its JSON line."""
    child = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.bench",
            "--build-child",
            str(corpus),
            str(index),
            "--model",
            encoder.name,
            "--precision",
            encoder.precision,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(child.stdout.strip().splitlines()[-1])


def measure_build(report: Report, settings: Settings, sample: list[str], encoder: Encoder) -> None:
    """Full build (child process, warm model) between two raw-rate runs; then unchanged and one-article rebuilds."""
    corpus, index = settings.corpus, settings.index
    if index.exists() and (index / "CURRENT").exists():
        report.line("build", f"full build skipped: {index} is already built (pass a fresh --work folder to measure it)")
    else:
        before = raw_rate(encoder, sample)
        built = _build_in_child(corpus, index, encoder)
        after = raw_rate(encoder, sample)
        rate = built["passages"] / built["seconds"]
        raw = (before + after) / 2
        report.line(
            "build",
            f"full build {built['passages']} passages ({built['articles']} articles) in {built['seconds']:.1f} s = "
            f"{rate:.1f} passages/s; raw encode {raw:.1f} passages/s (before {before:.1f}, after {after:.1f}, "
            f"{len(sample)} of the same passages); build/raw = {rate / raw:.2f}; build peak RSS {built['peak_rss_mib']:.0f} MiB",
            seconds=built["seconds"],
            passages=built["passages"],
            rate=rate,
            raw_rate=raw,
            ratio=rate / raw,
            peak_rss_mib=built["peak_rss_mib"],
        )
    unchanged = build_index(corpus, index, encoder, **index_options(settings))
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "embeddings", "build", "--corpus", str(corpus), "--index", str(index), "--quiet"],
        check=True,
        capture_output=True,
    )
    process_seconds = time.perf_counter() - started
    name = change_one_article(corpus)
    changed = build_index(corpus, index, encoder, **index_options(settings))
    report.line(
        "rebuild",
        f"unchanged: {unchanged.seconds:.3f} s in process, {process_seconds:.2f} s as `python -m embeddings build` "
        f"({unchanged.articles} articles, up to date: {unchanged.up_to_date}); one article changed in {name}: "
        f"{changed.seconds:.2f} s, {changed.embedded} passages embedded of {changed.passages}",
        unchanged_seconds=unchanged.seconds,
        unchanged_process_seconds=process_seconds,
        one_change_seconds=changed.seconds,
        one_change_embedded=changed.embedded,
    )


class _ShapeEncoder(Encoder):
    """Random unit vectors of the model's size, for timing a build's bookkeeping where the model is not the point."""

    def __init__(self, dimension: int, name: str = "bench/random-vectors") -> None:
        super().__init__(name, cache_dir=False)
        self._dimension = dimension
        self._random = np.random.default_rng(0)

    @property
    def dimension(self) -> int:
        return self._dimension

    def encode(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        vectors = self._random.standard_normal((len(texts), self._dimension)).astype(np.float32)
        return normalize(vectors)


def measure_random_build(report: Report, settings: Settings, dimension: int) -> None:
    """Full, unchanged and one-article builds with random vectors: timing at sizes the model cannot embed in time.

    Real text (BM25, SQLite, quotes) with random vectors under the model's name, so the front ends treat the
    index as current. Latency does not depend on what the vectors mean; recall does.
    """
    shape = _ShapeEncoder(dimension, name=settings.model)
    full = build_index(settings.corpus, settings.index, shape, **index_options(settings))
    unchanged = build_index(settings.corpus, settings.index, shape, **index_options(settings))
    name = change_one_article(settings.corpus)
    changed = build_index(settings.corpus, settings.index, shape, **index_options(settings))
    report.line(
        "build",
        f"random vectors (timing only, no model): full build {full.passages} passages in {full.seconds:.1f} s; unchanged "
        f"rebuild {unchanged.seconds:.3f} s; one article changed in {name}: {changed.seconds:.2f} s, {changed.embedded} "
        "passages embedded",
        bookkeeping_seconds=full.seconds,
        unchanged_seconds=unchanged.seconds,
        one_change_seconds=changed.seconds,
        one_change_embedded=changed.embedded,
    )


def measure_many_files(report: Report, settings: Settings, work: Path, articles: int, dimension: int) -> None:
    """Unchanged and one-article rebuilds over `articles` one-file articles of up to 3 paragraphs from the corpus.

    Vectors are random: this times the build's bookkeeping (scan, compare, reuse, write), not the model.
    """
    folder = work / f"files-{articles}-x3"
    index = work / f"files-{articles}-x3-index"
    source = [a for file in scan(settings.corpus) for a in parse_bytes(file.read()[0], file.name, lambda problem: None)]
    if not folder.exists():
        for number in range(articles):
            article = source[number % len(source)]
            body = "\n\n".join([block.text for block in article.blocks if not block.is_heading][:3])  # news-length
            path = folder / f"{number // 1000:02d}" / f"{number:05d}.txt"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(f"{article.title} ({number})\n\n{body}\n", "utf-8")
    encoder = _ShapeEncoder(dimension)
    first = build_index(folder, index, encoder, **index_options(settings))
    unchanged = build_index(folder, index, encoder, **index_options(settings))
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "embeddings",
            "build",
            "--corpus",
            str(folder),
            "--index",
            str(index),
            "--quiet",
            "--model",
            encoder.name,
        ],
        check=True,
        capture_output=True,
    )
    process_seconds = time.perf_counter() - started
    edited = folder / "00" / "00007.txt"
    edited.write_text(edited.read_text("utf-8") + "\nA paragraph added by the benchmark.\n", "utf-8")
    changed = build_index(folder, index, encoder, **index_options(settings))
    report.line(
        "files",
        f"{articles} one-file articles, {first.passages} passages (random vectors: bookkeeping only): unchanged rebuild "
        f"{unchanged.seconds:.3f} s in process, {process_seconds:.2f} s as a process; one article changed "
        f"{changed.seconds:.2f} s, {changed.embedded} passages embedded (full build {first.seconds:.1f} s)",
        articles=articles,
        unchanged_seconds=unchanged.seconds,
        unchanged_process_seconds=process_seconds,
        one_change_seconds=changed.seconds,
        one_change_embedded=changed.embedded,
    )
