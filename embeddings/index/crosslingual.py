"""The cross-lingual vector index beside the English one: same rows, vectors from the multilingual encoder.

    v-.../multilingual.npy     one 512-d row per passage (reused by incremental builds, like vectors.npy)
    v-.../multilingual.faiss   the FAISS index over them (exact or IVF-SQ8 by size, as dense.py chooses)

It is optional: an index built with the multilingual path turned off has neither file, and info.json records
which model made them ("multilingual": name or null), so a change of setting rebuilds.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np

from embeddings.index.dense import RescoredIndex, build_dense_index, load_dense_index, save_dense_index

VECTORS = "multilingual.npy"
INDEX = "multilingual.faiss"


@dataclass(frozen=True)
class CrossLingualIndex:
    """The multilingual vectors of one index version and their FAISS index (rows are passage numbers)."""

    vectors: np.ndarray
    dense: faiss.Index | RescoredIndex


def write_crosslingual(folder: Path, vectors: np.ndarray, exact_max_rows: int, nprobe: int, template: object = None) -> None:
    """Save the vectors and their FAISS index into a version folder being written."""
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    np.save(folder / VECTORS, vectors)
    template = template.dense if isinstance(template, CrossLingualIndex) else None
    save_dense_index(build_dense_index(vectors, exact_max_rows, nprobe, template=template), folder / INDEX)


def load_crosslingual(folder: Path) -> CrossLingualIndex:
    """Open a version's cross-lingual index memory-mapped (exact cosines, as for the English index)."""
    vectors = np.load(folder / VECTORS, mmap_mode="r")
    dense = load_dense_index(folder / INDEX)
    return CrossLingualIndex(vectors, dense if isinstance(dense, faiss.IndexFlat) else RescoredIndex(dense, vectors))


def layout_vectors(
    dimension: int,
    rows: int,
    fresh: np.ndarray | None,
    fresh_rows: list[int],
    prior: CrossLingualIndex | None,
    reused_rows: list[int],
    old_rows: list[int],
) -> np.ndarray:
    """One multilingual vector per row of a new version: reused rows copy the prior version's, the rest are `fresh`."""
    vectors = np.zeros((rows, dimension), dtype=np.float32)
    if reused_rows:
        assert prior is not None
        vectors[reused_rows] = prior.vectors[old_rows]
    if fresh is not None and len(fresh_rows):
        vectors[fresh_rows] = fresh
    return vectors
