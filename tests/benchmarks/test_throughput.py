"""The throughput benchmark warms up on a question it does not measure, so model loading is not an answer's cost."""

from __future__ import annotations

import json

from benchmarks.throughput import _questions


def test_the_warm_up_question_is_the_one_after_the_measured_ones(tmp_path):
    path = tmp_path / "qa.jsonl"
    path.write_text("".join(json.dumps({"question": f"q{k}"}) + "\n" for k in range(5)) + "\n", "utf-8")
    assert _questions(path, 3) == (["q0", "q1", "q2"], "q3")


def test_a_file_with_no_question_left_warms_up_on_a_made_up_one(tmp_path):
    path = tmp_path / "qa.jsonl"
    path.write_text(json.dumps({"question": "q0"}) + "\n", "utf-8")
    measured, warm_up = _questions(path, 3)
    assert measured == ["q0"] and warm_up not in measured
