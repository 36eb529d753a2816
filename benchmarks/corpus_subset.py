"""Benchmark corpora: a subset of a big .jsonl[.gz] corpus with a given number of paragraphs, written as shards.

Shards of a hundred articles each keep the corpus realistic for incremental builds: changing one article
re-reads one small file, not the whole corpus.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path

from embeddings.ingest.parsing import parse_bytes
from embeddings.ingest.passages import split_passages

SHARD_ARTICLES = 100


def _lines(path: Path) -> Iterator[str]:
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as handle:
        yield from handle


def write_subset(source: Path, folder: Path, limit_paragraphs: int, shard_articles: int = SHARD_ARTICLES) -> tuple[int, int]:
    """Copy whole articles from `source` into `folder`/part-NNNN.jsonl until `limit_paragraphs` passages; (articles, passages).

    Passages are counted as the index will cut them, so the subset holds the number asked for (give or
    take the last article). An existing complete subset is reused as it is.
    """
    marker = folder / ".subset.json"
    wanted = {"source": str(source), "limit_paragraphs": limit_paragraphs, "shard_articles": shard_articles}
    if marker.exists():
        recorded = json.loads(marker.read_text("utf-8"))
        if recorded.get("wanted") == wanted:
            return recorded["articles"], recorded["passages"]
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("part-*.jsonl"):
        old.unlink()
    articles = passages = 0
    shard: list[str] = []
    shards = 0

    def flush() -> None:
        nonlocal shards
        if shard:
            (folder / f"part-{shards:04d}.jsonl").write_text("".join(shard), "utf-8")
            shards += 1
            shard.clear()

    for line in _lines(source):
        if passages >= limit_paragraphs:
            break
        if not line.strip():
            continue
        parsed = parse_bytes(line.encode("utf-8"), "probe.jsonl", lambda problem: None)
        if not parsed:
            continue
        passages += sum(len(split_passages(article)) for article in parsed)
        articles += 1
        shard.append(line if line.endswith("\n") else line + "\n")
        if len(shard) == shard_articles:
            flush()
    flush()
    marker.write_text(json.dumps({"wanted": wanted, "articles": articles, "passages": passages}), "utf-8")
    return articles, passages
