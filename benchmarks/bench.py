"""`python -m benchmarks` (or `python -m embeddings bench`): how fast the index builds, answers and starts, in one run.

Every figure is printed next to a baseline measured in the same run (the machine is shared, so absolute
timings drift; ratios hold):

- encode: the model's raw rate in fp32 and at the chosen precision, and the cosine between their vectors;
- build: a full build's passages/s against the raw encode rate on the same passages (the pipeline's overhead),
  an unchanged rebuild, a one-article change, the build's peak RSS;
- search and answers: FAISS alone (the index type in use against exact search, with its recall), and
  `Engine.ask` from question to `Answer` per retrieval mode, as p50/p95/p99;
- start: a fresh `python -m bot ask` process to its printed answer, and the Telegram bot to ready and to
  its first answer (against a stub Bot API), next to what `import sentence_transformers` alone costs;
- SQuAD-open (with --squad): R@5 of dense retrieval in fp32, at the chosen precision, and quantized; and
  the peer row, txtai `Embeddings` with the same model (with --peer-python, run in its own venv).

The corpus is a folder, or a .jsonl[.gz] file from which the first --limit-paragraphs passages' articles are
copied into the work folder; the bench never modifies a folder it was given (it copies it).

This module parses the flags and runs the measurements in order; each kind lives in its own module: report.py
(the printed and saved figures, percentiles, timing), corpus.py (the bench's copy of the corpus, its texts and
questions), encode_build.py (encode rates, builds, rebuilds), search.py (FAISS alone, `Engine.ask`, the
million-row index), cold_start.py (fresh processes) and squad.py (SQuAD-open and the txtai peer). The children it
starts come back here (`python -m benchmarks.bench --build-child | --search-child`) or run
`python -m benchmarks.cold_start`, `python -m embeddings build` and `python -m bot`.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from benchmarks.backends import measure_backends
from benchmarks.cold_start import measure_start
from benchmarks.corpus import dense_texts, load_questions, prepare_corpus
from benchmarks.encode_build import build_child, encode_rates, measure_build, measure_many_files, measure_random_build
from benchmarks.report import Report, peak_rss_mib
from benchmarks.search import engine_modes, measure_answers, measure_million, measure_search, search_child
from benchmarks.squad import measure_squad
from embeddings.index.dense import index_kind
from embeddings.ingest.corpus import scan
from embeddings.models.encoder import choose_precision, load_encoder, native_bf16
from embeddings.settings import Settings


def bench_settings(args: argparse.Namespace) -> Settings:
    """The model (--model, else the default), and the encoder's and the index's settings: --precision, else the
    environment's, and the environment's cache, exact_max_rows and nprobe (Settings.from_env)."""
    given = Settings.from_env(precision=args.precision)
    return Settings(
        model=args.model or Settings().model,
        precision=given.precision,
        cache=given.cache,
        exact_max_rows=given.exact_max_rows,
        nprobe=given.nprobe,
    )


def run_bench(args: argparse.Namespace) -> int:
    """The child modes (--build-child, --search-child), else the run: the corpus's figures, then SQuAD-open's."""
    settings = bench_settings(args)
    if args.build_child:
        build_child(replace(settings, corpus=Path(args.build_child[0]), index=Path(args.build_child[1])))
        return 0
    if args.search_child:
        search_child(Path(args.search_child[0]), Path(args.search_child[1]))
        return 0
    if args.backends:
        return _run_backends(args, settings)
    if not args.corpus and not args.squad:
        print("error: give --corpus (and/or --squad for SQuAD-open alone)", file=sys.stderr)
        return 2
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    work = Path(args.work or tempfile.mkdtemp(prefix="newsqa-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    report = Report(Path(args.json) if args.json else None)
    precision = choose_precision(settings.precision)
    if args.corpus:
        run_corpus(args, report, work, settings, precision)
    if args.squad:
        peer = Path(args.peer_python) if args.peer_python else None
        measure_squad(report, Path(args.squad), settings, precision, work, args.squad_questions, peer)
    if args.corpus:
        report.line("done", f"peak RSS of the bench process {peak_rss_mib():.0f} MiB")
    report.save()
    return 0


def _run_backends(args: argparse.Namespace, settings: Settings) -> int:
    """`--backends faiss,qdrant`: the same SQuAD-open figures on each backend, side by side (backends.py)."""
    if not args.squad:
        print("error: --backends needs --squad DIR", file=sys.stderr)
        return 2
    work = Path(args.work or tempfile.mkdtemp(prefix="newsqa-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    report = Report(Path(args.json) if args.json else None)
    backends = args.backends.split(",")
    from_env = Settings.from_env()  # where Qdrant is: QDRANT_URL / QDRANT_PATH (else local mode in the work folder)
    settings = replace(
        settings, qdrant_url=from_env.qdrant_url, qdrant_api_key=from_env.qdrant_api_key, qdrant_path=from_env.qdrant_path
    )
    measure_backends(report, settings, work, Path(args.squad), args.squad_questions, backends, args.rebuild_articles)
    report.save()
    return 0


def run_corpus(args: argparse.Namespace, report: Report, work: Path, settings: Settings, precision: str) -> None:
    """Encode, build, search, answer and start figures on the --corpus, in that order."""
    source = Path(args.corpus)
    corpus = prepare_corpus(source, work, args.limit_paragraphs)
    texts = dense_texts(corpus)
    settings = replace(settings, corpus=corpus, index=Path(args.index) if args.index else work / "index")
    model = settings.model
    report.line(
        "corpus",
        f"{source} -> {corpus}: {len(scan(corpus))} files, {len(texts)} passages; work folder {work}",
        passages=len(texts),
    )
    report.line(
        "encoder",
        f"{model}; precision {precision} (setting {settings.precision}, "
        f"native bf16: {native_bf16()}); index type at this size: {index_kind(len(texts), settings.exact_max_rows)}",
    )

    sample = random.Random(5).sample(texts, min(len(texts), args.raw_sample))
    encoder = load_encoder(model, precision=precision, cache_dir=settings.cache)
    if not args.skip_encode:
        _, _ = encode_rates(report, settings, sample[: args.compare_sample], precision)
    if args.skip_build:
        pass
    elif args.random_vectors:
        measure_random_build(report, settings, encoder.dimension)
    else:
        measure_build(report, settings, sample, encoder)
    questions = load_questions(Path(args.questions) if args.questions else None, corpus, args.queries)
    queries = measure_search(report, settings.index, encoder, questions)
    modes = args.modes.split(",") if args.modes else [m for m in engine_modes() if m in ("dense", "hybrid", "rerank")]
    measure_answers(report, settings, encoder, questions, modes, answer_all=args.random_vectors)
    if not args.skip_start:
        measure_start(report, settings, questions[0], telegram=not args.no_telegram)
    if args.rebuild_articles:
        measure_many_files(report, settings, work, args.rebuild_articles, encoder.dimension)
    if args.scale_rows:
        measure_million(report, settings, args.scale_rows, queries, work)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--corpus", metavar="PATH", help="corpus folder, or a .jsonl[.gz] file to take a subset of")
    parser.add_argument("--limit-paragraphs", type=int, metavar="N", help="subset size in passages (for a .jsonl[.gz] corpus)")
    parser.add_argument(
        "--questions", metavar="FILE", help="questions: JSON lines with 'question', or one per line (default: article titles)"
    )
    parser.add_argument("--queries", type=int, default=200, metavar="N", help="questions to time (default 200)")
    parser.add_argument("--work", metavar="DIR", help="work folder (default: a new temporary folder); reused when given again")
    parser.add_argument("--index", metavar="DIR", help="index folder (default: WORK/index); an existing one skips the full build")
    parser.add_argument("--model", metavar="NAME_OR_PATH", help="sentence-transformers model (env NEWSQA_MODEL)")
    parser.add_argument("--precision", choices=("auto", "bf16", "fp32"), help="bulk encoding precision (env NEWSQA_PRECISION)")
    parser.add_argument(
        "--raw-sample", type=int, default=3000, metavar="N", help="passages for the raw encode rate (default 3000)"
    )
    parser.add_argument(
        "--compare-sample",
        type=int,
        default=1000,
        metavar="N",
        help="passages for the fp32 vs accelerated comparison (default 1000)",
    )
    parser.add_argument("--modes", metavar="LIST", help="Engine modes to time, comma-separated (default: dense,hybrid,rerank)")
    parser.add_argument(
        "--scale-rows",
        type=int,
        metavar="N",
        help="also build an N-passage index (e.g. 1000000) from the "
        "real vectors plus noise, and measure its memory, latency and recall",
    )
    parser.add_argument(
        "--rebuild-articles", type=int, metavar="N", help="also time rebuilds over N one-file articles (e.g. 10000)"
    )
    parser.add_argument("--squad", metavar="DIR", help="SQuAD v1.1 dev folder (articles.jsonl, questions.jsonl) for R@5")
    parser.add_argument("--squad-questions", type=int, default=2000, metavar="N", help="SQuAD questions to use (default 2000)")
    parser.add_argument("--peer-python", metavar="PYTHON", help="python of a venv with txtai, for the peer row")
    parser.add_argument(
        "--backends", metavar="LIST", help="e.g. faiss,qdrant: the SQuAD-open figures (--squad) on each backend, side by side"
    )
    parser.add_argument("--skip-start", action="store_true", help="skip the cold-start processes")
    parser.add_argument("--no-telegram", action="store_true", help="skip the Telegram cold start")
    parser.add_argument("--skip-encode", action="store_true", help="skip the fp32 vs accelerated encode comparison")
    parser.add_argument(
        "--random-vectors",
        action="store_true",
        help="index random vectors instead of embeddings: latency and rebuild "
        "timing at sizes the model cannot embed in time (recall figures are then meaningless)",
    )
    parser.add_argument("--skip-build", action="store_true", help="skip builds (the index must exist)")
    parser.add_argument("--json", metavar="FILE", help="also write every figure to FILE as JSON")
    parser.add_argument("--build-child", nargs=2, metavar=("CORPUS", "INDEX"), help=argparse.SUPPRESS)
    parser.add_argument("--search-child", nargs=2, metavar=("INDEX", "QUERIES"), help=argparse.SUPPRESS)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=(__doc__ or "").split("\n\n")[0])
    add_arguments(parser)
    return run_bench(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
