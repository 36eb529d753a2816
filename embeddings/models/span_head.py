"""The span head: where in a sentence the answer starts and ends, read on from the cross-encoder's token states.

No packaged extractive-QA model loads offline, but the cross-encoder already reads every (question, sentence) pair
the reader scores. Its layers above STATES_LAYER, fine-tuned to mark answers with a small MLP on top (trained by
`python -m embeddings.evaluation.train_span` on questions about the first 24 SQuAD dev articles only), read the
states it leaves there on to start and end scores: one short pass over the few sentences searched, no second
reading of the question. The INT8 ONNX model (~7 MB) ships beside this module and runs with onnxruntime, on one
thread by default like the cross-encoder (the bot answers one question per core; docs/bursts.md).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from embeddings.models.cross_encoder import STATES_LAYER, PairReading
from embeddings.models.onnx import cpu_session

MODEL_FILE = Path(__file__).with_name("span_head.onnx")
MAX_TOKENS = 15  # the longest span the head proposes, in word pieces
SPAN = "SPAN"  # the label of a candidate answer the head proposed itself (no entity or noun phrase had its bounds)
BATCH = 8  # readings per run: sentences are short, so padding stays small


def log_softmax(values: np.ndarray) -> np.ndarray:
    shifted = values - values.max()
    return shifted - np.log(np.exp(shifted).sum())


class SpanHead:
    """Start and end log-probabilities for each passage token of cross-encoder readings; loads on first use and is
    safe to share between threads."""

    def __init__(self, model: Path = MODEL_FILE, threads: int = 1) -> None:
        self.model = model
        self.threads = threads
        self._session: Any = None
        self._says_no_answer = False
        self._lock = threading.Lock()

    def _load(self) -> Any:
        with self._lock:
            if self._session is None:
                session = cpu_session(self.model, threads=self.threads, spinning=False)
                reads = session.get_modelmeta().custom_metadata_map.get("reads_layer")
                if reads != str(STATES_LAYER):
                    raise ValueError(
                        f"{self.model} reads the cross-encoder's layer {reads}, but it gives layer {STATES_LAYER}: "
                        "retrain it with python -m embeddings.evaluation.train_span"
                    )
                # A head trained with sentences that do not answer (train_span --negatives) scores "not here" at [CLS].
                self._says_no_answer = session.get_modelmeta().custom_metadata_map.get("no_answer") == "1"
                self._session = session
            return self._session

    def log_probs(self, readings: Sequence[PairReading]) -> list[tuple[np.ndarray, np.ndarray]]:
        """Per reading (start, end): log-probabilities that the answer starts / ends at each of its passage's tokens.
        For a head trained to say "no answer in this passage" (its [CLS] score), the rest of the mass is that, so a
        sentence that does not answer scores low everywhere. Every reading needs states (CrossEncoder.read gives
        them)."""
        session = self._load()
        found = []
        for at in range(0, len(readings), BATCH):
            batch = readings[at : at + BATCH]
            tokens = max(len(r.states) for r in batch if r.states is not None)
            states = np.zeros((len(batch), tokens, batch[0].states.shape[1]), dtype=np.float32)  # type: ignore[union-attr]
            mask = np.zeros((len(batch), tokens), dtype=np.float32)
            for row, reading in enumerate(batch):
                assert reading.states is not None
                states[row, : len(reading.states)] = reading.states
                mask[row, : len(reading.states)] = 1.0
            (logits,) = session.run(["logits"], {"states": states, "mask": mask})
            skip = 1 if self._says_no_answer else 0  # [CLS]'s share, "no answer here", is left out of every span
            for row, reading in enumerate(batch):
                if not reading.passage_tokens:  # the passage was cut away entirely (a very long question)
                    found.append((np.zeros(0), np.zeros(0)))
                    continue
                chosen = logits[row, [0, *reading.passage_tokens][1 - skip :]]
                found.append((log_softmax(chosen[:, 0])[skip:], log_softmax(chosen[:, 1])[skip:]))
        return found

    def best(self, reading: PairReading) -> tuple[int, int, float]:
        """The likeliest span of one reading (first and last passage token, log-probability), at most MAX_TOKENS."""
        return best_span(*self.log_probs([reading])[0])


def best_span(start: np.ndarray, end: np.ndarray) -> tuple[int, int, float]:
    """The likeliest (first token, last token, log-probability) under start/end log-probabilities, first <= last
    and at most MAX_TOKENS apart."""
    pairs = start[:, None] + end[None, :]
    size = len(start)
    allowed = np.triu(np.ones((size, size), dtype=bool)) & ~np.triu(np.ones((size, size), dtype=bool), MAX_TOKENS)
    pairs = np.where(allowed, pairs, -np.inf)
    first, last = np.unravel_index(int(np.argmax(pairs)), pairs.shape)
    return int(first), int(last), float(pairs[first, last])
