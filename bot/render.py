"""Answers as plain text (console, `ask`) and as JSON (`ask --json`). The Telegram HTML lives in bot/telegram/html.py."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from embeddings import Answer, Source

ABSTAIN_TEXT = "I couldn't find that in the articles."


def display_date(iso_date: str | None) -> str | None:
    """'2024-06-24' as 'Jun 24, 2024', the way news pages print dates."""
    if not iso_date:
        return None
    try:
        day = dt.date.fromisoformat(iso_date)
    except ValueError:
        return iso_date
    return f"{day:%b} {day.day}, {day.year}"


def citation(source: Source) -> str:
    """'Title, Outlet, Jun 24, 2024': the article named as a reader would cite it."""
    parts = [source.title, source.outlet, display_date(source.date)]
    return ", ".join(part for part in parts if part)


def render_text(answer: Answer, emphasize: Callable[[str], str] = lambda text: text) -> str:
    """The answer, then each quote with its source; `emphasize` marks the answer inside its quote."""
    if answer.abstained:
        return ABSTAIN_TEXT
    lines = [f"Answer: {answer.answer}", ""]
    for number, source in enumerate(answer.sources, start=1):
        quote = source.quote
        if source.highlight:
            start, end = source.highlight
            quote = quote[:start] + emphasize(quote[start:end]) + quote[end:]
        lines.append(f"[{number}] “{quote}”")
        where = f"paragraph {source.paragraph}" + (f", under “{source.heading}”" if source.heading else "")
        lines.append(f"    — {citation(source)} ({where})")
        lines.append(f"      {source.url or source.path}")
        lines.append("")
    return "\n".join(lines).rstrip()


def to_json(answer: Answer) -> dict:
    """The stable `ask --json` object: the result fields plus `text`, the rendered answer."""
    return {**answer.to_dict(), "text": render_text(answer)}
