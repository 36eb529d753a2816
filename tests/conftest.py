"""Shared fixtures: a copy of the seed corpus, a fast stand-in encoder, and the real packaged model."""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from embeddings import Encoder, Settings
from embeddings.models.vectors import normalize

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpus" / "000_da1d4672d14ef64a.txt"


class WordHashEncoder(Encoder):
    """A deterministic bag-of-words encoder: texts sharing words are similar. Counts what it embeds.

    Used where a test is about the build's bookkeeping, not about the model's judgement.
    """

    def __init__(self, name: str = "test/word-hash", dimension: int = 64) -> None:
        super().__init__(name)
        self._dimension = dimension
        self.embedded: list[str] = []

    @property
    def dimension(self) -> int:
        return self._dimension

    def encode(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        self.embedded.extend(texts)
        vectors = np.zeros((len(texts), self._dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                vectors[row, int(hashlib.md5(word.encode()).hexdigest(), 16) % self._dimension] += 1.0
        return normalize(vectors)


@pytest.fixture
def seed_corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEED, corpus / SEED.name)
    return corpus


@pytest.fixture
def settings(tmp_path: Path, seed_corpus: Path) -> Settings:
    return Settings(corpus=seed_corpus, index=tmp_path / "index")


@pytest.fixture(scope="session")
def real_encoder() -> Encoder:
    """The default packaged model (all-MiniLM-L6-v2), loaded once per test run."""
    encoder = Encoder(Settings().model)
    encoder.encode(["warm up"])
    return encoder
