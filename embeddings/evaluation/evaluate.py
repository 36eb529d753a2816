"""`python -m embeddings evaluate`: retrieval and answer quality on a SQuAD-style QA set, in numbers.

The QA set is two JSON Lines files (the schema of SQuAD v1.1 dev as we keep it):
    articles.jsonl   {"id", "title", "paragraphs": [str]}                (also readable as a corpus)
    questions.jsonl  {"id", "question", "answers": [str], "article": id, "paragraph": index, "split"}

Each question's gold paragraph is mapped to our passages by article title and text containment, so any corpus
that holds those articles (whatever else it holds) can be evaluated. With `--heldout N`, N articles are removed
from a copy of the index and their questions must abstain.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import string
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from embeddings.index.builder import EmptyCorpus, build_index
from embeddings.index.store import IndexNotReady, StoredIndex, open_index
from embeddings.ingest.corpus import CorpusMissing
from embeddings.models.cross_encoder import RerankerUnavailable
from embeddings.models.encoder import Encoder, ModelUnavailable, load_encoder
from embeddings.qa.engine import MODES, Engine
from embeddings.settings import Settings

CUTOFFS = (1, 5, 20)


@dataclass(frozen=True)
class QAItem:
    """One question with the paragraph that answers it."""

    id: str
    question: str
    answers: tuple[str, ...]
    article: str
    title: str
    paragraph: str
    split: str


def load_qa(questions: Path, articles: Path, split: str | None = None, limit: int | None = None) -> list[QAItem]:
    """Questions (of one split, the first `limit`), each with its gold article title and paragraph text."""
    by_id = {}
    for line in articles.read_text("utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            by_id[record["id"]] = record
    items = []
    for line in questions.read_text("utf-8").splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        if split and record.get("split") != split:
            continue
        article = by_id[record["article"]]
        items.append(
            QAItem(
                id=str(record["id"]),
                question=record["question"],
                answers=tuple(record["answers"]),
                article=record["article"],
                title=" ".join(article["title"].split()),
                paragraph=" ".join(article["paragraphs"][record["paragraph"]].split()),
                split=record.get("split", ""),
            )
        )
        if limit and len(items) == limit:
            break
    return items


def gold_rows(index: StoredIndex, items: Sequence[QAItem]) -> list[set[int]]:
    """The passage rows holding each question's gold paragraph: same article title, and one text inside the other.

    A long paragraph is cut into several passages; any of them counts as a hit (as long as it is part of the paragraph).
    """
    titles = {a.id: a.title for a in index.articles()}
    by_title: dict[str, list[tuple[int, str]]] = {}
    for article_id, passages in index.passages_by_article().items():
        by_title.setdefault(titles[article_id], []).extend((p.row, " ".join(p.text.split())) for p in passages)
    golds = []
    for item in items:
        rows = {row for row, text in by_title.get(item.title, []) if text in item.paragraph or item.paragraph in text}
        golds.append(rows)
    return golds


# SQuAD's official answer normalisation: lower case, no punctuation, no articles, single spaces.
def normalize_answer(text: str) -> str:
    text = "".join(ch for ch in text.lower() if ch not in set(string.punctuation))
    text = re.sub(r"\b(a|an|the)\b", " ", text)
    return " ".join(text.split())


def token_f1(prediction: str, gold: str) -> float:
    """SQuAD token F1 between a predicted and a gold answer."""
    predicted, expected = normalize_answer(prediction).split(), normalize_answer(gold).split()
    common = sum((Counter(predicted) & Counter(expected)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(predicted), common / len(expected)
    return 2 * precision * recall / (precision + recall)


def contains_gold(prediction: str, golds: Sequence[str]) -> bool:
    text = normalize_answer(prediction)
    return any(normalize_answer(gold) and normalize_answer(gold) in text for gold in golds)


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))] if ordered else 0.0


@dataclass
class Report:
    """The figures of one evaluated mode; answer fields are None when answers were not evaluated."""

    mode: str
    questions: int
    recall: dict[int, float] = field(default_factory=dict)
    mrr: float = 0.0
    contains_gold: float | None = None
    f1: float | None = None
    sentence_contains_gold: float | None = None
    answerable_abstained: float | None = None
    heldout_questions: int = 0
    heldout_abstained: float | None = None
    latency_p50_ms: float = 0.0
    latency_p95_ms: float = 0.0
    unmapped: int = 0

    def row(self) -> str:
        def cell(value: float | None) -> str:
            return "–" if value is None else f"{value:.3f}"

        return (
            f"| {self.mode} | {self.questions} | "
            + " | ".join(cell(self.recall.get(k)) for k in CUTOFFS)
            + f" | {cell(self.mrr)} | {cell(self.contains_gold)} | {cell(self.f1)} | {cell(self.sentence_contains_gold)}"
            + f" | {cell(self.answerable_abstained)} | {cell(self.heldout_abstained)}"
            + f" | {self.latency_p50_ms:.0f} | {self.latency_p95_ms:.0f} |"
        )


TABLE_HEADER = (
    "| mode | questions | R@1 | R@5 | R@20 | MRR@20 | answer has gold | answer F1 | sentence has gold "
    "| answerable abstained | held-out abstained | p50 ms | p95 ms |\n" + "|---" * 13 + "|"
)


def evaluate_mode(
    engine: Engine,
    items: Sequence[QAItem],
    golds: Sequence[set[int]],
    answers: bool = True,
    heldout_engine: Engine | None = None,
    heldout_items: Sequence[QAItem] = (),
    progress: Callable[[int], None] = lambda done: None,
) -> Report:
    """Rank every question (and answer it, when `answers`); the figures over the questions whose gold was found."""
    report = Report(engine.mode, len(items))
    hits_at = Counter()
    reciprocal = 0.0
    latencies: list[float] = []
    contains = f1 = sentence_contains = abstained = 0.0
    counted = 0
    for number, (item, gold) in enumerate(zip(items, golds, strict=True), start=1):
        if not gold:
            report.unmapped += 1
            continue
        counted += 1
        started = time.perf_counter()
        if answers:
            answer, ranked = engine.ask_ranked(item.question, top_k=1)
        else:
            ranked = engine.rank(item.question, max(CUTOFFS))
        latencies.append(time.perf_counter() - started)
        rows = [hit.row for hit in ranked[: max(CUTOFFS)]]
        rank = next((position for position, row in enumerate(rows, start=1) if row in gold), None)
        if rank is not None:
            reciprocal += 1.0 / rank
            for k in CUTOFFS:
                hits_at[k] += rank <= k
        if answers:
            if answer.abstained:
                abstained += 1
            else:
                contains += contains_gold(answer.answer or "", item.answers)
                f1 += max(token_f1(answer.answer or "", gold_answer) for gold_answer in item.answers)
                top = answer.sources[0]
                sentence = top.quote[top.sentence[0] : top.sentence[1]] if top.sentence else answer.answer or ""
                sentence_contains += contains_gold(sentence, item.answers)
        progress(number)
    counted = max(counted, 1)
    report.recall = {k: hits_at[k] / counted for k in CUTOFFS}
    report.mrr = reciprocal / counted
    if answers:
        report.contains_gold = contains / counted
        report.f1 = f1 / counted
        report.sentence_contains_gold = sentence_contains / counted
        report.answerable_abstained = abstained / counted
    if heldout_engine is not None and heldout_items:
        refused = 0
        for number, item in enumerate(heldout_items, start=len(items) + 1):
            started = time.perf_counter()
            refused += heldout_engine.ask(item.question, top_k=1).abstained
            latencies.append(time.perf_counter() - started)
            progress(number)
        report.heldout_questions = len(heldout_items)
        report.heldout_abstained = refused / len(heldout_items)
    report.latency_p50_ms = 1000 * statistics.median(latencies) if latencies else 0.0
    report.latency_p95_ms = 1000 * percentile(latencies, 0.95)
    return report


def heldout_articles(items: Sequence[QAItem], count: int) -> set[str]:
    """`count` articles spread evenly over the QA set's articles (in order of first question): reproducible."""
    articles = list(dict.fromkeys(item.article for item in items))
    if count <= 0 or not articles:
        return set()
    step = len(articles) / count
    return {articles[int(i * step)] for i in range(min(count, len(articles)))}


def _corpus_folder(corpus: Path, scratch: Path) -> Path:
    """A folder to build from: the folder itself, or one holding a link to a single corpus file."""
    if corpus.is_dir():
        return corpus
    if not corpus.is_file():
        raise CorpusMissing(f"corpus {corpus} does not exist")
    folder = scratch / "corpus"
    folder.mkdir(parents=True, exist_ok=True)
    link = folder / corpus.name
    if not link.exists():
        link.symlink_to(corpus.resolve())
    return folder


def _heldout_index(articles_file: Path, corpus: Path, index: Path, removed: set[str], encoder: Encoder, scratch: Path) -> Path:
    """An index of the corpus without the `removed` articles (by title), built from a copy of the full index.

    The copy lets the incremental build reuse every vector, so no passage is embedded twice.
    """
    titles = set()
    for line in articles_file.read_text("utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            if record["id"] in removed:
                titles.add(" ".join(record["title"].split()))
    folder = scratch / "heldout-corpus"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    files = [corpus] if corpus.is_file() else sorted(p for p in corpus.rglob("*.jsonl"))
    if not files or any(not f.name.endswith(".jsonl") for f in files):
        raise CorpusMissing("--heldout needs a .jsonl corpus (articles are removed by title)")
    for file in files:
        kept = [line for line in file.read_text("utf-8").splitlines() if line.strip() and _title(line) not in titles]
        target = folder / (file.relative_to(corpus) if corpus.is_dir() else file.name)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("\n".join(kept) + "\n", "utf-8")
    heldout = Path(f"{index}-heldout-{len(removed)}")
    if not heldout.exists():
        shutil.copytree(index, heldout, ignore=shutil.ignore_patterns(".build.lock"))
    build_index(folder, heldout, encoder)
    return heldout


def _progress(mode: str, total: int) -> Callable[[int], None]:
    """A progress line on stderr every 50 questions (evaluations with the cross-encoder take minutes)."""

    def report(done: int) -> None:
        if done % 50 == 0 or done == total:
            print(f"{mode}: {done}/{total} questions", file=sys.stderr, flush=True)

    return report


def _title(line: str) -> str:
    record = json.loads(line)
    return " ".join(str(record.get("title") or record.get("headline") or "").split())


def add_evaluate_command(commands: argparse._SubParsersAction) -> None:
    """Register `evaluate` on the `python -m embeddings` parser."""
    parser = commands.add_parser("evaluate", help="measure retrieval and answers on a SQuAD-style QA set")
    parser.add_argument("--questions", required=True, type=Path, metavar="QA.jsonl", help="questions with gold paragraphs")
    parser.add_argument("--articles", type=Path, metavar="FILE", help="the QA set's articles (default: articles.jsonl beside it)")
    parser.add_argument("--corpus", required=True, type=Path, metavar="DIR_OR_FILE", help="corpus to index and search")
    parser.add_argument("--index", type=Path, metavar="DIR", help="index folder to build or reuse (default: a temporary one)")
    parser.add_argument("--model", metavar="NAME_OR_PATH", help="embedding model (env NEWSQA_MODEL)")
    parser.add_argument("--split", choices=["dev", "test"], help="only questions of this split (tune on dev, report test)")
    parser.add_argument("--limit", type=int, metavar="N", help="only the first N questions")
    parser.add_argument("--stride", type=int, default=1, metavar="K", help="every K-th question (a spread sample)")
    parser.add_argument(
        "--mode",
        action="append",
        choices=[*MODES, "all"],
        help="pipeline to evaluate; repeat for several (default: rerank if installed, else hybrid)",
    )
    parser.add_argument(
        "--heldout", type=int, default=0, metavar="N", help="remove N articles from a copy of the index (must abstain)"
    )
    parser.add_argument("--retrieval-only", action="store_true", help="rank only: no answers, no abstention")
    parser.add_argument("--json", action="store_true", help="one JSON object per mode instead of a table")
    parser.set_defaults(handler=run_evaluate)


def run_evaluate(args: argparse.Namespace) -> int:
    articles = args.articles or args.questions.with_name("articles.jsonl")
    for path in (args.questions, articles):
        if not path.is_file():
            print(f"error: {path} does not exist", file=sys.stderr)
            return 2
    settings = Settings.from_env(model=args.model)
    modes = list(dict.fromkeys(args.mode or [Engine.default_mode()]))
    if "all" in modes:
        modes = list(MODES)
    with tempfile.TemporaryDirectory(prefix="newsqa-eval-") as temporary:
        scratch = Path(temporary)
        index_dir = args.index or scratch / "index"
        try:
            encoder = load_encoder(settings.model)
            corpus = _corpus_folder(args.corpus, scratch)
            build_index(corpus, index_dir, encoder, progress=sys.stderr.isatty())
            items = load_qa(args.questions, articles, args.split, None)[:: max(1, args.stride)]
            removed = heldout_articles(items, args.heldout)
            heldout_items = [item for item in items if item.article in removed][: args.limit or None]
            items = [item for item in items if item.article not in removed][: args.limit or None]
            heldout_dir = _heldout_index(articles, args.corpus, index_dir, removed, encoder, scratch) if removed else None
            run_settings = Settings(corpus=corpus, index=index_dir, model=settings.model, top_k=1)
            golds = gold_rows(open_index(index_dir), items)
            reports = []
            for mode in modes:
                engine = Engine(run_settings, encoder, mode=mode)
                heldout_engine = None
                if heldout_dir is not None:
                    heldout_engine = Engine(replace(run_settings, index=heldout_dir), encoder, mode=mode)
                engine.ask("warm up the models")
                total = len(items) + (len(heldout_items) if heldout_engine else 0)
                report = evaluate_mode(
                    engine, items, golds, not args.retrieval_only, heldout_engine, heldout_items, _progress(mode, total)
                )
                reports.append(report)
                if args.json:
                    print(json.dumps(report.__dict__), flush=True)
                else:
                    if len(reports) == 1:
                        print(TABLE_HEADER)
                    print(report.row(), flush=True)
        except (CorpusMissing, EmptyCorpus, IndexNotReady, ModelUnavailable, RerankerUnavailable) as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
    unmapped = reports[0].unmapped if reports else 0
    if unmapped:
        print(f"note: {unmapped} questions had no gold passage in the index and were left out", file=sys.stderr)
    return 0
