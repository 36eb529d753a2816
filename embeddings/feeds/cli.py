"""`python -m embeddings fetch`: follow feeds into the corpus, then update the index with what was added."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from embeddings.errors import NewsQAError
from embeddings.feeds.feed import MAX_ITEMS
from embeddings.feeds.fetch import fetch_feeds
from embeddings.feeds.web import MAX_PAGE_BYTES, MAX_REDIRECTS, REQUEST_SECONDS, Limits, PoliteClient
from embeddings.index.store import write_failure
from embeddings.options import add_index_arguments, settings_from
from embeddings.settings import Settings


def read_feed_list(path: Path) -> list[str]:
    """Feed addresses from a file: one per line; blank lines and `#` comments ignored."""
    try:
        lines = path.read_text("utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise NewsQAError(f"cannot read the feed list {path}: {getattr(error, 'strerror', None) or error}") from None
    return [line.split("#", 1)[0].strip() for line in lines if line.split("#", 1)[0].strip()]


def add_fetch_command(commands: argparse._SubParsersAction) -> None:
    fetch = commands.add_parser("fetch", help="fetch new articles from RSS/Atom feeds into the corpus, then update the index")
    fetch.add_argument("--feed", action="append", default=[], metavar="URL", help="an RSS or Atom feed (repeatable)")
    fetch.add_argument("--feeds", metavar="FILE", help="a file listing feed addresses, one per line")
    add_index_arguments(fetch)
    fetch.add_argument("--no-build", action="store_true", help="only save the articles; do not update the index")
    fetch.add_argument("--max-items", type=int, default=MAX_ITEMS, metavar="N", help=f"items per feed (default {MAX_ITEMS})")
    fetch.add_argument("--max-bytes", type=int, default=MAX_PAGE_BYTES, metavar="N", help="largest page (default 3 MB)")
    fetch.add_argument("--timeout", type=float, default=REQUEST_SECONDS, metavar="S", help="seconds per request (default 15)")
    fetch.add_argument("--max-redirects", type=int, default=MAX_REDIRECTS, metavar="N", help="redirects per request (default 5)")
    fetch.set_defaults(handler=run_fetch)


def _build(settings: Settings) -> tuple[str, float]:
    """Update the index; its summary and the seconds spent loading the model (the rest is embedding and writing)."""
    from embeddings.index.backend import build  # the model loads only when there is something to embed
    from embeddings.models.encoder import load_encoder

    started = time.perf_counter()
    encoder = load_encoder(settings.model, precision=settings.precision, cache_dir=settings.cache)
    encoder.encode_bulk(["warm up"])  # loads the model now (it loads lazily): its cost is reported apart from embedding
    loaded = time.perf_counter() - started
    report = build(settings, encoder)
    return report.summary(), loaded


def run_fetch(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    try:
        settings = settings_from(args)
        feeds = [*args.feed, *(read_feed_list(Path(args.feeds)) if args.feeds else [])]
        if not feeds:
            print("error: give at least one --feed URL or a --feeds FILE", file=sys.stderr)
            return 2
        settings.corpus.mkdir(parents=True, exist_ok=True)
        limits = Limits(args.max_bytes, args.timeout, args.max_redirects)
        with PoliteClient(limits) as client:
            report = fetch_feeds(feeds, settings.corpus, client, args.max_items, log=lambda line: print(line, flush=True))
        print(report.lines()[-1])
        fetched = time.perf_counter()
        if report.added and not args.no_build:
            summary, loading = _build(settings)
            print(summary)
            print(
                f"time: download {report.download_seconds:.1f} s, extraction {report.extract_seconds:.1f} s, "
                f"model load {loading:.1f} s, embedding and index {time.perf_counter() - fetched - loading:.1f} s, "
                f"total {time.perf_counter() - started:.1f} s"
            )
    except NewsQAError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"error: {write_failure(error)}", file=sys.stderr)
        return 2
    every_feed_failed = len([line for line in report.failed if line.startswith("feed ")]) == len(feeds)
    return 1 if every_feed_failed else 0
