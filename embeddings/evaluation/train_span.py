"""`python -m embeddings.evaluation.train_span`: train the span head (models/span_head.py) on SQuAD dev questions.

Only questions about the first 24 articles of SQuAD v1.1 dev (file order) are read; every figure we report for
the reader is on the other 24. Each question is paired, as the reader pairs it, with "<title>. <the sentence
holding its answer>"; the cross-encoder's token states after layer STATES_LAYER are the inputs, and the answer's
first and last word pieces the targets (a softmax over the pair's passage tokens each). The model (span_model.py:
the cross-encoder's layers above, copied and fine-tuned, with an MLP on top) is written as INT8 ONNX to
embeddings/models/span_head.onnx (or --out); the command then prints exact match and token F1 of that file's best
span on held-out sentences (questions about the other 24 articles, given the right sentence). ~6 minutes on 2 cores.

`--negatives N` adds, per question, N sentences of its paragraph that do not hold the answer, with [CLS] as their
target: the head learns "no answer here" (the file records it, and SpanHead then leaves that mass out of every
span), so its scores compare across sentences. Measured in docs/quality.md; the shipped head is trained without.

`--validate K` is how settings are chosen: it trains on the training articles but the last K, prints the scores on
those K (given the answer's sentence, and among all the sentences of its paragraph) and writes nothing.
`--device cuda` trains on a GPU (seconds instead of minutes).

    python -m embeddings.evaluation.train_span --squad ../shared/data/squad-v1.1-dev
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from embeddings.evaluation.metrics import best_f1, exact_match
from embeddings.evaluation.qa_sets import TRAIN_ARTICLES, QAItem, load_qa, training_articles
from embeddings.evaluation.span_model import export, span_model
from embeddings.ingest.passages import sentence_spans
from embeddings.models.cross_encoder import CrossEncoder, PairReading, model_folder
from embeddings.models.span_head import MODEL_FILE, SpanHead, best_span

BATCH = 32
NO_ANSWER = -1  # an Example's start and end when its sentence does not hold the answer: the target is [CLS]


@dataclass
class Example:
    """One question's reading of a sentence, the answer's first and last passage token in it (NO_ANSWER when the
    sentence does not hold it), the texts to score."""

    reading: PairReading
    start: int
    end: int
    text: str
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


def unanswering(item: QAItem, count: int, rng: random.Random) -> list[str]:
    """Up to `count` other sentences of the question's paragraph, framed like the answer's, that hold no gold answer:
    the head learns to say "not here" on them, so its scores compare across the sentences the reader searches."""
    prefix = f"{item.title}. "
    others = [
        prefix + item.paragraph[start:end]
        for start, end in sentence_spans(item.paragraph)
        if not any(answer in item.paragraph[start:end] for answer in item.answers)
    ]
    return rng.sample(others, min(count, len(others)))


def examples(
    reranker: CrossEncoder, items: Sequence[QAItem], negatives: int = 0, seed: int = 0, batch: int = 64
) -> list[Example]:
    """The questions whose answer lies inside one sentence, read by the cross-encoder as the reader reads them, each
    with up to `negatives` sentences of its paragraph that do not answer it."""
    rng = random.Random(seed)
    found = []
    for at in range(0, len(items), batch):
        chosen = [(item, frame) for item in items[at : at + batch] if (frame := framed(item)) is not None]
        chosen += [(item, (text, NO_ANSWER, NO_ANSWER)) for item, _ in list(chosen) for text in unanswering(item, negatives, rng)]
        for question, group in _by_question(chosen):
            readings = reranker.read(question, [frame[0] for _, frame in group])
            for (item, (text, begin, end)), reading in zip(group, readings, strict=True):
                if reading.states is None:
                    continue
                if begin == NO_ANSWER:
                    found.append(Example(reading, NO_ANSWER, NO_ANSWER, text, list(item.answers)))
                    continue
                tokens = [k for k, (left, right) in enumerate(reading.offsets) if right > begin and left < end]
                if tokens:
                    found.append(Example(reading, tokens[0], tokens[-1], text, list(item.answers)))
        print(f"read {min(at + batch, len(items))}/{len(items)}", file=sys.stderr, flush=True)
    return found


Framed = tuple[QAItem, tuple[str, int, int]]


def _by_question(chosen: list[Framed]) -> list[tuple[str, list[Framed]]]:
    """The framed examples grouped by question: the cross-encoder reads one question with many texts at a time."""
    groups: dict[str, list[Framed]] = {}
    for item, frame in chosen:
        groups.setdefault(item.question, []).append((item, frame))
    return list(groups.items())


def train(train_set: list[Example], epochs: int, rate: float, seed: int, device: str = "cpu") -> Any:
    """The span model fine-tuned on the examples: AdamW, the layers at `rate` and the new MLP at 10x, decaying
    linearly; batches of similar lengths. `device` is torch's ("cuda" trains in seconds); the model comes back on
    the CPU, ready to export."""
    import torch

    model = span_model(model_folder() / "model.onnx", seed).to(device)
    layers = list(model.layers.parameters())
    head = [p for name, p in model.named_parameters() if not name.startswith("layers.")]
    optimizer = torch.optim.AdamW([{"params": layers, "lr": rate}, {"params": head, "lr": 10 * rate}], weight_decay=0.01)
    order = sorted(range(len(train_set)), key=lambda i: len(train_set[i].reading.states))  # type: ignore[arg-type]
    batches = [order[at : at + BATCH] for at in range(0, len(order), BATCH)]
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1.0 - step / (epochs * len(batches)))
    shuffle = random.Random(seed)
    no_answer = any(example.start == NO_ANSWER for example in train_set)  # [CLS] may then be chosen: "not here"
    model.train()
    for epoch in range(epochs):
        shuffle.shuffle(batches)
        for batch in batches:
            states, mask, passage, targets = (t.to(device) for t in _tensors([train_set[i] for i in batch], no_answer))
            logits = model(states, mask).masked_fill(~passage[..., None], -10000.0)
            loss = sum(torch.nn.functional.cross_entropy(logits[..., column], targets[:, column]) for column in (0, 1))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
        print(f"epoch {epoch + 1}/{epochs}", file=sys.stderr, flush=True)
    return model.cpu()


def _tensors(batch: list[Example], no_answer: bool) -> tuple[Any, Any, Any, Any]:
    """Padded states, their mask, which tokens may be chosen (the passage's, and [CLS] for "no answer here" when
    `no_answer`), and each example's start/end token in the pair."""
    import torch

    width = max(len(e.reading.states) for e in batch)  # type: ignore[arg-type]
    states = torch.zeros(len(batch), width, batch[0].reading.states.shape[1])  # type: ignore[union-attr]
    mask = torch.zeros(len(batch), width)
    passage = torch.zeros(len(batch), width, dtype=torch.bool)
    targets = torch.zeros(len(batch), 2, dtype=torch.long)
    for row, example in enumerate(batch):
        reading = example.reading
        states[row, : len(reading.states)] = torch.from_numpy(reading.states.astype(np.float32))  # type: ignore[union-attr]
        mask[row, : len(reading.states)] = 1.0  # type: ignore[arg-type]
        passage[row, [0, *reading.passage_tokens] if no_answer else list(reading.passage_tokens)] = True
        if example.start != NO_ANSWER:
            targets[row] = torch.tensor([reading.passage_tokens[example.start], reading.passage_tokens[example.end]])
    return states, mask, passage, targets


def score(head: SpanHead, tests: list[Example]) -> tuple[float, float]:
    """Exact match and token F1 of the head's best span against the gold answers (SQuAD normalisation), on the
    sentences that hold one."""
    tests = [example for example in tests if example.start != NO_ANSWER]
    exact = f1 = 0.0
    for example, (start, end) in zip(tests, head.log_probs([e.reading for e in tests]), strict=True):
        first, last, _ = best_span(start, end)
        offsets = example.reading.offsets
        guess = example.text[offsets[first][0] : offsets[last][1]]
        exact += exact_match(guess, example.answers)
        f1 += best_f1(guess, example.answers)
    return exact / len(tests), f1 / len(tests)


def paragraph_score(head: SpanHead, reranker: CrossEncoder, items: Sequence[QAItem]) -> tuple[float, float]:
    """Exact match and token F1 of the head's best span among all the sentences of each question's paragraph (each
    framed as the reader frames it): the reader compares the head's scores across the sentences it searches, so a
    head must also say which sentence answers."""
    exact = f1 = 0.0
    for item in items:
        prefix = f"{item.title}. "
        texts = [prefix + item.paragraph[start:end] for start, end in sentence_spans(item.paragraph)]
        readings = reranker.read(item.question, texts)
        best = ("", float("-inf"))
        for text, reading, (start, end) in zip(texts, readings, head.log_probs(readings), strict=True):
            if len(start):
                first, last, score = best_span(start, end)
                if score > best[1]:
                    best = (text[reading.offsets[first][0] : reading.offsets[last][1]], score)
        exact += exact_match(best[0], item.answers)
        f1 += best_f1(best[0], item.answers)
    return exact / max(1, len(items)), f1 / max(1, len(items))


def answer_mass(head: SpanHead, tests: list[Example]) -> tuple[float, float]:
    """The head's mean probability that the answer is in the sentence at all (1 - "no answer here"), on sentences
    that hold it and on sentences that do not."""
    mass: dict[bool, list[float]] = {True: [], False: []}
    for example, (start, end) in zip(tests, head.log_probs([e.reading for e in tests]), strict=True):
        mass[example.start != NO_ANSWER].append(float(np.exp(start).sum() * np.exp(end).sum()) if len(start) else 0.0)
    return tuple(float(np.mean(values)) if values else 0.0 for values in (mass[True], mass[False]))  # type: ignore[return-value]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m embeddings.evaluation.train_span", description=__doc__.split("\n")[0])
    parser.add_argument("--squad", type=Path, required=True, help="folder with SQuAD's articles.jsonl and questions.jsonl")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--rate", type=float, default=1e-4, help="learning rate of the copied layers (the MLP's: 10x)")
    parser.add_argument(
        "--negatives",
        type=int,
        default=0,
        help="sentences of the paragraph that do not answer, per question: the head learns to say 'not here' there",
    )
    parser.add_argument("--test", type=int, default=1500, help="held-out questions scored (about the other articles)")
    parser.add_argument(
        "--validate",
        type=int,
        default=0,
        metavar="K",
        help="choose settings: train on all but the last K training articles, print scores on those K, write nothing",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--device", default="cpu", help="torch device to train on: cpu (~6 minutes on 2 cores) or cuda")
    parser.add_argument("--out", type=Path, default=MODEL_FILE)
    args = parser.parse_args(argv)
    first = training_articles(args.squad)
    items = load_qa(args.squad / "questions.jsonl", args.squad / "articles.jsonl")
    reranker = CrossEncoder()
    if args.validate:
        return validate(args, reranker, [item for item in items if item.article in first])
    train_set = examples(reranker, [item for item in items if item.article in first], args.negatives, args.seed)
    if not train_set:
        parser.error(f"no question about the first {TRAIN_ARTICLES} articles has its answer inside one sentence")
    held_out = [item for item in items if item.article not in first]
    chosen = random.Random(args.seed).sample(held_out, min(args.test, len(held_out)))
    tests = examples(reranker, chosen, 1 if args.negatives else 0, args.seed)
    model = train(train_set, args.epochs, args.rate, args.seed, args.device)
    answering = sum(example.start != NO_ANSWER for example in train_set)
    unanswering_count = len(train_set) - answering
    print(f"trained on {answering} questions about the first {TRAIN_ARTICLES} articles (+ {unanswering_count} other sentences)")
    export(model, args.out, no_answer=args.negatives > 0)
    print(f"wrote {args.out}")
    if tests:
        head = SpanHead(args.out)
        exact, f1 = score(head, tests)
        answered = sum(example.start != NO_ANSWER for example in tests)
        print(f"held-out {answered}: exact match {exact:.3f}, F1 {f1:.3f} (given the answer's sentence)")
        if args.negatives:
            held, other = answer_mass(head, tests)
            print(f"held-out answer mass: {held:.3f} in the answer's sentence, {other:.3f} in another one of its paragraph")
    return 0


def validate(args: argparse.Namespace, reranker: CrossEncoder, items: list[QAItem]) -> int:
    """Train on the training articles but the last `args.validate` (file order) and score on those: settings are
    chosen here, never on the held-out articles whose scores we report."""
    order = list(dict.fromkeys(item.article for item in items))
    kept = set(order[-args.validate :]) if args.validate < len(order) else set()
    if not kept:
        print(f"--validate {args.validate} leaves nothing to train on ({len(order)} training articles)", file=sys.stderr)
        return 2
    train_set = examples(reranker, [item for item in items if item.article not in kept], args.negatives, args.seed)
    checks = [item for item in items if item.article in kept]
    if not train_set or not checks:
        print("--validate needs questions, answered inside one sentence, on both sides of the split", file=sys.stderr)
        return 2
    model = train(train_set, args.epochs, args.rate, args.seed, args.device)
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "head.onnx"
        export(model, target, no_answer=args.negatives > 0)
        head = SpanHead(target)
        exact, f1 = score(head, examples(reranker, checks))
        in_paragraph = paragraph_score(head, reranker, checks)
    print(
        f"validation, {len(checks)} questions about the last {len(kept)} training articles: given the answer's sentence "
        f"exact match {exact:.3f}, F1 {f1:.3f}; among its paragraph's sentences {in_paragraph[0]:.3f}, {in_paragraph[1]:.3f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
