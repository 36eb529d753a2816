"""Measuring answer quality on QA sets (`python -m embeddings evaluate`)."""
