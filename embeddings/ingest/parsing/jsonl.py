"""JSON Lines: one article per line, `title` and `text` (blank-line paragraphs) or `paragraphs`."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from embeddings.ingest.articles import Article, Block
from embeddings.ingest.parsing.dates import parse_date

_BLANK_LINES = re.compile(r"\n\s*\n")


def _paragraphs(record: dict) -> list[str]:
    paragraphs = record.get("paragraphs")
    if isinstance(paragraphs, list):
        return [" ".join(str(p).split()) for p in paragraphs if str(p).strip()]
    text = record.get("text") or record.get("body") or ""
    if not isinstance(text, str):
        return []
    parts = _BLANK_LINES.split(text) if _BLANK_LINES.search(text) else text.split("\n")
    return [" ".join(part.split()) for part in parts if part.strip()]


def _first(record: dict, *keys: str) -> str | None:
    for key in keys:
        value = record.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def parse_jsonl(text: str, path: str, report: Callable[[str], None]) -> list[Article]:
    """Parse every line; a bad line is reported (with its number) and skipped, not the whole file."""
    articles = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            report(f"{where}: not valid JSON ({error.msg})")
            continue
        if not isinstance(record, dict):
            report(f"{where}: expected a JSON object")
            continue
        paragraphs = _paragraphs(record)
        title = _first(record, "title", "headline")
        if not title or not paragraphs:
            report(f"{where}: needs a 'title' and a non-empty 'text' or 'paragraphs'")
            continue
        articles.append(
            Article(
                title=" ".join(title.split()),
                blocks=tuple(Block(p) for p in paragraphs),
                path=path,
                source_id=f"{path}#{number}",
                outlet=_first(record, "source", "outlet", "publisher"),
                date=parse_date(_first(record, "date", "publish_date", "published")),
                url=_first(record, "url", "link"),
            )
        )
    return articles
