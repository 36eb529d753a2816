"""The Qdrant backend: passages, vectors and BM25 in a Qdrant collection (a server, a cluster, or local mode)."""
