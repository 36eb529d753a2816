"""The vector index: FAISS inner product over normalized embeddings (cosine similarity), its type chosen by size.

Up to `exact_max_rows` passages (a setting; EXACT_MAX_ROWS by default) the index is exact (IndexFlatIP: a
search reads every vector, a few ms at that size). Above it, an inverted file over 8-bit quantized vectors
(IndexIVFScalarQuantizer) reads only the `nprobe` closest clusters and takes a quarter of the memory, so a million
passages fit in well under 1 GiB; its best candidates are then re-scored with the stored fp32 vectors, so cosines
stay exact. `python -m embeddings bench` prints its recall against exact search. Both load memory-mapped.
"""

from __future__ import annotations

import math
from pathlib import Path

import faiss
import numpy as np

from embeddings.settings import DEFAULT_EXACT_MAX_ROWS as EXACT_MAX_ROWS
from embeddings.settings import DEFAULT_NPROBE as NPROBE

RESCORE_DEPTH = 100  # approximate candidates re-scored exactly per question
_TRAINING_ROWS_PER_LIST = 40  # FAISS warns below 39 training points per cluster
_TRAINING_ITERATIONS = 10


def index_kind(rows: int, exact_max_rows: int | None = None) -> str:
    """ "flat" (exact) or "ivf-sq8" (approximate, quantized) for an index of `rows` passages."""
    return "flat" if rows <= (EXACT_MAX_ROWS if exact_max_rows is None else exact_max_rows) else "ivf-sq8"


def build_dense_index(
    vectors: np.ndarray, exact_max_rows: int | None = None, nprobe: int = NPROBE, template: faiss.Index | None = None
) -> faiss.Index:
    """An inner-product index over `vectors` (rows are passage numbers): exact when small, IVF-SQ8 when big.

    `exact_max_rows` (None: EXACT_MAX_ROWS) and `nprobe` come from Settings; the module constants are their defaults.

    `template`, the previous version's index, lends its trained clusters and quantizer when its number of
    lists suits this size (within 2x), so an incremental build skips the training.
    """
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    rows, dimension = vectors.shape
    if index_kind(rows, exact_max_rows) == "flat":
        index = faiss.IndexFlatIP(dimension)
        if rows:
            index.add(vectors)
        return index
    lists = max(1, min(int(2 * math.sqrt(rows)), rows // _TRAINING_ROWS_PER_LIST))
    index = _from_template(template, dimension, lists)
    if index is None:
        index = faiss.IndexIVFScalarQuantizer(
            faiss.IndexFlatIP(dimension), dimension, lists, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
        )
        index.cp.niter = _TRAINING_ITERATIONS
        sample = np.random.default_rng(0).choice(rows, size=min(rows, _TRAINING_ROWS_PER_LIST * lists), replace=False)
        index.train(vectors[np.sort(sample)])
    index.add(vectors)
    index.nprobe = nprobe
    return index


def _from_template(template: faiss.Index | RescoredIndex | None, dimension: int, lists: int) -> faiss.Index | None:
    """An empty IVF-SQ8 index trained like `template` (its centroids and quantizer ranges), or None if it does not fit."""
    if isinstance(template, RescoredIndex):
        template = template.index
    if template is None or isinstance(template, faiss.IndexFlat):
        return None
    old = faiss.downcast_index(template)
    if not isinstance(old, faiss.IndexIVFScalarQuantizer) or old.d != dimension or not lists / 2 <= old.nlist <= lists * 2:
        return None
    index = faiss.IndexIVFScalarQuantizer(
        faiss.IndexFlatIP(dimension), dimension, old.nlist, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
    )
    index.quantizer.add(old.quantizer.reconstruct_n(0, old.nlist))
    faiss.copy_array_to_vector(faiss.vector_to_array(old.sq.trained), index.sq.trained)
    index.is_trained = True
    return index


def describe(index: faiss.Index | RescoredIndex) -> str:
    """A short label for reports: the index type, and its probes for an inverted file."""
    if isinstance(index, RescoredIndex):
        return f"{describe(index.index)}, top {index.depth} re-scored exactly"
    if isinstance(index, faiss.IndexFlat):
        return "flat (exact)"
    ivf = faiss.try_extract_index_ivf(index)
    if ivf is not None:
        return f"ivf-sq8 ({ivf.nlist} lists, nprobe {ivf.nprobe})"
    return type(index).__name__


class RescoredIndex:
    """An approximate index whose candidates are re-scored exactly against the stored fp32 vectors.

    IVF-SQ8 ranks with 8-bit vectors; re-scoring its `depth` best candidates with the full vectors (memory-mapped:
    only those rows are read) gives exact cosines and restores the exact order among them. Quacks like a FAISS
    index for what retrieval uses: `ntotal`, `d`, `search(queries, k)`.
    """

    def __init__(self, index: faiss.Index, vectors: np.ndarray, depth: int = RESCORE_DEPTH) -> None:
        self.index = index
        self.vectors = vectors
        self.depth = depth
        self.ntotal = index.ntotal
        self.d = index.d

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        _, candidates = self.index.search(queries, max(k, self.depth))
        scores = np.full((len(queries), k), -np.inf, dtype=np.float32)
        rows = np.full((len(queries), k), -1, dtype=np.int64)
        for number, (query, found) in enumerate(zip(queries, candidates, strict=True)):
            found = np.sort(found[found >= 0])
            exact = np.asarray(self.vectors[found], dtype=np.float32) @ query
            best = np.argsort(-exact, kind="stable")[:k]
            scores[number, : len(best)] = exact[best]
            rows[number, : len(best)] = found[best]
        return scores, rows


def save_dense_index(index: faiss.Index, path: Path) -> None:
    faiss.write_index(index, str(path))


def load_dense_index(path: Path) -> faiss.Index:
    """Read the index memory-mapped where FAISS supports it, so big indexes load at once and share pages."""
    try:
        return faiss.read_index(str(path), faiss.IO_FLAG_MMAP | faiss.IO_FLAG_READ_ONLY)
    except RuntimeError:
        return faiss.read_index(str(path))


def search_dense(index: faiss.Index | RescoredIndex, query: np.ndarray, k: int) -> list[tuple[int, float]]:
    """The k nearest rows to one normalized query vector, best first, as (row, cosine).

    One query is searched on one OpenMP thread: FAISS's threads cost more than they share out for a single query
    (flat, 384 dimensions, measured here: 14k rows 4.6 -> 0.8 ms of CPU, 100k rows 37 -> 11 ms, and faster by the
    clock too), and the bot already answers one question per core. The setting is the calling thread's own and is
    put back, so a build in the same process keeps every thread.
    """
    if index.ntotal == 0 or k <= 0:
        return []
    threads = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        scores, rows = index.search(query.reshape(1, -1).astype(np.float32), min(k, index.ntotal))
    finally:
        faiss.omp_set_num_threads(threads)
    return [(int(row), float(score)) for row, score in zip(rows[0], scores[0], strict=True) if row >= 0]
