"""The answer cache: the same question in a burst is answered once, and never from an older index version."""

from __future__ import annotations

import threading
import time

import pytest

from embeddings import Engine, build_index
from embeddings.qa.cache import AnswerCache
from tests.conftest import WordHashEncoder


def test_many_threads_asking_the_same_thing_at_once_compute_it_once():
    cache: AnswerCache[object] = AnswerCache()
    computed = []

    def compute() -> object:
        time.sleep(0.05)
        computed.append(object())
        return computed[-1]

    results: list[object] = []
    threads = [threading.Thread(target=lambda: results.append(cache.get("pact", compute))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(computed) == 1 and all(result is computed[0] for result in results)
    assert (cache.hits, cache.misses) == (7, 1)


def test_a_failed_computation_is_not_cached_and_the_next_asker_computes_again():
    cache: AnswerCache[str] = AnswerCache()

    def fail() -> str:
        raise RuntimeError("index gone")

    with pytest.raises(RuntimeError):
        cache.get("q", fail)
    assert cache.get("q", lambda: "answer") == "answer"


def test_the_least_recently_asked_is_dropped_and_size_zero_keeps_nothing():
    cache: AnswerCache[int] = AnswerCache(size=2)
    for key in ("a", "b", "a", "c"):
        cache.get(key, lambda key=key: ord(key))
    assert cache.get("a", lambda: -1) == ord("a") and cache.get("b", lambda: -1) == -1  # b went, a stayed
    nothing: AnswerCache[int] = AnswerCache(size=0)
    assert [nothing.get("a", lambda n=n: n) for n in range(2)] == [0, 1] and len(nothing) == 0


def test_the_engine_reuses_an_answer_for_the_same_question_history_and_index_version(settings):
    build_index(settings.corpus, settings.index, WordHashEncoder())
    engine = Engine(settings, WordHashEncoder())
    first = engine.ask("who signed the pact?")
    assert engine.ask("  who signed   the pact? ") is first  # whitespace does not make a new question
    assert engine.ask("who signed the pact?", top_k=1) is not first  # fewer sources: its own answer
    follow_up = engine.ask("and when?", history=["who signed the pact?"])
    assert engine.ask("and when?", history=["what did Seoul condemn?"]) is not follow_up  # another topic
    (settings.corpus / "extra.md").write_text("# Bridges\n\nThe council of Springfield approved a new bridge.\n")
    build_index(settings.corpus, settings.index, WordHashEncoder())
    assert engine.reload()
    assert engine.ask("who signed the pact?") is not first  # a new index version is asked afresh
