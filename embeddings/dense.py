"""The vector index: FAISS inner product over normalized embeddings (cosine similarity)."""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np


def build_dense_index(vectors: np.ndarray) -> faiss.Index:
    """An exact inner-product index over `vectors` (rows are passage numbers)."""
    index = faiss.IndexFlatIP(vectors.shape[1])
    if len(vectors):
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


def save_dense_index(index: faiss.Index, path: Path) -> None:
    faiss.write_index(index, str(path))


def load_dense_index(path: Path) -> faiss.Index:
    """Read the index memory-mapped where FAISS supports it, so big indexes load at once and share pages."""
    try:
        return faiss.read_index(str(path), faiss.IO_FLAG_MMAP | faiss.IO_FLAG_READ_ONLY)
    except RuntimeError:
        return faiss.read_index(str(path))


def search_dense(index: faiss.Index, query: np.ndarray, k: int) -> list[tuple[int, float]]:
    """The k nearest rows to one normalized query vector, best first, as (row, cosine)."""
    if index.ntotal == 0 or k <= 0:
        return []
    scores, rows = index.search(query.reshape(1, -1).astype(np.float32), min(k, index.ntotal))
    return [(int(row), float(score)) for row, score in zip(rows[0], scores[0], strict=True) if row >= 0]
