"""The span head: start/end scores from the cross-encoder's token states, and the states themselves."""

from __future__ import annotations

import numpy as np
import onnx
import pytest

from embeddings.models.cross_encoder import CrossEncoder, PairReading
from embeddings.models.span_head import MAX_TOKENS, SpanHead, best_span
from embeddings.qa.candidates import SPAN_FLOOR, SpanScores


def test_the_best_span_starts_and_ends_where_the_scores_say_and_is_never_backwards():
    start = np.log(np.array([0.05, 0.05, 0.8, 0.05, 0.05]))
    end = np.log(np.array([0.05, 0.6, 0.05, 0.05, 0.25]))  # the likeliest end (token 1) lies before the start
    first, last, logp = best_span(start, end)
    assert (first, last) == (2, 4) and logp == pytest.approx(np.log(0.8 * 0.25))


def test_the_best_span_is_at_most_max_tokens_long():
    size = MAX_TOKENS + 10
    start, end = np.full(size, -10.0), np.full(size, -10.0)
    start[0] = end[MAX_TOKENS + 5] = 0.0
    first, last, _ = best_span(start, end)
    assert last - first < MAX_TOKENS


def test_span_scores_read_a_phrase_by_its_first_and_last_word_piece():
    scores = SpanScores(((0, 3), (4, 9), (10, 15)), np.log([0.1, 0.8, 0.1]), np.log([0.1, 0.2, 0.7]))
    assert scores.of(4, 15) == pytest.approx(np.log(0.8 * 0.7))
    assert scores.of(5, 8) == SPAN_FLOOR  # no whole word piece inside


@pytest.fixture(scope="module")
def reranker() -> CrossEncoder:
    return CrossEncoder()


def test_reading_a_pair_gives_its_logit_and_the_states_of_all_its_tokens(reranker):
    passages = ["Vladimir Putin and Kim Jong-un signed the pact in Pyongyang.", "It rained."]
    readings = reranker.read("who signed the pact?", passages)
    for passage in passages:  # a pair read alone scores as the reranker scores it (which reads each pair alone)
        (alone,) = reranker.read("who signed the pact?", [passage])
        assert alone.logit == pytest.approx(float(reranker.score("who signed the pact?", [passage])[0]), abs=1e-4)
    assert readings[0].logit > 0 > readings[1].logit
    first = readings[0]
    # [CLS] who signed the pact? [SEP] passage [SEP]: the question's tokens too, for the head's own layers to attend to
    assert first.states is not None and first.states.shape[1] == 384
    assert len(first.passage_tokens) == len(first.offsets) < len(first.states)
    assert first.passage_tokens == tuple(range(first.passage_tokens[0], first.passage_tokens[0] + len(first.offsets)))
    assert passages[0][first.offsets[0][0] : first.offsets[0][1]] == "Vladimir"


def test_each_reading_gets_start_and_end_probabilities_over_its_own_passage_tokens(reranker):
    readings = reranker.read("who signed the pact?", ["Putin signed it.", "Vladimir Putin and Kim Jong-un signed the pact."])
    for reading, (start, end) in zip(readings, SpanHead().log_probs(readings), strict=True):
        assert start.shape == end.shape == (len(reading.offsets),)
        assert np.exp(start).sum() == pytest.approx(1.0, abs=1e-4) and np.exp(end).sum() == pytest.approx(1.0, abs=1e-4)


def test_a_short_sentence_batched_with_a_long_one_reads_as_it_does_alone(reranker):
    question = "where was the pact signed?"
    long_sentence = "The pact, " + "long and winding, " * 20 + "is old."
    short, long = reranker.read(question, ["The pact was signed in Pyongyang.", long_sentence])
    head = SpanHead()
    (alone_start, alone_end), ((start, end), _) = head.log_probs([short])[0], head.log_probs([short, long])
    assert best_span(start, end)[:2] == best_span(alone_start, alone_end)[:2]  # the padding is masked out
    # INT8 activations are scaled per batch, so probabilities move a little, never the answer
    assert np.exp(start) == pytest.approx(np.exp(alone_start), abs=0.03)
    assert np.exp(end) == pytest.approx(np.exp(alone_end), abs=0.03)


def test_a_passage_cut_away_by_a_long_question_gets_empty_scores():
    reading = PairReading(0.0, np.zeros((6, 384), dtype=np.float32), (), ())
    start, end = SpanHead().log_probs([reading])[0]
    assert start.shape == end.shape == (0,)


def test_a_head_trained_on_another_layer_of_the_cross_encoder_is_refused_with_what_to_do(tmp_path, reranker):
    states = onnx.helper.make_tensor_value_info("states", onnx.TensorProto.FLOAT, ["b", "t", 384])
    mask = onnx.helper.make_tensor_value_info("mask", onnx.TensorProto.FLOAT, ["b", "t"])
    logits = onnx.helper.make_tensor_value_info("logits", onnx.TensorProto.FLOAT, None)
    starts, ends, axes = (onnx.helper.make_tensor(n, onnx.TensorProto.INT64, [1], [v]) for n, v in (("s", 0), ("e", 2), ("a", 2)))
    node = onnx.helper.make_node("Slice", ["states", "s", "e", "a"], ["logits"])
    graph = onnx.helper.make_graph([node], "other", [states, mask], [logits], [starts, ends, axes])
    model = onnx.helper.make_model(graph, opset_imports=[onnx.helper.make_opsetid("", 17)])
    onnx.helper.set_model_props(model, {"reads_layer": "3"})
    onnx.save(model, str(tmp_path / "head.onnx"))
    (reading,) = reranker.read("who?", ["Putin."])
    with pytest.raises(ValueError, match=r"layer 3\b.*retrain it with python -m embeddings\.evaluation\.train_span"):
        SpanHead(tmp_path / "head.onnx").log_probs([reading])


@pytest.mark.parametrize(
    ("question", "sentence", "answer"),
    [
        ("where was the pact signed?", "The pact was signed in Pyongyang during the Russian president's visit.", "Pyongyang"),
        ("when did the talks fail?", "Talks with North Korea failed in 2019 after two summits.", "2019"),
    ],
)
def test_the_shipped_head_finds_the_answer_in_a_sentence(reranker, question, sentence, answer):
    (reading,) = reranker.read(question, [sentence])
    first, last, _ = SpanHead().best(reading)
    assert sentence[reading.offsets[first][0] : reading.offsets[last][1]] == answer
