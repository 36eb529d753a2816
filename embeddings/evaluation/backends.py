"""Evaluating the same corpus on several index backends in one run: the corpus is embedded once, and the answers of
the backends are compared question by question (same top source)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from embeddings.models.encoder import Encoder
from embeddings.qa.results import Answer
from embeddings.settings import Settings


def remember_vectors(encoder: Encoder) -> Encoder:
    """Make `encoder.encode` remember each text's vector, so a second backend's build embeds nothing again."""
    known: dict[str, np.ndarray] = {}
    encode = encoder.encode

    def remembering(texts: Sequence[str], progress: bool = False) -> np.ndarray:
        missing = [text for text in dict.fromkeys(texts) if text not in known]
        if missing:
            known.update(zip(missing, encode(missing, progress=progress), strict=True))
        return np.stack([known[text] for text in texts]) if texts else encode(texts)

    encoder.encode = remembering  # type: ignore[method-assign]
    return encoder


def backend_settings(settings: Settings, backend: str, index_dir: Path, scratch: Path) -> Settings:
    """Settings of one backend: FAISS in `index_dir`; Qdrant where QDRANT_URL / QDRANT_PATH say, else local mode in
    the scratch folder (an evaluation's own collection name, so it never replaces a bot's)."""
    if backend == "faiss":
        return replace(settings, backend="faiss", index=index_dir)
    if settings.qdrant_url or settings.qdrant_path:
        return replace(settings, backend="qdrant", index=index_dir, collection=f"{settings.collection}-evaluate")
    return replace(settings, backend="qdrant", index=index_dir, qdrant_path=scratch / "qdrant")


def top_source(answer: Answer) -> tuple | None:
    """What a user sees first: the answering passage's article and paragraph (None when the engine abstained)."""
    if answer.abstained or not answer.sources:
        return None
    first = answer.sources[0]
    return (first.path, first.title, first.paragraph, first.quote)


def agreement(first: Sequence[Answer], second: Sequence[Answer]) -> float:
    """The share of questions whose two answers show the same top source (or both abstain)."""
    same = sum(top_source(a) == top_source(b) for a, b in zip(first, second, strict=True))
    return same / max(1, len(first))
