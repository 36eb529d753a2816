"""`python -m bot console | ask | telegram`: the command-line front ends (a public, scriptable contract)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from bot.console import run_console
from bot.render import render_text, to_json
from bot.session import open_engine
from bot.telegram.cli import add_telegram_command  # flags and config only: python-telegram-bot loads when the bot starts
from embeddings import DEFAULT_TOP_K, Asked, Engine, NewsQAError, write_failure
from embeddings.options import add_index_arguments, settings_from

EMPTY_QUESTION_HINT = 'Please ask a question, e.g. "who signed the pact?"'


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot", description="Answer questions about news articles, with quoted sources."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    console = commands.add_parser("console", help="interactive questions in the terminal")
    add_index_arguments(console)
    console.add_argument("--top", type=int, metavar="K", help=f"sources per answer (default {DEFAULT_TOP_K})")
    _add_as_of(console)

    ask = commands.add_parser("ask", help="answer one question (or one per line on stdin) and exit")
    add_index_arguments(ask)
    ask.add_argument("--json", action="store_true", help="print one JSON object per question")
    ask.add_argument("--top", type=int, metavar="K", help=f"sources per answer (default {DEFAULT_TOP_K})")
    _add_as_of(ask)
    ask.add_argument("question", nargs="*", help="the question; read from stdin, one per line, when omitted")

    add_telegram_command(commands, add_index_arguments)
    return parser


def _as_of(text: str) -> Asked:
    try:
        return Asked.as_of_day(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date: write it as YYYY-MM-DD, e.g. 2022-07-08") from None


def _add_as_of(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--as-of",
        type=_as_of,
        metavar="YYYY-MM-DD",
        help="answer as the news stood on that day: later articles are left out, 'this week' counts back from it "
        "(default: today, every article)",
    )


def _print_answer(engine: Engine, question: str, top_k: int | None, as_json: bool, asked: Asked | None = None) -> None:
    if not question.strip():
        if as_json:
            print(json.dumps({"question": question, "error": EMPTY_QUESTION_HINT}, ensure_ascii=False))
        else:
            print(EMPTY_QUESTION_HINT)
        return
    answer = engine.ask(question, top_k=top_k, asked=asked)
    if as_json:
        print(json.dumps(to_json(answer), ensure_ascii=False), flush=True)
    else:
        print(render_text(answer), end="\n\n", flush=True)


def run_ask(engine: Engine, args: argparse.Namespace) -> int:
    if args.question:
        _print_answer(engine, " ".join(args.question), args.top, args.json, args.as_of)
        return 0
    for line in sys.stdin:
        _print_answer(engine, line.strip(), args.top, args.json, args.as_of)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if getattr(args, "top", None) is not None and args.top < 1:
        print("error: --top must be at least 1", file=sys.stderr)
        return 2
    try:
        settings = settings_from(args)
        if args.command == "telegram":
            return args.run(settings, args)
        engine = open_engine(settings)
        if args.command == "console":
            return run_console(engine, args.top or settings.top_k, args.as_of)
        return run_ask(engine, args)
    except NewsQAError as error:  # a missing or empty corpus, an unusable index, the model gone: the message says what to do
        print(f"error: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    except OSError as error:  # a full disk or a read-only folder while building: say so, no traceback
        print(f"error: {write_failure(error)}", file=sys.stderr)
        return 2
