"""The benchmark works on its own copy of a corpus and changes exactly one article when it times a rebuild."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.corpus import change_one_article, dense_texts, load_questions, prepare_corpus
from benchmarks.report import percentiles
from embeddings.ingest.corpus import scan
from embeddings.ingest.parsing import parse_bytes


def articles(corpus: Path) -> dict[str, str]:
    found = {}
    for file in scan(corpus):
        for article in parse_bytes(file.read()[0], file.name, print):
            found[article.source_id] = article.content_key
    return found


def test_a_given_folder_is_copied_and_only_the_copy_changes(tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "a.txt").write_text("Harbour reopens\n\nThe harbour reopened on Monday.\n", "utf-8")
    before = (mine / "a.txt").read_text("utf-8")
    corpus = prepare_corpus(mine, tmp_path / "work", None)
    assert corpus != mine and dense_texts(corpus) == ["The harbour reopened on Monday."]
    change_one_article(corpus)
    assert (mine / "a.txt").read_text("utf-8") == before
    assert dense_texts(corpus) == ["The harbour reopened on Monday.", "A paragraph added by the benchmark."]


def test_one_article_of_a_jsonl_corpus_is_changed(tmp_path):
    source = tmp_path / "news.jsonl"
    source.write_text(
        "".join(json.dumps({"title": f"Story {n}", "paragraphs": [f"Paragraph of story {n}."]}) + "\n" for n in range(5)),
        "utf-8",
    )
    corpus = prepare_corpus(source, tmp_path / "work", 3)
    before = articles(corpus)
    assert len(before) == 3  # whole articles up to the passages asked for
    change_one_article(corpus)
    after = articles(corpus)
    assert before.keys() == after.keys()
    assert sum(before[key] != after[key] for key in before) == 1
    assert sorted(load_questions(None, corpus, 10)) == ["Story 0", "Story 1", "Story 2"]


def test_percentiles_are_in_milliseconds():
    stats = percentiles([0.001 * n for n in range(1, 101)])
    assert round(stats["p50"], 1) == 50.5 and stats["p50"] < stats["p95"] < stats["p99"] <= 100
