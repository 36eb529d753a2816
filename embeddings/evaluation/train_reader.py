"""`python -m embeddings.evaluation.train_reader`: learn the weights the reader scores candidate answers with.

Only dev material is used: questions about the first 24 articles of SQuAD v1.1 dev (in file order; every SQuAD
figure we report is on the other 24) read from their gold paragraph, and the RealTime QA dev split read from what
the engine retrieves in a news index. The model is a softmax over each question's candidates (the answer among
its rivals), one weight per feature of embeddings/qa/candidates.py, fitted by gradient descent with L2. It
writes embeddings/qa/candidate_weights.json (or --out) and prints how often the top candidate is right.

    python -m embeddings.evaluation.train_reader --squad ../shared/data/squad-v1.1-dev \\
        --realtimeqa ../shared/data/realtimeqa/extractive-2022.jsonl --realtimeqa-index /tmp/rtqa/index
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from embeddings.evaluation.metrics import token_f1
from embeddings.evaluation.qa_sets import load_qa, load_realtimeqa, sample, training_articles
from embeddings.models.encoder import load_encoder
from embeddings.qa.candidates import FEATURES, WEIGHTS_FILE
from embeddings.qa.engine import Engine, shared_reranker, shared_span_head, shared_tagger
from embeddings.qa.reader import Reader
from embeddings.settings import Settings

RIGHT_F1 = 0.6  # a candidate this close to a gold answer (token F1) counts as right


@dataclass
class Group:
    """One question's candidates: their features and which of them are right."""

    features: np.ndarray
    right: np.ndarray


def groups_for(
    reader: Reader, question: str, passages: Sequence[str], titles: Sequence[str], golds: Sequence[str]
) -> Group | None:
    """The candidates the reader would weigh for this question, labelled; None when none is right."""
    _, _, candidates = reader.candidates(question, list(passages), titles)
    texts = [passages[c.sentence.passage][c.start : c.end] for c in candidates]
    right = np.array([max(token_f1(text, gold) for gold in golds) >= RIGHT_F1 for text in texts], dtype=bool)
    if not right.any():
        return None
    return Group(np.stack([c.features for c in candidates]), right)


def squad_groups(reader: Reader, folder: Path, count: int, seed: int) -> list[Group]:
    first = training_articles(folder)
    items = [item for item in load_qa(folder / "questions.jsonl", folder / "articles.jsonl") if item.article in first]
    groups = []
    for item in sample(items, count, seed):
        group = groups_for(reader, item.question, [item.paragraph], [item.title], item.answers)
        if group is not None:
            groups.append(group)
    return groups


def realtimeqa_groups(engine: Engine, questions: Path) -> list[Group]:
    groups = []
    for item in load_realtimeqa(questions, split="dev"):
        relevant = [r for r in engine.rank(item.question, 15) if r.score >= engine.on_topic]
        if not relevant:
            continue
        read = engine.reading(item.question, relevant)
        group = groups_for(engine.reader, item.question, [s.quote for s in read], [s.title for s in read], item.answers)
        if group is not None:
            groups.append(group)
    return groups


def fit(groups: list[Group], l2: float = 0.01, steps: int = 2000, rate: float = 0.5) -> np.ndarray:
    """Weights maximising the log-probability of the right candidates under a softmax within each question."""
    features = np.concatenate([g.features for g in groups]).astype(np.float64)
    target = np.concatenate([g.right / g.right.sum() for g in groups])
    starts = np.cumsum([0] + [len(g.right) for g in groups[:-1]])
    owner = np.repeat(np.arange(len(groups)), [len(g.right) for g in groups])
    weights = np.zeros(len(FEATURES))
    for _ in range(steps):
        logits = features @ weights
        logits -= np.maximum.reduceat(logits, starts)[owner]
        p = np.exp(logits)
        p /= np.add.reduceat(p, starts)[owner]
        weights -= rate * (features.T @ (p - target) / len(groups) + l2 * weights)
    return weights


def accuracy(groups: list[Group], weights: np.ndarray) -> float:
    return float(np.mean([g.right[int(np.argmax(g.features @ weights))] for g in groups])) if groups else 0.0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m embeddings.evaluation.train_reader", description=__doc__.split("\n\n")[0])
    parser.add_argument("--squad", type=Path, metavar="DIR", help="SQuAD v1.1 dev folder (articles.jsonl, questions.jsonl)")
    parser.add_argument("--squad-questions", type=int, default=1500, metavar="N", help="sample of its training questions")
    parser.add_argument("--realtimeqa", type=Path, metavar="FILE", help="RealTime QA extractive-2022.jsonl (dev split used)")
    parser.add_argument(
        "--realtimeqa-index", type=Path, metavar="DIR", help="an index of the RealTime QA corpus (evaluate builds one)"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=WEIGHTS_FILE, help="where to write the weights (default: the shipped file)")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    groups: list[Group] = []
    if args.squad:
        encoder = load_encoder(settings.model, precision=settings.precision, cache_dir=settings.cache)
        reader = Reader(encoder, shared_reranker(), shared_tagger(), span_head=shared_span_head())
        groups += squad_groups(reader, args.squad, args.squad_questions, args.seed)
        print(f"SQuAD: {len(groups)} questions with a right candidate", file=sys.stderr)
    if args.realtimeqa and args.realtimeqa_index:
        engine = Engine(Settings.from_env(index=args.realtimeqa_index))
        news = realtimeqa_groups(engine, args.realtimeqa)
        print(f"RealTime QA dev: {len(news)} questions with a right candidate", file=sys.stderr)
        groups += news * 4  # few news questions: weigh them like 4x as many, so news style counts beside SQuAD's
    if not groups:
        parser.error("nothing to train on: give --squad and/or --realtimeqa with --realtimeqa-index")
    weights = fit(groups)
    print(f"top candidate right: {accuracy(groups, weights):.3f} on the training questions ({len(groups)})")
    note = "learnt by python -m embeddings.evaluation.train_reader (see its docstring); dev material only"
    payload = {"note": note, "weights": {name: round(float(w), 4) for name, w in zip(FEATURES, weights, strict=True)}}
    args.out.write_text(json.dumps(payload, indent=1) + "\n", "utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
