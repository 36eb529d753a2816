"""Following feeds into the corpus: new items saved as articles the corpus parser reads, nothing fetched twice,
and every bad feed or page reported by name while the rest is saved."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.feed_server import BAD_PATHS, bridge, town
from embeddings.feeds.fetch import add_page, fetch_feeds, save_upload
from embeddings.feeds.ledger import MAX_ATTEMPTS, Ledger
from embeddings.feeds.page import escape
from embeddings.feeds.web import FetchError, Limits, PoliteClient
from embeddings.ingest.corpus import scan
from embeddings.ingest.parsing import UnreadableFile, parse_bytes
from embeddings.ingest.parsing.markdown import parse_markdown

FAST = Limits(max_bytes=1_000_000, seconds=2, redirects=3)


def fetch(site, corpus: Path, *feeds: str, lines: list[str] | None = None):
    with PoliteClient(FAST) as client:
        return fetch_feeds([site.base + feed for feed in feeds], corpus, client, log=(lines if lines is not None else []).append)


def corpus_articles(corpus: Path):
    return [article for file in scan(corpus) for article in parse_bytes(file.read()[0], file.name, print)]


def test_new_rss_items_are_saved_as_articles_with_title_outlet_date_url_and_author(site, tmp_path):
    report = fetch(site, tmp_path, "/rss.xml")
    assert len(report.added) == 5 and not report.failed
    articles = {article.title: article for article in corpus_articles(tmp_path)}
    first = articles[f"{town(0)} opens the {bridge(0)}"]
    assert first.outlet == "Local Herald" and first.date.isoformat() == "2026-11-01"
    assert first.url == f"{site.base}/articles/0.html"
    assert first.paragraphs[0].startswith(f"The town of {town(0)} opened a new footbridge")
    assert len(first.paragraphs) == 4 and not any("All rights reserved" in text for text in first.paragraphs)
    saved = (tmp_path / report.added[0].file).read_text()
    assert "author: Jo Reporter" in saved and f"feed: {site.base}/rss.xml" in saved
    assert report.added[0].passages == 4 and report.added[0].file.startswith("feeds/127-0-0-1/2026-11-01-")


def test_a_second_fetch_downloads_no_page_again_and_a_repeated_item_is_fetched_once(site, tmp_path):
    fetch(site, tmp_path, "/rss.xml")  # the RSS feed lists every item twice
    assert sorted(site.pages()) == sorted(f"/articles/{n}.html" for n in range(5))
    site.requests.clear()
    again = fetch(site, tmp_path, "/rss.xml")
    assert again.added == [] and again.already == 5 and site.pages() == []


def test_an_atom_feed_and_an_item_with_known_text_at_another_address(site, tmp_path):
    fetch(site, tmp_path, "/rss.xml")
    site.atom_items = ["/articles/7.html", "/moved/2"]  # /moved/2 redirects to an article already saved
    lines: list[str] = []
    report = fetch(site, tmp_path, "/atom.xml", lines=lines)
    assert [added.title for added in report.added] == [f"{town(7)} opens the {bridge(7)}"]
    assert report.already == 1 and not report.failed
    assert f"skipped {site.base}/moved/2: same text as {site.base}/articles/2.html, already in the corpus" in lines
    assert sorted(Ledger.load(tmp_path).hashes.values()) == sorted(f"{site.base}/articles/{n}.html" for n in (0, 1, 2, 3, 4, 7))
    assert len(list(tmp_path.rglob("*.md"))) == 6


def test_bad_pages_are_reported_by_name_and_the_good_ones_still_saved(site, tmp_path):
    site.rss_items = ["/articles/0.html", *BAD_PATHS, "/slow.html", "/articles/1.html"]
    report = fetch(site, tmp_path, "/rss.xml")
    assert len(report.added) == 2
    reasons = dict(line.split(": ", 1) for line in report.failed)
    assert reasons[f"{site.base}/broken.html"].startswith("HTTP 500")
    assert reasons[f"{site.base}/huge.html"].startswith("too large")
    assert reasons[f"{site.base}/loop"].startswith("too many redirects")
    assert reasons[f"{site.base}/report.pdf"].startswith("not an HTML page (application/pdf)")
    assert reasons[f"{site.base}/private/secret.html"].startswith("robots.txt does not allow")
    assert reasons[f"{site.base}/slow.html"].startswith("too slow")
    assert "/private/secret.html" not in site.requests  # robots.txt was read first and obeyed
    assert all(reason.endswith("(will retry next time)") for reason in reasons.values())


def test_a_failed_page_is_retried_next_time_and_given_up_after_a_few_attempts(site, tmp_path):
    site.rss_items = ["/articles/3.html"]
    site.broken.add("/articles/3.html")
    assert fetch(site, tmp_path, "/rss.xml").failed
    site.broken.clear()
    assert [added.title for added in fetch(site, tmp_path, "/rss.xml").added] == [f"{town(3)} opens the {bridge(3)}"]
    site.rss_items = ["/broken.html"]
    for attempt in range(1, MAX_ATTEMPTS + 1):
        [failed] = fetch(site, tmp_path, "/rss.xml").failed
        assert failed.endswith("(will retry next time)" if attempt < MAX_ATTEMPTS else f"(gave up after {attempt} attempts)")
    site.requests.clear()
    assert fetch(site, tmp_path, "/rss.xml").failed == [] and site.pages() == []


def test_bad_feeds_are_reported_by_name_and_noted_in_the_ledger(site, tmp_path):
    report = fetch(site, tmp_path, "/missing.xml", "/articles/1.html", "/loop", "/rss.xml")
    bad = ("/missing.xml", "/articles/1.html", "/loop")
    assert [line.split(": ")[0] for line in report.failed] == [f"feed {site.base}{path}" for path in bad]
    assert "HTTP 404" in report.failed[0] and "not an RSS or Atom feed" in report.failed[1]
    assert len(report.added) == 5
    feeds = Ledger.load(tmp_path).feeds
    assert feeds[f"{site.base}/rss.xml"]["title"] == "Local Herald" and feeds[f"{site.base}/rss.xml"]["added"] == 5
    assert feeds[f"{site.base}/missing.xml"]["error"].startswith("HTTP 404")


def test_add_page_saves_one_article_and_refuses_it_twice(site, tmp_path):
    added = add_page(f"{site.base}/articles/4.html", tmp_path, PoliteClient(FAST))
    assert added.title == f"{town(4)} opens the {bridge(4)}" and added.passages == 4 and added.file.startswith("added/")
    with pytest.raises(FetchError, match="already in the corpus"):
        add_page(f"{site.base}/articles/4.html", tmp_path, PoliteClient(FAST))
    with pytest.raises(FetchError, match="not a web address"):
        add_page("file:///etc/passwd", tmp_path, PoliteClient(FAST))


def test_an_uploaded_file_is_checked_before_it_is_saved(tmp_path):
    added = save_upload("../../Harbour news.txt", b"Harbour reopens\n\nThe harbour reopened on Monday after repairs.\n", tmp_path)
    assert added.file == "added/uploads/Harbour-news.txt" and added.title == "Harbour reopens" and added.passages == 1
    assert (tmp_path / added.file).is_file()
    with pytest.raises(UnreadableFile, match="already in the corpus"):
        save_upload("copy.txt", b"Harbour reopens\n\nThe harbour reopened on Monday after repairs.\n", tmp_path)
    with pytest.raises(UnreadableFile, match=r"only \.html, \.htm, \.txt, \.md files"):
        save_upload("story.pdf", b"%PDF", tmp_path)
    with pytest.raises(UnreadableFile, match="binary"):
        save_upload("story.txt", b"\x00\x01\x02 binary", tmp_path)


@pytest.mark.parametrize(
    "text", ["1. A *starred* _word_ [link](x) <b> &amp; \\ `code` ~ | # tag", "# not a heading", "- not a list", "> not a quote"]
)
def test_saved_text_reads_back_verbatim(text):
    [article] = parse_markdown(f"# Title\n\n{escape(text)}\n", "a.md")
    assert article.paragraphs == [text]
