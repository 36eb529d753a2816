"""The index on disk: versioned builds of passages, their vectors (FAISS) and a lexical index (BM25)."""
