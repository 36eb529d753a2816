"""Answers as plain text (console, `ask`) and as JSON (`ask --json`). The Telegram HTML lives in bot/telegram/html.py."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from bot.messages import words
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


def date_note(answer: Answer) -> str:
    """What a relative date in the answer means: " (the week of Jun 17, 2024; the article is dated Jun 24, 2024)", in
    the question's language (a day, a month or a year reads as the citations print dates)."""
    when = answer.answer_date
    if when is None:
        return ""
    said = words(answer.language)
    first, last = dt.date.fromisoformat(when.first), dt.date.fromisoformat(when.last)
    meaning = said.week_of.format(day=display_date(when.first)) if (last - first).days == 6 else when.description
    return f" ({meaning}; {said.dated.format(day=display_date(when.article_date))})"


def answer_line(answer: Answer) -> str:
    """The short answer, with what a relative date in it means. A sentence answer is not repeated here: its quote
    below shows it marked."""
    if answer.answer_type is None:
        return words(answer.language).sentence
    return f"{words(answer.language).answer} {answer.answer}{date_note(answer)}"


def by_article(sources: Sequence[Source]) -> list[list[Source]]:
    """Sources grouped by their article, in the order each article first appears."""
    groups: dict[tuple[str, str | None], list[Source]] = {}
    for source in sources:
        groups.setdefault((source.path, source.title), []).append(source)
    return list(groups.values())


def marked(source: Source, emphasize: Callable[[str], str]) -> str:
    """The quote with every piece of the answer emphasized (the answer's sentence, for a sentence answer)."""
    quote = source.quote
    for start, end in reversed(source.highlights or ([source.highlight] if source.highlight else [])):
        quote = quote[:start] + emphasize(quote[start:end]) + quote[end:]
    return quote


def render_text(answer: Answer, emphasize: Callable[[str], str] = lambda text: text) -> str:
    """The short answer first, then the quotes grouped by article (title, outlet and date once); `emphasize`
    marks the answer inside its quote."""
    said = words(answer.language)
    if answer.abstained:
        return said.abstain
    lines = [answer_line(answer), ""]
    number = 0
    for group in by_article(answer.sources):
        lines.append(citation(group[0]))
        for source in group:
            number += 1
            where = f"{said.paragraph} {source.paragraph}" + (f", {said.under} “{source.heading}”" if source.heading else "")
            lines.append(f"  [{number}] “{marked(source, emphasize)}” ({where})")
        lines.append(f"  {group[0].url or group[0].path}")
        lines.append("")
    return "\n".join(lines).rstrip()


def to_json(answer: Answer) -> dict:
    """The stable `ask --json` object: the result fields plus `text`, the rendered answer."""
    return {**answer.to_dict(), "text": render_text(answer)}
