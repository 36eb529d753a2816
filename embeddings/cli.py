"""`python -m embeddings build | evaluate | bench`: build the index and say what changed; measure it.

`bench` lives in the `benchmarks` package (it drives the front ends too); it is imported only when asked for.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from embeddings.errors import NewsQAError
from embeddings.evaluation.evaluate import add_evaluate_command
from embeddings.feeds.cli import add_fetch_command
from embeddings.index.backend import build
from embeddings.index.store import write_failure
from embeddings.models.encoder import load_encoder
from embeddings.options import add_index_arguments, settings_from


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m embeddings", description="Build and inspect the article index.")
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="build or update the index from the corpus")
    add_index_arguments(build)
    build.add_argument("--quiet", action="store_true", help="no progress bar")
    add_evaluate_command(commands)
    add_fetch_command(commands)
    commands.add_parser("bench", add_help=False, help="measure build, search, answer and start-up speed (python -m benchmarks)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    if argv[:1] == ["bench"]:
        from benchmarks.bench import main as bench

        return bench(argv[1:])
    args = build_parser().parse_args(argv)
    if args.command in ("evaluate", "fetch"):
        return args.handler(args)
    try:
        settings = settings_from(args)
        report = build(
            settings,
            load_encoder(settings.model, precision=settings.precision, cache_dir=settings.cache),
            progress=not args.quiet and sys.stderr.isatty(),
        )
    except NewsQAError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except OSError as error:  # a full disk or a read-only folder while building: say so, no traceback
        print(f"error: {write_failure(error)}", file=sys.stderr)
        return 2
    print(report.summary())
    return 0
