"""The span head: where in a sentence the answer starts and ends, read from the cross-encoder's token states.

No packaged extractive-QA model loads offline, but the cross-encoder already reads every (question, sentence) pair
the reader scores, and its final token states know which words the question is about. A small MLP over each
state (hidden -> 256 -> start/end logits), trained by `python -m embeddings.evaluation.train_span` on questions
about the first 24 SQuAD dev articles only, turns them into start and end scores at no extra model pass. The
weights (400 KB) ship beside this module.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

WEIGHTS_FILE = Path(__file__).with_name("span_head.npz")
MAX_TOKENS = 15  # the longest span the head proposes, in word pieces
SPAN = "SPAN"  # the label of a candidate answer the head proposed itself (no entity or noun phrase had its bounds)


def _gelu(x: np.ndarray) -> np.ndarray:
    """GELU, tanh form (as trained)."""
    return 0.5 * x * (1.0 + np.tanh(0.7978845608 * (x + 0.044715 * x**3)))


def log_softmax(values: np.ndarray) -> np.ndarray:
    shifted = values - values.max()
    return shifted - np.log(np.exp(shifted).sum())


class SpanHead:
    """Start and end log-probabilities for each token of a passage, from its cross-encoder states."""

    def __init__(self, weights: dict[str, np.ndarray] | None = None) -> None:
        if weights is None:
            with np.load(WEIGHTS_FILE) as stored:
                weights = {name: stored[name] for name in stored.files}
        self.hidden_w, self.hidden_b = weights["hidden_w"], weights["hidden_b"]
        self.out_w, self.out_b = weights["out_w"], weights["out_b"]

    def log_probs(self, states: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(start, end): log-probabilities, over the passage's tokens, that the answer starts / ends at each."""
        # einsum, not `@`: these products are small, and `@` woke OpenBLAS's threads, whose spinning afterwards cost
        # the cross-encoder's next pass a third more CPU (reader CPU 3.6 -> 5.5 s for 29 questions; einsum 3.8 s).
        hidden = _gelu(np.einsum("td,dh->th", states.astype(np.float32), self.hidden_w) + self.hidden_b)
        logits = np.einsum("th,ho->to", hidden, self.out_w) + self.out_b
        return log_softmax(logits[:, 0]), log_softmax(logits[:, 1])

    def best(self, states: np.ndarray) -> tuple[int, int, float]:
        """The likeliest span (first token, last token, log-probability), at most MAX_TOKENS long."""
        return best_span(*self.log_probs(states))


def best_span(start: np.ndarray, end: np.ndarray) -> tuple[int, int, float]:
    """The likeliest (first token, last token, log-probability) under start/end log-probabilities, first <= last
    and at most MAX_TOKENS apart."""
    pairs = start[:, None] + end[None, :]
    size = len(start)
    allowed = np.triu(np.ones((size, size), dtype=bool)) & ~np.triu(np.ones((size, size), dtype=bool), MAX_TOKENS)
    pairs = np.where(allowed, pairs, -np.inf)
    first, last = np.unravel_index(int(np.argmax(pairs)), pairs.shape)
    return int(first), int(last), float(pairs[first, last])
