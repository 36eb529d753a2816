"""One fetch: read the feeds, download the pages not seen before, save each article into the corpus.

Also the two ways an admin adds one article by hand: a page's address (add_page) or a file's bytes (save_upload).
Every problem is reported by name (feed or page url, file name) and the run goes on.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from embeddings.feeds.feed import MAX_ITEMS, FeedItem, read_feed
from embeddings.feeds.ledger import MAX_ATTEMPTS, Ledger
from embeddings.feeds.page import article_from_page, body_hash, file_name, passage_count, to_markdown
from embeddings.feeds.web import FetchError, PoliteClient, web_address
from embeddings.ingest.articles import Article
from embeddings.ingest.parsing import UnreadableFile, parse_bytes

MAX_FEED_BYTES = 5_000_000
UPLOAD_SUFFIXES = (".html", ".htm", ".txt", ".md")


class SameText(FetchError):
    """The page's article is already in the corpus under another address: nothing to retry."""


@dataclass(frozen=True)
class Added:
    """An article saved into the corpus: what a user is told about it."""

    file: str
    title: str
    date: dt.date | None
    url: str | None
    passages: int

    def line(self) -> str:
        when = self.date.isoformat() if self.date else "undated"
        return f"added {self.file}: {self.title} ({when}, {self.passages} passage{'' if self.passages == 1 else 's'})"


@dataclass
class FetchReport:
    """What a fetch did; seconds spent downloading and extracting, for the benchmark."""

    added: list[Added] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    already: int = 0
    download_seconds: float = 0.0
    extract_seconds: float = 0.0

    def lines(self) -> list[str]:
        lines = [added.line() for added in self.added] + [f"failed {problem}" for problem in self.failed]
        lines.append(f"{len(self.added)} new, {self.already} already fetched, {len(self.failed)} failed")
        return lines


def write_atomically(path: Path, data: bytes) -> None:
    """Write via a hidden temporary file, so a build running meanwhile never reads half an article."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def _save(article: Article, corpus: Path, ledger: Ledger, asked: str, folder: str, feed: str | None) -> Added:
    """Save a fetched article unless its text is already in the corpus (FetchError naming the copy)."""
    content = body_hash(article)
    if content in ledger.hashes:
        first = ledger.hashes[content]
        ledger.saved([asked, article.url or asked], ledger.pages.get(first, {}).get("file", ""), content, article.title)
        raise SameText(f"same text as {first}, already in the corpus")
    name = file_name(article, folder)
    write_atomically(corpus / name, to_markdown(article, feed).encode("utf-8"))
    ledger.saved([asked, article.url or asked], name, content, article.title)
    return Added(name, article.title, article.date, article.url, passage_count(article))


def _fetch_item(client: PoliteClient, item: FeedItem, report: FetchReport) -> Article:
    started = time.perf_counter()
    try:
        page = client.get(item.url)
    finally:
        report.download_seconds += time.perf_counter() - started
    started = time.perf_counter()
    try:
        return article_from_page(page, item.title, item.date, item.author)
    finally:
        report.extract_seconds += time.perf_counter() - started


def fetch_feeds(
    feeds: list[str], corpus: Path, client: PoliteClient, max_items: int = MAX_ITEMS, log: Callable[[str], None] = print
) -> FetchReport:
    """Every new item of every feed, saved under corpus/feeds/<host>/; `log` hears each line as it happens."""
    report = FetchReport()
    with Ledger.opened(corpus) as ledger:
        for feed_url in feeds:
            try:
                feed = read_feed(client.get(feed_url, MAX_FEED_BYTES).body, web_address(feed_url), max_items)
            except FetchError as error:
                ledger.checked(feed_url, None, str(error), 0)
                report.failed.append(f"feed {feed_url}: {error}")
                log(f"failed feed {feed_url}: {error}")
                continue
            before = len(report.added)
            for item in feed.items:
                if ledger.known(item.url):
                    report.already += 1
                    continue
                try:
                    added = _save(_fetch_item(client, item, report), corpus, ledger, item.url, "feeds", feed_url)
                except SameText as error:
                    report.already += 1
                    log(f"skipped {item.url}: {error}")
                    continue
                except FetchError as error:
                    attempts = ledger.failed(item.url, str(error))
                    retry = "will retry next time" if attempts < MAX_ATTEMPTS else f"gave up after {attempts} attempts"
                    report.failed.append(f"{item.url}: {error} ({retry})")
                    log(f"failed {report.failed[-1]}")
                    continue
                report.added.append(added)
                log(added.line())
            ledger.checked(feed_url, feed.title, None, len(report.added) - before)
    return report


def add_page(url: str, corpus: Path, client: PoliteClient) -> Added:
    """One page, by address, saved under corpus/added/<host>/; FetchError says why not (already there included)."""
    url = web_address(url)
    with Ledger.opened(corpus) as ledger:
        if url in ledger.pages:
            raise FetchError(f"already in the corpus as {ledger.pages[url]['file']}")
        article = article_from_page(client.get(url))
        return _save(article, corpus, ledger, url, "added", None)


def save_upload(name: str, data: bytes, corpus: Path) -> Added:
    """A sent file, checked to be a readable article, saved under corpus/added/uploads/; UnreadableFile says why not."""
    safe = "".join(char if char.isalnum() or char in "-_." else "-" for char in Path(name).name).lstrip(".-") or "upload"
    if not safe.lower().endswith(UPLOAD_SUFFIXES):
        raise UnreadableFile(f"{name}: only {', '.join(UPLOAD_SUFFIXES)} files can be added")
    relative = f"added/uploads/{safe}"
    articles = parse_bytes(data, relative, lambda problem: None)
    article = articles[0]
    with Ledger.opened(corpus) as ledger:
        content = body_hash(article)
        if content in ledger.hashes:
            raise UnreadableFile(f"{name}: the same text is already in the corpus ({ledger.hashes[content]})")
        path = corpus / relative
        stem, suffix = os.path.splitext(safe)
        counter = 1
        while path.exists():
            counter += 1
            relative = f"added/uploads/{stem}-{counter}{suffix}"
            path = corpus / relative
        write_atomically(path, data)
        ledger.saved([f"upload:{relative}"], relative, content, article.title)
    return Added(relative, article.title, article.date, article.url, passage_count(article))
