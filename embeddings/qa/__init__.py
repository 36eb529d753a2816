"""Answering a question: retrieve -> rerank -> read -> choose sources, joined by the Engine (DrQA's pipeline)."""
