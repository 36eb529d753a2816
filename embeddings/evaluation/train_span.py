"""`python -m embeddings.evaluation.train_span`: train the span head (models/span_head.py) on SQuAD dev questions.

Only questions about the first 24 articles of SQuAD v1.1 dev (file order) are read; every figure we report for
the reader is on the other 24. Each question is paired, as the reader pairs it, with "<title>. <the sentence
holding its answer>"; the cross-encoder's final token states are the inputs and the answer's first and last
word pieces the targets (a softmax over the pair's passage tokens each). It prints exact match and token F1 of the
head's best span on held-out sentences (questions about the other 24 articles, given the right sentence) and
writes embeddings/models/span_head.npz (or --out).

    python -m embeddings.evaluation.train_span --squad ../shared/data/squad-v1.1-dev
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from embeddings.evaluation.metrics import best_f1, exact_match
from embeddings.evaluation.qa_sets import QAItem, load_qa
from embeddings.evaluation.train_reader import TRAIN_ARTICLES, training_articles
from embeddings.ingest.passages import sentence_spans
from embeddings.models.cross_encoder import CrossEncoder
from embeddings.models.span_head import WEIGHTS_FILE, SpanHead

HIDDEN = 256


@dataclass
class Example:
    """One question's reading of its answer's sentence: token states, the answer's token range, texts to score."""

    states: np.ndarray
    start: int
    end: int
    text: str
    offsets: tuple[tuple[int, int], ...]
    answers: list[str]


def framed(item: QAItem) -> tuple[str, int, int] | None:
    """'<title>. <sentence>' for the sentence holding the first answer (its first occurrence), and the answer's range
    in it."""
    begin = item.paragraph.find(item.answers[0])
    if begin < 0:
        return None
    end_of_answer = begin + len(item.answers[0])
    for start, end in sentence_spans(item.paragraph):
        if start <= begin and end_of_answer <= end:
            prefix = f"{item.title}. "
            return prefix + item.paragraph[start:end], len(prefix) + begin - start, len(prefix) + end_of_answer - start
    return None  # the answer crosses a sentence end


def examples(reranker: CrossEncoder, items: Sequence[QAItem], batch: int = 64) -> list[Example]:
    """The questions whose answer lies inside one sentence, read by the cross-encoder as the reader reads them."""
    found = []
    for at in range(0, len(items), batch):
        chosen = [(item, frame) for item in items[at : at + batch] if (frame := framed(item)) is not None]
        for question, group in _by_question(chosen):
            readings = reranker.read(question, [frame[0] for _, frame in group])
            for (item, (text, begin, end)), reading in zip(group, readings, strict=True):
                tokens = [k for k, (left, right) in enumerate(reading.offsets) if right > begin and left < end]
                if reading.states is not None and tokens:
                    found.append(Example(reading.states, tokens[0], tokens[-1], text, reading.offsets, item.answers))
        print(f"read {min(at + batch, len(items))}/{len(items)}", file=sys.stderr, flush=True)
    return found


Framed = tuple[QAItem, tuple[str, int, int]]


def _by_question(chosen: list[Framed]) -> list[tuple[str, list[Framed]]]:
    """The framed examples grouped by question: the cross-encoder reads one question with many texts at a time."""
    groups: dict[str, list[Framed]] = {}
    for item, frame in chosen:
        groups.setdefault(item.question, []).append((item, frame))
    return list(groups.items())


def train(train_set: list[Example], epochs: int, seed: int) -> dict[str, np.ndarray]:
    import torch

    torch.manual_seed(seed)
    random.seed(seed)
    size = train_set[0].states.shape[1]
    model = torch.nn.Sequential(torch.nn.Linear(size, HIDDEN), torch.nn.GELU(approximate="tanh"), torch.nn.Linear(HIDDEN, 2))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-4)
    order = list(range(len(train_set)))
    for epoch in range(epochs):
        random.shuffle(order)
        for at in range(0, len(order), 32):
            optimizer.zero_grad()
            loss = torch.zeros(())
            for index in order[at : at + 32]:
                example = train_set[index]
                logits = model(torch.from_numpy(example.states.astype(np.float32)))
                for column, target in ((0, example.start), (1, example.end)):
                    loss = loss + torch.nn.functional.cross_entropy(logits[:, column][None], torch.tensor([target]))
            (loss / len(order[at : at + 32])).backward()
            optimizer.step()
        print(f"epoch {epoch + 1}/{epochs}", file=sys.stderr, flush=True)
    first, _, last = model
    return {
        "hidden_w": first.weight.detach().numpy().T.copy(),
        "hidden_b": first.bias.detach().numpy().copy(),
        "out_w": last.weight.detach().numpy().T.copy(),
        "out_b": last.bias.detach().numpy().copy(),
    }


def score(head: SpanHead, tests: list[Example]) -> tuple[float, float]:
    """Exact match and token F1 of the head's best span against the gold answers (SQuAD normalisation)."""
    exact = f1 = 0.0
    for example in tests:
        first, last, _ = head.best(example.states)
        guess = example.text[example.offsets[first][0] : example.offsets[last][1]]
        exact += exact_match(guess, example.answers)
        f1 += best_f1(guess, example.answers)
    return exact / len(tests), f1 / len(tests)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m embeddings.evaluation.train_span", description=__doc__.split("\n")[0])
    parser.add_argument("--squad", type=Path, required=True, help="folder with SQuAD's articles.jsonl and questions.jsonl")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--test", type=int, default=1500, help="held-out questions scored (about the other articles)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=WEIGHTS_FILE)
    args = parser.parse_args(argv)
    first = training_articles(args.squad)
    items = load_qa(args.squad / "questions.jsonl", args.squad / "articles.jsonl")
    reranker = CrossEncoder()
    train_set = examples(reranker, [item for item in items if item.article in first])
    if not train_set:
        parser.error(f"no question about the first {TRAIN_ARTICLES} articles has its answer inside one sentence")
    held_out = [item for item in items if item.article not in first]
    tests = examples(reranker, random.Random(args.seed).sample(held_out, min(args.test, len(held_out))))
    weights = train(train_set, args.epochs, args.seed)
    print(f"trained on {len(train_set)} questions about the first {TRAIN_ARTICLES} articles")
    if tests:
        exact, f1 = score(SpanHead(weights), tests)
        print(f"held-out {len(tests)}: exact match {exact:.3f}, F1 {f1:.3f} (given the answer's sentence)")
    np.savez(args.out, **weights)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
