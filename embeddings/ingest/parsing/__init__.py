"""Corpus files to articles. One module per format; this one picks by file suffix and reads bytes safely."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from pathlib import Path

from embeddings.errors import NewsQAError
from embeddings.ingest.articles import Article
from embeddings.ingest.parsing.html import parse_html
from embeddings.ingest.parsing.jsonl import parse_jsonl
from embeddings.ingest.parsing.markdown import parse_markdown
from embeddings.ingest.parsing.page_text import parse_page_text

SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".jsonl", ".jsonl.gz")


class UnreadableFile(NewsQAError):
    """A corpus file that cannot be turned into articles; the message says why, for the user."""


def is_article_file(path: Path) -> bool:
    name = path.name.lower()
    return not name.startswith(".") and name.endswith(SUFFIXES)


def decode(data: bytes) -> str:
    """UTF-8 text (a BOM is fine); binary or mis-encoded data raises UnreadableFile."""
    if not data.strip():
        raise UnreadableFile("empty file")
    if b"\x00" in data[:65536]:
        raise UnreadableFile("binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UnreadableFile(f"not UTF-8 text (bad byte at offset {error.start}); save it as UTF-8") from None


def parse_bytes(data: bytes, path: str, report: Callable[[str], None]) -> list[Article]:
    """Articles in one file's bytes; `path` is its corpus-relative name and picks the format."""
    name = path.lower()
    if name.endswith(".gz"):
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as error:
            raise UnreadableFile(f"broken gzip file ({error})") from None
        name = name[:-3]
    text = decode(data)
    try:
        if name.endswith((".html", ".htm")):
            articles = parse_html(text, path)
        elif name.endswith((".md", ".markdown")):
            articles = parse_markdown(text, path)
        elif name.endswith(".jsonl"):
            articles = parse_jsonl(text, path, report)
        else:
            articles = parse_page_text(text, path)
    except (ValueError, RecursionError) as error:
        raise UnreadableFile(str(error) or error.__class__.__name__) from None
    if not articles and not name.endswith(".jsonl"):
        raise UnreadableFile("no article text found (needs a title line and at least one paragraph)")
    return articles
