"""`python -m embeddings evaluate`: retrieval and answer quality on a QA set, in numbers.

Two QA-set layouts are read (see qa_sets.py), told apart by their fields: SQuAD's (questions.jsonl + articles.jsonl)
and RealTime QA's (extractive-2022.jsonl, each question with its gold article's text). Each question's gold
paragraph is mapped to our passages by article (title for SQuAD, url for RealTime QA) and text containment, so any
corpus that holds those articles (whatever else it holds) can be evaluated. For RealTime QA, `--corpus` may be the
RealTime QA articles file: the corpus is then the gold articles plus `--others` other articles (realtimeqa.py).
With `--heldout N`, N articles are removed from a copy of the index and their questions must abstain.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from embeddings.errors import NewsQAError
from embeddings.evaluation.backends import agreement, backend_settings, remember_vectors
from embeddings.evaluation.corpora import corpus_folder, heldout_index, realtimeqa_corpus, removed_by, squad_titles
from embeddings.evaluation.metrics import TABLE_HEADER, Report
from embeddings.evaluation.qa_sets import (
    REALTIMEQA,
    SQUAD,
    QAItem,
    detect_layout,
    heldout_articles,
    load_qa,
    load_realtimeqa,
    read_jsonl,
    sample,
)
from embeddings.evaluation.run import DEFAULT_TOP, evaluate_mode, gold_rows
from embeddings.index.backend import build, open_store
from embeddings.index.builder import build_index
from embeddings.models.encoder import Encoder, load_encoder
from embeddings.models.multilingual import shared_multilingual
from embeddings.qa.engine import MODES, Engine
from embeddings.qa.results import Answer
from embeddings.settings import BACKENDS, Settings

DEFAULT_OTHERS = 300  # other news articles beside the RealTime QA gold articles


class OptionError(NewsQAError):
    """An option that does not apply to this QA set, or a file it names is missing."""


def add_evaluate_command(commands: argparse._SubParsersAction) -> None:
    """Register `evaluate` on the `python -m embeddings` parser."""
    parser = commands.add_parser("evaluate", help="measure retrieval and answers on a SQuAD or RealTime QA set")
    parser.add_argument("--questions", required=True, type=Path, metavar="QA.jsonl", help="questions with gold paragraphs")
    parser.add_argument("--articles", type=Path, metavar="FILE", help="the QA set's articles (default: articles.jsonl beside it)")
    parser.add_argument("--corpus", required=True, type=Path, metavar="DIR_OR_FILE", help="corpus to index and search")
    parser.add_argument("--index", type=Path, metavar="DIR", help="index folder to build or reuse (default: a temporary one)")
    parser.add_argument("--model", metavar="NAME_OR_PATH", help="embedding model (env NEWSQA_MODEL)")
    parser.add_argument("--split", choices=["dev", "test"], help="only questions of this split (tune on dev, report test)")
    parser.add_argument("--limit", type=int, metavar="N", help="only the first N questions")
    parser.add_argument("--stride", type=int, default=1, metavar="K", help="every K-th question (a spread sample)")
    parser.add_argument("--sample", type=int, metavar="N", help="N questions drawn at random (after --split and --stride)")
    parser.add_argument("--seed", type=int, default=0, metavar="S", help="random seed of --sample (default 0)")
    parser.add_argument(
        "--articles-from", type=int, default=0, metavar="K", help="SQuAD: skip the first K articles and their questions"
    )
    parser.add_argument(
        "--others",
        type=int,
        metavar="N",
        help=f"RealTime QA with its articles file as --corpus: index the gold articles + N others (default {DEFAULT_OTHERS})",
    )
    parser.add_argument(
        "--mode",
        action="append",
        choices=[*MODES, "all"],
        help="pipeline to evaluate; repeat for several (default: rerank if installed, else hybrid)",
    )
    parser.add_argument(
        "--heldout", type=int, default=0, metavar="N", help="remove N articles from a copy of the index (must abstain)"
    )
    parser.add_argument("--top", type=int, default=DEFAULT_TOP, metavar="K", help=f"sources per answer (default {DEFAULT_TOP})")
    parser.add_argument(
        "--as-asked",
        action="store_true",
        help="ask each question as of the day it was asked (RealTime QA's quiz date): later articles left out, "
        "'this week' counted back from that day",
    )
    parser.add_argument(
        "--translations",
        type=Path,
        metavar="FILE.jsonl",
        help='the questions asked in another language: {"question_id" or "id", "question"} a line; each replaces the '
        "question of that id (questions without one are left out) and the index gets its cross-lingual part",
    )
    parser.add_argument("--retrieval-only", action="store_true", help="rank only: no answers, no abstention")
    parser.add_argument("--json", action="store_true", help="one JSON object per mode instead of a table")
    parser.add_argument("--answers", type=Path, metavar="FILE.jsonl", help="also write each question's answer and measures")
    parser.add_argument(
        "--backend",
        action="append",
        choices=BACKENDS,
        help="index backend; repeat for both (the corpus is embedded once, answers compared) (default: env NEWSQA_BACKEND)",
    )
    parser.set_defaults(handler=run_evaluate)


def run_evaluate(args: argparse.Namespace) -> int:
    if not args.questions.is_file():
        print(f"error: {args.questions} does not exist", file=sys.stderr)
        return 2
    try:
        layout = detect_layout(args.questions)
        articles = _check_layout_options(args, layout)
        records: list[dict] = []
        with tempfile.TemporaryDirectory(prefix="newsqa-eval-") as temporary:
            reports = _evaluate(args, layout, articles, Path(temporary), records)
    except NewsQAError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.answers is not None:
        args.answers.write_text("".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records), "utf-8")
    unmapped = reports[0].unmapped if reports else 0
    if unmapped:
        print(f"note: {unmapped} questions had no gold passage in the index and were left out", file=sys.stderr)
    return 0


def _check_layout_options(args: argparse.Namespace, layout: str) -> Path | None:
    """The SQuAD articles file (None for RealTime QA), after checking the options fit the layout."""
    if args.top < 1:
        raise OptionError("--top must be at least 1")
    if args.answers is not None and args.retrieval_only:
        raise OptionError("--answers writes answers: not with --retrieval-only")
    if args.translations is not None and not args.translations.is_file():
        raise OptionError(f"{args.translations} does not exist")
    if args.translations is not None and (args.retrieval_only or args.heldout or (args.backend or ["faiss"]) != ["faiss"]):
        raise OptionError("--translations is answered by the cross-lingual path: not with --retrieval-only, --heldout or qdrant")
    if layout == REALTIMEQA:
        if args.articles_from:
            raise OptionError("--articles-from applies to the SQuAD layout only")
        return None
    if args.others is not None:
        raise OptionError("--others applies to the RealTime QA layout only")
    articles = args.articles or args.questions.with_name("articles.jsonl")
    if not articles.is_file():
        raise OptionError(f"{articles} does not exist")
    return articles


def _evaluate(args: argparse.Namespace, layout: str, articles: Path | None, scratch: Path, records: list[dict]) -> list[Report]:
    """Build (or update) the index of each backend, pick the questions, and print one report per mode and backend as soon
    as it is done; with two backends, how often their answers show the same top source. Each question's answer record
    (run.answer_record) is appended to `records`, named by its mode."""
    settings = Settings.from_env(model=args.model)
    if args.translations is not None:
        settings = replace(settings, multilingual=True)  # translated questions are what the cross-lingual path is for
    modes = list(dict.fromkeys(args.mode or [Engine.default_mode()]))
    if "all" in modes:
        modes = list(MODES)
    backends = list(dict.fromkeys(args.backend or [settings.backend]))
    if args.heldout and backends != ["faiss"]:
        raise OptionError("--heldout works with the faiss backend only")
    index_dir = args.index or scratch / "index"
    encoder = load_encoder(settings.model, precision=settings.precision, cache_dir=settings.cache)
    if len(backends) > 1:
        remember_vectors(encoder)  # the second backend's build reuses the first one's vectors
    if layout == REALTIMEQA:
        corpus, corpus_source = realtimeqa_corpus(
            args.questions, args.corpus, index_dir, DEFAULT_OTHERS if args.others is None else args.others
        )
    else:
        corpus, corpus_source = corpus_folder(args.corpus, scratch), args.corpus
    items, heldout_items, removed = _select_items(args, layout, articles)
    if args.translations is not None:
        items = translated(items, args.translations)
    if args.as_asked and not any(item.asked_on for item in items):
        print("note: --as-asked: these questions do not say when they were asked; they are asked today", file=sys.stderr)
    reports: list[Report] = []
    answered: dict[str, list[list[Answer]]] = {}
    for name in backends:
        run_settings = replace(backend_settings(settings, name, index_dir, scratch), corpus=corpus, top_k=1)
        _build(run_settings, encoder, cross_lingual=args.translations is not None)
        heldout_dir = None
        if removed:
            drop = removed_by(urls=removed) if layout == REALTIMEQA else removed_by(titles=squad_titles(articles, removed))
            heldout_dir = heldout_index(corpus_source, index_dir, drop, len(removed), encoder, scratch, settings)
        golds = gold_rows(open_store(run_settings), items)  # type: ignore[arg-type]
        answered[name] = []
        for mode in modes:
            engine, heldout_engine = _engines(run_settings, encoder, mode, heldout_dir)
            total = len(items) + (len(heldout_items) if heldout_engine else 0)
            answered[name].append([])
            found: list[dict] = []
            report = evaluate_mode(
                engine, items, golds, not args.retrieval_only, heldout_engine, heldout_items, _progress(mode, total), args.top,
                answered[name][-1], args.as_asked, found,
            )  # fmt: skip
            report.mode = f"{mode} ({name})" if len(backends) > 1 else mode
            records.extend({"mode": report.mode, **record} for record in found)
            reports.append(report)
            _print(report, args.json, first=len(reports) == 1)
    if len(backends) == 2 and not args.retrieval_only:
        for mode, first, second in zip(modes, *answered.values(), strict=True):
            print(f"{mode}: same top source on {backends[0]} and {backends[1]}: {agreement(first, second):.4f}", flush=True)
    return reports


def _build(settings: Settings, encoder: Encoder, cross_lingual: bool = False) -> None:
    """Build or update the index the settings name (FAISS exactly as before backends existed; with its cross-lingual
    part for questions in other languages)."""
    if settings.backend == "faiss":
        build_index(
            settings.corpus,
            settings.index,
            encoder,
            progress=sys.stderr.isatty(),
            exact_max_rows=settings.exact_max_rows,
            nprobe=settings.nprobe,
            multilingual=shared_multilingual() if cross_lingual else None,
        )
    else:
        build(settings, encoder, progress=sys.stderr.isatty())


def _select_items(args: argparse.Namespace, layout: str, articles: Path | None) -> tuple[list[QAItem], list[QAItem], set[str]]:
    """(questions about indexed articles, questions about held-out articles, held-out articles).

    Order: the split (and SQuAD's --articles-from), then --stride, --sample, the held-out articles, --limit.
    """
    if layout == SQUAD:
        items = load_qa(args.questions, articles, args.split, None, args.articles_from)
    else:
        items = load_realtimeqa(args.questions, args.split)
    items = sample(items[:: max(1, args.stride)], args.sample, args.seed)
    removed = heldout_articles(items, args.heldout)
    heldout_items = [item for item in items if item.article in removed][: args.limit or None]
    items = [item for item in items if item.article not in removed][: args.limit or None]
    return items, heldout_items, removed


def translated(items: list[QAItem], path: Path) -> list[QAItem]:
    """The items that `path` translates, each with its question in the other language (the gold stays English)."""
    questions: dict[str, str] = {}
    try:
        records = list(read_jsonl(path))
    except (ValueError, UnicodeDecodeError) as error:
        raise OptionError(f"{path} is not JSON lines: {error}") from error
    for number, record in enumerate(records, 1):
        key = record.get("question_id", record.get("id")) if isinstance(record, dict) else None
        if key is None or not isinstance(record.get("question"), str) or not record["question"].strip():
            raise OptionError(f'{path}, record {number}: wants a "question_id" (or "id") and a non-empty "question"')
        questions[str(key)] = record["question"]
    kept = [replace(item, question=questions[item.id]) for item in items if item.id in questions]
    if len(kept) < len(items):
        print(f"note: {len(items) - len(kept)} of {len(items)} questions have no translation and were left out", file=sys.stderr)
    return kept


def _engines(settings: Settings, encoder: Encoder, mode: str, heldout_dir: Path | None) -> tuple[Engine, Engine | None]:
    """The engine of one mode on the index (warmed up), and one on the held-out index when there is one."""
    engine = Engine(settings, encoder, mode=mode)
    heldout_engine = None
    if heldout_dir is not None:
        heldout_engine = Engine(replace(settings, index=heldout_dir), encoder, mode=mode)
    engine.ask("warm up the models")
    return engine, heldout_engine


def _print(report: Report, as_json: bool, first: bool) -> None:
    if as_json:
        print(json.dumps(report.__dict__), flush=True)
        return
    if first:
        print(TABLE_HEADER)
    print(report.row(), flush=True)


def _progress(mode: str, total: int) -> Callable[[int], None]:
    """A progress line on stderr every 50 questions (evaluations with the cross-encoder take minutes)."""

    def report(done: int) -> None:
        if done % 50 == 0 or done == total:
            print(f"{mode}: {done}/{total} questions", file=sys.stderr, flush=True)

    return report
