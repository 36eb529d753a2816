"""Hostile corpus files: whatever the bytes, the parser returns articles or a clear UnreadableFile, never crashes."""

from __future__ import annotations

import gzip
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from embeddings.ingest.parsing import UnreadableFile, parse_bytes
from tests.conftest import SEED

NAMES = ["page.txt", "page.md", "page.html", "feed.jsonl", "feed.jsonl.gz"]
SEED_BYTES = SEED.read_bytes()


def parse_or_reason(data: bytes, name: str) -> None:
    problems: list[str] = []
    try:
        articles = parse_bytes(data, name, problems.append)
    except UnreadableFile as error:
        assert str(error)
        return
    for article in articles:
        assert article.title and article.paragraphs
        assert all(paragraph.strip() for paragraph in article.paragraphs)
    assert all(isinstance(problem, str) and problem for problem in problems)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=4096), name=st.sampled_from(NAMES))
def test_random_bytes_never_crash_the_parser(data, name):
    parse_or_reason(data, name)


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=3000), name=st.sampled_from(NAMES[:4]))
def test_random_text_never_crashes_the_parser(text, name):
    parse_or_reason(text.encode("utf-8"), name)


@settings(max_examples=200, deadline=None)
@given(cut=st.integers(min_value=0, max_value=len(SEED_BYTES)))
def test_truncated_seed_page_parses_or_is_reported(cut):
    parse_or_reason(SEED_BYTES[:cut], "seed.txt")


@settings(max_examples=100, deadline=None)
@given(cut=st.integers(min_value=0, max_value=400))
def test_truncated_gzip_and_html_are_reported_not_fatal(cut):
    feed = gzip.compress(json.dumps({"title": "T", "text": "Body of the article."}).encode())
    parse_or_reason(feed[:cut], "feed.jsonl.gz")
    html = b"<html><head><title>T</title></head><body><article><p>" + b"Text of a paragraph. " * 20 + b"</p></article>"
    parse_or_reason(html[:cut], "page.html")


def test_huge_single_page_is_parsed():
    paragraph = "The committee met again to discuss the budget and the schedule for the next year. " * 12
    text = "Big file\n\n" + "\n\n".join([paragraph] * 50_000)  # ~50 MB
    [article] = parse_bytes(text.encode(), "big.txt", print)
    assert len(article.paragraphs) == 50_000
