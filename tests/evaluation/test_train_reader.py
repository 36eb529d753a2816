"""Learning the reader's weights: the softmax fit ranks the right candidate first, and the command writes the file."""

from __future__ import annotations

import json

import numpy as np

from embeddings.evaluation.train_reader import Group, accuracy, fit, main
from embeddings.qa.candidates import FEATURES


def test_the_fit_learns_which_feature_marks_the_right_candidate():
    rng = np.random.default_rng(0)
    column = FEATURES.index("expected_label")
    groups = []
    for _ in range(60):
        features = rng.random((5, len(FEATURES)))
        right = np.zeros(5, dtype=bool)
        right[rng.integers(5)] = True
        features[:, column] = right  # only the right candidate has the expected type
        groups.append(Group(features, right))
    weights = fit(groups, steps=300)
    assert weights[column] == max(weights) and accuracy(groups, weights) == 1.0


def test_the_command_learns_from_squad_questions_and_writes_every_weight(tmp_path):
    folder = tmp_path / "squad"
    folder.mkdir()
    paragraph = "The pact was signed in Pyongyang by Vladimir Putin and Kim Jong-un in June 2024."
    (folder / "articles.jsonl").write_text(json.dumps({"id": "Pact", "title": "Pact", "paragraphs": [paragraph]}) + "\n")
    questions = [
        {"id": "1", "question": "Where was the pact signed?", "answers": ["Pyongyang"], "article": "Pact", "paragraph": 0},
        {"id": "2", "question": "When was the pact signed?", "answers": ["June 2024"], "article": "Pact", "paragraph": 0},
    ]
    (folder / "questions.jsonl").write_text("".join(json.dumps(q) + "\n" for q in questions))
    out = tmp_path / "weights.json"
    assert main(["--squad", str(folder), "--out", str(out)]) == 0
    assert set(json.loads(out.read_text())["weights"]) == set(FEATURES)
