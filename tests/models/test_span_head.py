"""The span head: start/end scores from the cross-encoder's token states, and the states themselves."""

from __future__ import annotations

import numpy as np
import pytest

from embeddings.models.cross_encoder import CrossEncoder
from embeddings.models.span_head import MAX_TOKENS, SpanHead
from embeddings.qa.candidates import SPAN_FLOOR, SpanScores


def _head_reading_column(start_column: int, end_column: int, size: int = 4) -> SpanHead:
    """A head whose start logit is state[start_column] and end logit state[end_column] (GELU of large values ~ x)."""
    hidden_w = np.eye(size, dtype=np.float32)
    out_w = np.zeros((size, 2), dtype=np.float32)
    out_w[start_column, 0] = out_w[end_column, 1] = 1.0
    return SpanHead({"hidden_w": hidden_w, "hidden_b": np.zeros(size), "out_w": out_w, "out_b": np.zeros(2)})


def test_the_best_span_starts_and_ends_where_the_head_says_and_is_never_backwards():
    head = _head_reading_column(0, 1)
    states = np.zeros((6, 4), dtype=np.float32)
    states[2, 0] = 10.0  # starts at token 2
    states[4, 1] = 10.0  # ends at token 4
    states[1, 1] = 12.0  # a stronger end before the start cannot be chosen
    start, end = head.log_probs(states)
    assert np.isclose(np.exp(start).sum(), 1.0) and np.isclose(np.exp(end).sum(), 1.0)
    first, last, _ = head.best(states)
    assert (first, last) == (2, 4)


def test_the_best_span_is_at_most_max_tokens_long():
    head = _head_reading_column(0, 1)
    states = np.zeros((MAX_TOKENS + 10, 4), dtype=np.float32)
    states[0, 0] = 10.0
    states[MAX_TOKENS + 5, 1] = 10.0
    first, last, _ = head.best(states)
    assert last - first < MAX_TOKENS


def test_span_scores_read_a_phrase_by_its_first_and_last_word_piece():
    scores = SpanScores(((0, 3), (4, 9), (10, 15)), np.log([0.1, 0.8, 0.1]), np.log([0.1, 0.2, 0.7]))
    assert scores.of(4, 15) == pytest.approx(np.log(0.8 * 0.7))
    assert scores.of(5, 8) == SPAN_FLOOR  # no whole word piece inside


@pytest.fixture(scope="module")
def reranker() -> CrossEncoder:
    return CrossEncoder()


def test_reading_a_pair_gives_its_logit_and_a_state_per_passage_token(reranker):
    passages = ["Vladimir Putin and Kim Jong-un signed the pact in Pyongyang.", "It rained."]
    readings = reranker.read("who signed the pact?", passages)
    assert [r.logit for r in readings] == pytest.approx(list(reranker.score("who signed the pact?", passages)), abs=1e-4)
    first = readings[0]
    assert first.states is not None and first.states.shape == (len(first.offsets), 384)
    assert passages[0][first.offsets[0][0] : first.offsets[0][1]] == "Vladimir"


@pytest.mark.parametrize(
    ("question", "sentence", "answer"),
    [
        ("where was the pact signed?", "The pact was signed in Pyongyang during the Russian president's visit.", "Pyongyang"),
        ("when did the talks fail?", "Talks with North Korea failed in 2019 after two summits.", "2019"),
    ],
)
def test_the_shipped_head_finds_the_answer_in_a_sentence(reranker, question, sentence, answer):
    (reading,) = reranker.read(question, [sentence])
    first, last, _ = SpanHead().best(reading.states)
    assert sentence[reading.offsets[first][0] : reading.offsets[last][1]] == answer
