"""The local console: ask questions in a terminal and read answers with their quoted sources."""

from __future__ import annotations

import atexit
import contextlib
import sys
from pathlib import Path

from bot.render import render_text
from embeddings import Asked, Engine

PROMPT = "question> "
HISTORY_FILE = Path.home() / ".newsqa_history"
_BOLD, _RESET = "\033[1m", "\033[0m"


def _enable_history() -> None:
    """Arrow-key editing and a history kept across sessions, where readline exists."""
    try:
        import readline
    except ImportError:
        return
    with contextlib.suppress(OSError):
        readline.read_history_file(HISTORY_FILE)

    atexit.register(lambda: _save_history(readline))


def _save_history(readline: object) -> None:
    try:
        readline.set_history_length(1000)  # type: ignore[attr-defined]
        readline.write_history_file(HISTORY_FILE)  # type: ignore[attr-defined]
    except OSError:
        pass


def run_console(engine: Engine, top_k: int, asked: Asked | None = None) -> int:
    """Read questions until EOF or 'quit'; follow-up questions use the earlier ones as context."""
    interactive = sys.stdin.isatty()
    if interactive:
        engine.warm_up_in_background()  # the models load while the user types the first question
        _enable_history()
        info = engine.info()
        print(f"Ask about {info.articles} articles ({info.passages} passages). Empty line for help, Ctrl-D to quit.")
    emphasize = (lambda text: f"{_BOLD}{text}{_RESET}") if sys.stdout.isatty() else (lambda text: text)
    history: list[str] = []
    while True:
        try:
            question = input(PROMPT if interactive else "")
        except EOFError:
            if interactive:
                print()
            return 0
        except KeyboardInterrupt:
            print()
            return 0
        question = question.strip()
        if question.lower() in {"quit", "exit", ":q"}:
            return 0
        if not question:
            print('Type a question about the articles, e.g. "who signed the pact?"')
            continue
        answer = engine.ask(question, top_k=top_k, history=history, asked=asked)
        history.append(question)
        print(render_text(answer, emphasize))
        print()
