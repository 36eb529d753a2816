"""The reader: from retrieved passages to a short answer, or to abstaining.

No packaged model reads spans (SQuAD-style) offline, so the short answer is the sentence of the best
passage that is closest to the question; it is always a verbatim slice of a quoted passage.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from embeddings.encoder import Encoder
from embeddings.passages import sentence_spans

# Below this cosine the best passage is judged unrelated and the engine abstains (all-MiniLM-L6-v2 scale).
MIN_RELEVANCE = 0.3


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    score: float


def best_sentence(encoder: Encoder, question_vector: np.ndarray, passage: str) -> Sentence:
    """The sentence of `passage` most similar to the question, as offsets into the passage."""
    spans = sentence_spans(passage)
    if len(spans) == 1:
        start, end = spans[0]
        return Sentence(start, end, 1.0)
    vectors = encoder.encode([passage[start:end] for start, end in spans])
    scores = vectors @ question_vector
    best = int(np.argmax(scores))
    return Sentence(spans[best][0], spans[best][1], float(scores[best]))
