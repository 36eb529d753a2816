"""The reader: from the best passage to a short answer, and the thresholds for abstaining.

No packaged model reads spans (SQuAD-style) offline, so the answer is the sentence of the passage that best
answers the question (scored by the cross-encoder when installed, else by embedding similarity), narrowed to a
name, date or number only where the question type makes that reliable (see span.py). It is always a verbatim
slice of the quoted passage.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from embeddings.ingest.passages import sentence_spans
from embeddings.models.cross_encoder import CrossEncoder
from embeddings.models.encoder import Encoder
from embeddings.qa.span import answer_span

# Abstain when the best passage's final score is below this. Calibrated on SQuAD dev (docs/quality.md):
# with the cross-encoder the score is its probability (0.25 = logit -1.1: answerable dev questions scored
# >= -0.4, questions about held-out articles <= -1.9); without it, the dense cosine (all-MiniLM-L6-v2 scale).
THRESHOLDS = {"rerank": 0.25, "hybrid": 0.3, "rrf": 0.3, "dense": 0.3, "bm25": 0.3}
MIN_RELEVANCE = THRESHOLDS["dense"]


def abstention_threshold(mode: str) -> float:
    return THRESHOLDS[mode]


@dataclass(frozen=True)
class Found:
    """The answer inside a passage: (start, end) of the short answer and of the sentence holding it."""

    start: int
    end: int
    sentence_start: int
    sentence_end: int
    score: float


class Reader:
    """Finds the answering sentence in a passage (and a span within it when sure)."""

    def __init__(self, encoder: Encoder, reranker: CrossEncoder | None = None) -> None:
        self.encoder = encoder
        self.reranker = reranker

    def read(self, question: str, passage: str) -> Found:
        spans = sentence_spans(passage)
        sentences = [passage[start:end] for start, end in spans]
        if len(spans) == 1:
            scores = np.ones(1, dtype=np.float32)
        elif self.reranker is not None:
            scores = self.reranker.score(question, sentences)
        else:
            scores = self.encoder.encode(sentences) @ self.encoder.encode_query(question)
        best = int(np.argmax(scores))
        start, end = spans[best]
        narrowed = answer_span(question, sentences[best])
        if narrowed is None:
            return Found(start, end, start, end, float(scores[best]))
        return Found(start + narrowed[0], start + narrowed[1], start, end, float(scores[best]))
