"""A fetched page to an article file in the corpus: trafilatura's extraction, saved as Markdown with front matter.

Markdown, because the corpus parser already reads it with its title, date, outlet and url (embeddings.ingest.parsing
.markdown); the text is escaped so that it reads back verbatim, and the author and feed are kept in the front matter.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import replace
from urllib.parse import urlsplit

import yaml

from embeddings.feeds.web import FetchError, Page
from embeddings.ingest.articles import Article
from embeddings.ingest.parsing.html import parse_html
from embeddings.ingest.passages import split_passages

HTML_TYPES = ("text/html", "application/xhtml+xml", "")
_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]<>&~|#])")
_LINE_START = re.compile(r"^(\s*)([#>+=-]|\d+[.)])")
_SLUG = re.compile(r"[^a-z0-9]+")


def article_from_page(page: Page, title: str | None = None, date: dt.date | None = None, author: str | None = None) -> Article:
    """The article on a fetched HTML page; `title`, `date`, `author` (from the feed) fill what the page lacks.

    Raises FetchError naming the problem: not HTML, or no article text found.
    """
    if page.content_type not in HTML_TYPES:
        raise FetchError(f"not an HTML page ({page.content_type})")
    try:
        articles = parse_html(page.text(), page.url, url=page.url)
    except (ValueError, RecursionError) as error:
        raise FetchError(f"unreadable page ({error.__class__.__name__})") from None
    if not articles:
        raise FetchError("no article text found on the page")
    article = articles[0]
    page_title = article.title if article.title != page.url else None
    extra = dict(article.extra)
    if author and not extra.get("author"):
        extra["author"] = author
    return replace(article, title=page_title or title or page.url, date=article.date or date, url=page.url, extra=extra)


def body_hash(article: Article) -> str:
    """The article's text, hashed: the same story at two addresses has the same hash."""
    text = "\n".join(" ".join(block.text.split()) for block in article.blocks)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def escape(text: str) -> str:
    """`text` as a Markdown paragraph that renders back to exactly `text` (one line)."""
    text = _INLINE_SPECIAL.sub(r"\\\1", " ".join(text.split()))
    return _LINE_START.sub(lambda match: match[1] + match[2][:-1] + "\\" + match[2][-1], text)


def to_markdown(article: Article, feed: str | None = None, fetched: dt.datetime | None = None) -> str:
    """The article file: YAML front matter (title, date, source, url, author, feed, fetched), then the body."""
    meta = {
        "title": article.title,
        "date": article.date.isoformat() if article.date else None,
        "source": article.outlet,
        "url": article.url,
        "author": article.extra.get("author"),
        "feed": feed,
        "fetched": (fetched or dt.datetime.now(dt.timezone.utc)).isoformat(timespec="seconds"),
    }
    front = yaml.safe_dump({key: value for key, value in meta.items() if value}, allow_unicode=True, sort_keys=False)
    body = [("## " + escape(block.text)) if block.is_heading else escape(block.text) for block in article.blocks]
    return "---\n" + front + "---\n\n" + "\n\n".join(body) + "\n"


def file_name(article: Article, folder: str = "feeds") -> str:
    """'feeds/<host>/<date>-<title-slug>-<hash>.md', corpus-relative: readable, sorted by date, never colliding."""
    host = _SLUG.sub("-", (urlsplit(article.url or "").hostname or "pages").lower()).strip("-") or "pages"
    slug = _SLUG.sub("-", article.title.lower()).strip("-")[:60].rstrip("-") or "article"
    day = article.date.isoformat() if article.date else "undated"
    digest = hashlib.sha256((article.url or article.title).encode("utf-8")).hexdigest()[:8]
    return f"{folder}/{host}/{day}-{slug}-{digest}.md"


def passage_count(article: Article) -> int:
    return len(split_passages(article))
