"""Index types by size, memory-mapped loading, and builds that skip what did not change."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import faiss
import numpy as np
import pytest

import embeddings.index.dense as dense
from benchmarks.corpus_subset import write_subset
from embeddings import Engine, Settings, build_index, ensure_index
from embeddings.index.store import StoredIndex, current_version
from embeddings.ingest.corpus import CorpusFile
from embeddings.models.vectors import normalize
from tests.conftest import WordHashEncoder


def clustered_vectors(rows: int, dimension: int = 32, clusters: int = 40, seed: int = 0) -> np.ndarray:
    """Normalized vectors around a few centres, like topics in news."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((clusters, dimension))
    vectors = centres[rng.integers(0, clusters, rows)] + 0.3 * rng.standard_normal((rows, dimension))
    return normalize(vectors)


def test_small_indexes_are_exact_and_big_ones_quantized_with_high_recall(tmp_path):
    vectors = clustered_vectors(4000)
    assert dense.describe(dense.build_dense_index(vectors[:100], exact_max_rows=1000)) == "flat (exact)"
    big = dense.build_dense_index(vectors, exact_max_rows=1000)
    assert dense.describe(big).startswith("ivf-sq8")
    dense.save_dense_index(big, tmp_path / "dense.faiss")
    loaded = dense.load_dense_index(tmp_path / "dense.faiss")
    exact = dense.build_dense_index(vectors, exact_max_rows=len(vectors))
    recalls = []
    for query in vectors[:50]:
        truth = {row for row, _ in dense.search_dense(exact, query, 10)}
        found = dense.search_dense(loaded, query, 10)
        assert found == dense.search_dense(big, query, 10)  # the memory-mapped copy answers the same
        recalls.append(len(truth & {row for row, _ in found}) / 10)
    assert np.mean(recalls) >= 0.9
    # Scores stay cosines despite the 8-bit vectors.
    assert abs(found[0][1] - float(vectors[found[0][0]] @ vectors[49])) < 0.02


def test_a_quantized_index_answers_with_exact_cosines():
    vectors = clustered_vectors(4000)
    rescored = dense.RescoredIndex(dense.build_dense_index(vectors, exact_max_rows=1000), vectors)
    for number, query in enumerate(vectors[:20]):
        found = dense.search_dense(rescored, query, 10)
        assert [score for _, score in found] == sorted((score for _, score in found), reverse=True)
        for row, score in found:
            assert abs(score - float(vectors[row] @ query)) < 1e-5
        assert found[0][0] == number  # a stored vector finds itself first, at cosine 1


def write_articles(corpus: Path, count: int) -> None:
    corpus.mkdir(parents=True, exist_ok=True)
    topics = ["harbour ships", "bridge traffic", "library books", "museum art", "school pupils"]
    for number in range(count):
        topic = topics[number % len(topics)]
        (corpus / f"{number:03d}.txt").write_text(
            f"Story {number} about the {topic}\n\nThe {topic} story number {number} happened on day {number}.\n\n"
            f"Officials said the {topic} would change.\n",
            "utf-8",
        )


def test_an_index_above_the_exact_threshold_still_answers(tmp_path):
    corpus = tmp_path / "corpus"
    write_articles(corpus, 60)
    settings = Settings(corpus=corpus, index=tmp_path / "index", exact_max_rows=20)
    ensure_index(settings, WordHashEncoder())
    engine = Engine(settings, WordHashEncoder())
    assert dense.describe(engine.index.dense).startswith("ivf-sq8")
    assert engine.ask("story number 17 happened on day 17").sources[0].title == "Story 17 about the library books"


def test_unchanged_rebuild_reads_no_file(tmp_path, monkeypatch):
    corpus = tmp_path / "corpus"
    write_articles(corpus, 30)
    build_index(corpus, tmp_path / "index", WordHashEncoder())

    def no_reading(self):
        raise AssertionError(f"{self.name} was read")

    monkeypatch.setattr(CorpusFile, "read", no_reading)
    report = build_index(corpus, tmp_path / "index", WordHashEncoder())
    assert report.up_to_date and (report.articles, report.unchanged) == (30, 30)


def test_one_changed_article_re_embeds_it_alone_and_reuses_the_rest_in_one_query(tmp_path, monkeypatch):
    corpus = tmp_path / "corpus"
    write_articles(corpus, 30)
    index = tmp_path / "index"
    build_index(corpus, index, WordHashEncoder())
    old = StoredIndex(current_version(index))
    old_vectors = {p.text: old.vectors[p.row].copy() for p in old.passages(list(range(old.info.passages)))}

    queries: list[str] = []
    query = StoredIndex._query

    def counted(self, sql, parameters=()):
        queries.append(sql)
        return query(self, sql, parameters)

    monkeypatch.setattr(StoredIndex, "_query", counted)
    (corpus / "007.txt").write_text("Story 7 revised\n\nA brand new paragraph about the zoo.\n", "utf-8")
    encoder = WordHashEncoder()
    report = build_index(corpus, index, encoder)
    assert report.changed == ["007.txt"] and encoder.embedded == ["A brand new paragraph about the zoo."]
    assert len([sql for sql in queries if "FROM passages" in sql]) == 1  # not one query per reused article
    new = StoredIndex(current_version(index))
    for passage in new.passages(list(range(new.info.passages))):
        if passage.text in old_vectors:
            assert np.array_equal(new.vectors[passage.row], old_vectors[passage.text])


def test_bench_subset_holds_whole_articles_up_to_the_passages_asked(tmp_path):
    source = tmp_path / "big.jsonl.gz"
    with gzip.open(source, "wt", encoding="utf-8") as handle:
        for number in range(50):
            text = "\n\n".join(f"Paragraph {p} of article {number}." for p in range(4))
            handle.write(json.dumps({"title": f"Article {number}", "text": text}) + "\n")
    articles, passages = write_subset(source, tmp_path / "subset", 30, shard_articles=3)
    assert (articles, passages) == (8, 32)  # whole articles: the eighth crosses 30 passages
    shards = sorted((tmp_path / "subset").glob("part-*.jsonl"))
    assert [len(s.read_text().splitlines()) for s in shards] == [3, 3, 2]
    assert write_subset(source, tmp_path / "subset", 30, shard_articles=3) == (8, 32)  # reused as it is


@pytest.mark.parametrize("rows", [0, 1])
def test_tiny_indexes_work(rows):
    vectors = clustered_vectors(rows) if rows else np.zeros((0, 32), dtype=np.float32)
    index = dense.build_dense_index(vectors)
    assert index.ntotal == rows
    assert len(dense.search_dense(index, np.ones(32, dtype=np.float32) / 32**0.5, 5)) == rows


def test_an_incremental_build_reuses_the_trained_clusters(tmp_path):
    corpus = tmp_path / "corpus"
    write_articles(corpus, 60)
    index = tmp_path / "index"
    build_index(corpus, index, WordHashEncoder(), exact_max_rows=20)
    first = StoredIndex(current_version(index))
    before = faiss.downcast_index(first.dense.index)
    (corpus / "007.txt").write_text("Story 7 revised\n\nA brand new paragraph about the zoo.\n", "utf-8")
    build_index(corpus, index, WordHashEncoder(), exact_max_rows=20)
    second = StoredIndex(current_version(index))
    after = faiss.downcast_index(second.dense.index)
    assert after.nlist == before.nlist
    assert np.array_equal(after.quantizer.reconstruct_n(0, after.nlist), before.quantizer.reconstruct_n(0, before.nlist))
    engine = Engine(Settings(corpus=corpus, index=index), WordHashEncoder())
    assert engine.ask("brand new paragraph about the zoo").sources[0].title == "Story 7 revised"


def test_one_query_is_searched_on_one_thread_and_the_caller_keeps_its_threads():
    """FAISS's threads cost more than they share out for one query; a build in the same thread keeps them all."""
    vectors = clustered_vectors(500)
    index = dense.build_dense_index(vectors)
    seen: list[int] = []

    class Watched:
        ntotal, d = index.ntotal, index.d

        def search(self, queries, k):
            seen.append(faiss.omp_get_max_threads())
            return index.search(queries, k)

    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(2)
    try:
        found = dense.search_dense(Watched(), vectors[7], 3)
        assert faiss.omp_get_max_threads() == 2
    finally:
        faiss.omp_set_num_threads(before)
    assert seen == [1]
    assert found[0][0] == 7 and found == dense.search_dense(index, vectors[7], 3)
