"""`python -m embeddings.evaluation.languages QUESTIONS.jsonl`: answer quality per question language.

The set is ours (tests/data/seed_questions_multilingual.jsonl): questions about the seed article translated into
several languages, each with the body paragraph that answers it, or none for an off-topic question that must be
refused, and for the questions whose English twin has a short answer, that answer ("answers"). Per language it
counts the questions answered with the right paragraph first, with it anywhere among the quoted sources, the
abstentions, the short answers given (a phrase, not a sentence) and how many of them are right (one of "answers",
case aside) or wrong (any other phrase: a wrong short answer is worse than a sentence); and the mean time per
question.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from embeddings.index.update import ensure_index
from embeddings.models.encoder import load_encoder
from embeddings.qa.engine import Engine
from embeddings.settings import Settings


@dataclass
class Row:
    """One language's figures."""

    questions: int = 0
    first: int = 0  # the right paragraph is the first source
    quoted: int = 0  # the right paragraph is among the sources
    abstained: int = 0  # of the on-topic questions
    off_topic: int = 0
    refused: int = 0  # of the off-topic questions
    short: int = 0  # answers that are a phrase (answer_type set), not a sentence
    right: int = 0  # of those, one of the item's "answers"
    seconds: list[float] = field(default_factory=list)


def load_questions(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def evaluate(engine: Engine, items: Sequence[dict], top_k: int = 3) -> dict[str, Row]:
    """The figures per language of `items` ({"language", "question", "paragraph": int or null})."""
    rows: dict[str, Row] = {}
    for item in items:
        row = rows.setdefault(item["language"], Row())
        started = time.perf_counter()
        answer = engine.ask(item["question"], top_k=top_k)
        row.seconds.append(time.perf_counter() - started)
        if item["paragraph"] is None:
            row.off_topic += 1
            row.refused += answer.abstained
            continue
        row.questions += 1
        row.abstained += answer.abstained
        paragraphs = [source.paragraph for source in answer.sources]
        row.first += paragraphs[:1] == [item["paragraph"]]
        row.quoted += item["paragraph"] in paragraphs
        if answer.answer_type is not None:
            row.short += 1
            row.right += (answer.answer or "").casefold() in {gold.casefold() for gold in item.get("answers") or []}
    return rows


def table(rows: dict[str, Row]) -> str:
    """A Markdown table, one line per language and one for all but English."""
    lines = [
        "| language | questions | right paragraph first | right paragraph quoted | abstained | off-topic refused "
        "| short answers: given / right / wrong | s/question |",
        "|---|---|---|---|---|---|---|---|",
    ]
    other = Row()
    for language, row in [*rows.items(), ("all but en", other)]:
        if language != "all but en" and language != "en":
            for name in ("questions", "first", "quoted", "abstained", "off_topic", "refused", "short", "right"):
                setattr(other, name, getattr(other, name) + getattr(row, name))
            other.seconds += row.seconds
        share = max(row.questions, 1)
        seconds = sum(row.seconds) / max(len(row.seconds), 1)
        lines.append(
            f"| {language} | {row.questions} | {row.first} ({row.first / share:.0%}) | {row.quoted} ({row.quoted / share:.0%}) "
            f"| {row.abstained} | {row.refused}/{row.off_topic} | {row.short} / {row.right} / {row.short - row.right} "
            f"| {seconds:.3f} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m embeddings.evaluation.languages", description=__doc__.split("\n")[0])
    parser.add_argument("questions", type=Path, help="JSONL: language, question, paragraph (null: off-topic), answers")
    parser.add_argument("--corpus", type=Path, default=Path("corpus"), help="article folder (default ./corpus)")
    parser.add_argument("--index", type=Path, help="index folder (default: NEWSQA_INDEX or ./index)")
    parser.add_argument("--no-multilingual", action="store_true", help="the English-only path, for comparison")
    parser.add_argument("--top", type=int, default=3, help="sources per answer (default 3)")
    args = parser.parse_args(argv)
    settings = Settings.from_env(corpus=args.corpus, index=args.index, multilingual=False if args.no_multilingual else None)
    encoder = load_encoder(settings.model, precision=settings.precision, cache_dir=settings.cache)
    ensure_index(settings, encoder)
    print(table(evaluate(Engine(settings, encoder), load_questions(args.questions), args.top)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
