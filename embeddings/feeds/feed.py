"""RSS 2.0 and Atom feeds to a list of items (link, title, date, author), read by feedparser from fetched bytes.

The bytes are fetched by web.PoliteClient, so a feed obeys the same limits as a page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import feedparser

from embeddings.feeds.web import FetchError, web_address

MAX_ITEMS = 100  # per feed and fetch: the newest first, as feeds list them


@dataclass(frozen=True)
class FeedItem:
    """One entry of a feed: the article's address and what the feed says about it."""

    url: str
    title: str | None = None
    date: dt.date | None = None
    author: str | None = None


@dataclass(frozen=True)
class Feed:
    url: str
    title: str | None
    items: list[FeedItem]


def _date(entry: feedparser.FeedParserDict) -> dt.date | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    return dt.date(*parsed[:3]) if parsed else None


def read_feed(data: bytes, url: str, max_items: int = MAX_ITEMS) -> Feed:
    """The feed's items with a web link, in feed order, repeats dropped, at most `max_items`.

    Raises FetchError when the bytes are no RSS or Atom feed at all (feedparser reads a damaged one as best it can).
    """
    parsed = feedparser.parse(data, response_headers={"content-location": url})
    if not parsed.get("version") and not parsed.entries:
        reason = parsed.get("bozo_exception")
        raise FetchError(f"not an RSS or Atom feed{f' ({reason})' if reason else ''}"[:300])
    items: list[FeedItem] = []
    seen: set[str] = set()
    for entry in parsed.entries:
        link = entry.get("link") or (entry.get("id") if str(entry.get("id", "")).startswith("http") else None)
        try:
            link = web_address(link or "")
        except FetchError:
            continue
        if link in seen:
            continue
        seen.add(link)
        items.append(FeedItem(link, (entry.get("title") or "").strip() or None, _date(entry), entry.get("author") or None))
        if len(items) >= max_items:
            break
    return Feed(url, (parsed.feed.get("title") or "").strip() or None, items)
