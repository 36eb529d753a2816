"""`python -m embeddings fetch` as a user runs it, with the real model: fetched, indexed and answerable; a second
fetch downloads and builds nothing; bad input is a clear message."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from benchmarks.feed_server import bridge, town
from embeddings.index.store import current_version
from tests.conftest import ROOT


def run(*args: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if "proxy" not in key.lower()}
    env["PYTHONPATH"] = str(ROOT)
    env.pop("NEWSQA_MODEL", None)
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env, timeout=300)


def test_fetch_indexes_new_items_then_fetches_and_builds_nothing_the_second_time(site, tmp_path):
    feeds = tmp_path / "feeds.txt"
    feeds.write_text(f"# our feeds\n{site.base}/rss.xml  # the Herald\n\n{site.base}/missing.xml\n")
    folders = ["--corpus", str(tmp_path / "corpus"), "--index", str(tmp_path / "index")]
    first = run("-m", "embeddings", "fetch", "--feeds", str(feeds), *folders)
    assert first.returncode == 0, first.stderr
    assert first.stdout.count("\nadded feeds/") + first.stdout.startswith("added feeds/") == 5
    assert f"failed feed {site.base}/missing.xml: HTTP 404" in first.stdout
    assert "index now 5 articles, 20 passages" in first.stdout and "time: download" in first.stdout
    version = current_version(tmp_path / "index")

    site.requests.clear()
    second = run("-m", "embeddings", "fetch", "--feed", f"{site.base}/rss.xml", *folders)
    assert second.returncode == 0, second.stderr
    assert "0 new, 5 already fetched, 0 failed" in second.stdout and "index" not in second.stdout
    assert site.pages() == [] and current_version(tmp_path / "index") == version

    asked = run("-m", "bot", "ask", "--json", *folders, f"What is the new footbridge in {town(1)} called?")
    reply = json.loads(asked.stdout)
    assert bridge(1) in reply["answer"]
    source = reply["sources"][0]
    assert source["url"] == f"{site.base}/articles/1.html" and source["outlet"] == "Local Herald"
    assert source["link"].startswith(f"{site.base}/articles/1.html#:~:text=")


def test_fetch_without_feeds_or_with_an_unreadable_list_says_so(tmp_path):
    nothing = run("-m", "embeddings", "fetch", "--corpus", str(tmp_path))
    assert nothing.returncode == 2 and "give at least one --feed URL or a --feeds FILE" in nothing.stderr
    missing = run("-m", "embeddings", "fetch", "--feeds", str(tmp_path / "nope.txt"), "--corpus", str(tmp_path))
    assert missing.returncode == 2 and "cannot read the feed list" in missing.stderr and "Traceback" not in missing.stderr
    unreachable = run("-m", "embeddings", "fetch", "--feed", "http://127.0.0.1:9/rss.xml", "--corpus", str(tmp_path))
    assert unreachable.returncode == 1 and "failed feed http://127.0.0.1:9/rss.xml: could not connect" in unreachable.stdout
