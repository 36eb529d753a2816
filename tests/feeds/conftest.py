"""The local news site every fetcher test reads from, reached without any proxy."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from benchmarks.feed_server import NewsSite


@pytest.fixture
def site(monkeypatch: pytest.MonkeyPatch) -> Iterator[NewsSite]:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    with NewsSite(articles=5) as news:
        yield news
