"""The index flags every command shares (build, fetch, console, ask, telegram), read into Settings one way, and the
same settings written back as flags for a child process (the bot's rebuilds), so a flag given once reaches it."""

from __future__ import annotations

import argparse

from embeddings.settings import BACKENDS, Settings


def add_index_arguments(parser: argparse.ArgumentParser) -> None:
    """--corpus, --index, --model, --no-multilingual, --backend, --collection (each falls back to its NEWSQA_* variable)."""
    parser.add_argument("--corpus", metavar="DIR", help="article folder (default: ./corpus, env NEWSQA_CORPUS)")
    parser.add_argument("--index", metavar="DIR", help="index folder (default: ./index, env NEWSQA_INDEX)")
    parser.add_argument("--model", metavar="NAME_OR_PATH", help="sentence-transformers model (env NEWSQA_MODEL)")
    parser.add_argument(
        "--no-multilingual",
        action="store_true",
        help="no cross-lingual index: English questions only (env NEWSQA_MULTILINGUAL=0)",
    )
    parser.add_argument("--backend", choices=BACKENDS, help="where the index lives (default faiss, env NEWSQA_BACKEND)")
    parser.add_argument("--collection", metavar="NAME", help="qdrant backend: the alias bots read (env NEWSQA_COLLECTION)")


def settings_from(args: argparse.Namespace) -> Settings:
    """The environment's settings, overridden by the flags given (UnknownBackend for a bad NEWSQA_BACKEND)."""
    return Settings.from_env(
        corpus=args.corpus,
        index=args.index,
        model=args.model,
        multilingual=False if args.no_multilingual else None,
        backend=args.backend,
        collection=args.collection,
    )


def index_arguments(settings: Settings) -> list[str]:
    """`settings` as the flags above; what only the environment sets (Qdrant's address, precision) is inherited."""
    flags = ["--corpus", str(settings.corpus), "--index", str(settings.index), "--model", settings.model]
    if not settings.multilingual:
        flags.append("--no-multilingual")
    return [*flags, "--backend", settings.backend, "--collection", settings.collection]
