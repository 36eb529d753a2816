"""`python -m benchmarks.fetch_feed [--items 50]`: how long a feed of new items takes to become answerable.

A local news site (benchmarks.feed_server) serves an RSS feed of --items new articles. On a corpus whose index is
already built, `python -m embeddings fetch` is timed from its start to its end (download, extraction, model load,
embedding, as it prints them), then `python -m bot ask --json` about the last item; then the same fetch again, which
must download and build nothing. Target: answerable within 60 s of the fetch starting.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.feed_server import NewsSite, bridge, town
from embeddings.index.store import current_version

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpus" / "000_da1d4672d14ef64a.txt"


def run(*args: str) -> tuple[subprocess.CompletedProcess, float]:
    env = {key: value for key, value in os.environ.items() if "proxy" not in key.lower()}
    env["PYTHONPATH"] = str(ROOT)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env, timeout=600)
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(args[:3])} failed:\n{done.stderr}")
    return done, time.perf_counter() - started


def measure(items: int, work: Path) -> dict:
    (work / "corpus").mkdir()
    shutil.copy(SEED, work / "corpus")
    folders = ["--corpus", str(work / "corpus"), "--index", str(work / "index")]
    run("-m", "embeddings", "build", *folders, "--quiet")  # the running deployment's index, before the news
    with NewsSite(articles=items) as site:
        fetched, fetch_seconds = run("-m", "embeddings", "fetch", "--feed", f"{site.base}/rss.xml", *folders)
        last = items - 1
        asked, ask_seconds = run("-m", "bot", "ask", "--json", *folders, f"What is the new footbridge in {town(last)} called?")
        answer = json.loads(asked.stdout)
        pages_before, version = len(site.pages()), current_version(work / "index")
        again, again_seconds = run("-m", "embeddings", "fetch", "--feed", f"{site.base}/rss.xml", *folders)
        return {
            "items": items,
            "added": fetched.stdout.count("added feeds/"),
            "fetch_split": next(line for line in fetched.stdout.splitlines() if line.startswith("time:")),
            "fetch_seconds": round(fetch_seconds, 1),
            "ask_seconds": round(ask_seconds, 1),
            "answerable_after_seconds": round(fetch_seconds + ask_seconds, 1),
            "answer": answer.get("answer"),
            "top_source": answer["sources"][0]["title"] if answer["sources"] else None,
            "answered": bool(answer["sources"]) and answer["sources"][0]["title"] == f"{town(last)} opens the {bridge(last)}",
            "second_fetch_seconds": round(again_seconds, 1),
            "second_fetch": again.stdout.strip().splitlines()[-1],
            "second_fetch_pages_downloaded": len(site.pages()) - pages_before,
            "second_fetch_built": current_version(work / "index") != version,
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.fetch_feed", description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=50, help="new items in the feed (default 50)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="fetch-bench-") as work:
        figures = measure(args.items, Path(work))
    for key, value in figures.items():
        print(f"{key:32} {value}")
    met = figures["answered"] and figures["answerable_after_seconds"] <= 60 and not figures["second_fetch_built"]
    print("target met" if met else "target NOT met")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
