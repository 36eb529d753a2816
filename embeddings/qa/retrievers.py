"""The retriever for an index version: FAISS + bm25s for a folder, Qdrant's own dense and BM25 search for a collection."""

from __future__ import annotations

import sys
from typing import Any

from embeddings.qa.retriever import HybridRetriever


def retriever_for(index: Any, mode: str) -> Any:
    """A retriever with `search(query, query_vector, k) -> list[Hit]` over `index`."""
    qdrant = sys.modules.get("embeddings.index.qdrant.store")  # not imported: the FAISS backend needs no qdrant-client
    if qdrant is not None and isinstance(index, qdrant.QdrantStore):
        from embeddings.qa.qdrant_retriever import QdrantRetriever

        return QdrantRetriever(index, mode)
    return HybridRetriever(index, mode)
