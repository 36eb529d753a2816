"""Measuring tools that drive the engine and the front ends: `python -m benchmarks` (or `python -m embeddings bench`)."""
