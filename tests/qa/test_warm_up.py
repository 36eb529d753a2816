"""Warming up: the models load at start, in the background, so the first question does not wait for them."""

from __future__ import annotations

from pathlib import Path

from embeddings import Engine, Settings, ensure_index
from embeddings.models.cross_encoder import CrossEncoder
from embeddings.models.entities import EntityTagger
from embeddings.models.span_head import SpanHead
from tests.conftest import WordHashEncoder

PACT = (
    "The pact was signed last week in Pyongyang by the Russian president, Vladimir Putin, who signed it together "
    "with the North Korean leader Kim Jong-un."
)


def pact_engine(tmp_path: Path) -> Engine:
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "pact.txt").write_text(f"Pact signed in Pyongyang\n\n{PACT}\n", "utf-8")
    settings = Settings(corpus=tmp_path / "corpus", index=tmp_path / "index")
    ensure_index(settings, WordHashEncoder())
    return Engine(settings, WordHashEncoder())


def test_warm_up_loads_every_model_a_question_uses_and_answers_stay_the_same(tmp_path: Path):
    engine = pact_engine(tmp_path)
    # Models of its own, not yet loaded (the shared ones may have been loaded by other tests).
    engine.reranker = engine.reader.reranker = CrossEncoder()
    engine.reader.span_head, engine.reader.tagger = SpanHead(), EntityTagger()
    assert engine.reranker._session is None and engine.reader.span_head._session is None
    assert engine.reader.tagger._nlp is None

    engine.warm_up_in_background().join(timeout=120)

    assert engine.reranker._session is not None and engine.reader.span_head._session is not None
    assert engine.reader.tagger._nlp is not None
    assert engine.ask("who signed the pact?").answer == "Vladimir Putin and Kim Jong-un"


def test_a_model_that_fails_to_load_is_left_for_the_first_question(tmp_path: Path):
    engine = pact_engine(tmp_path)
    engine.reranker = engine.reader.reranker = CrossEncoder(folder=tmp_path / "no-model")
    engine.warm_up()  # does not raise
    assert engine.reranker._session is None
