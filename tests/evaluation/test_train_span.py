"""Training the span head: examples framed as the reader frames them, and a command that writes usable weights."""

from __future__ import annotations

import json

import numpy as np

from embeddings.evaluation.qa_sets import QAItem
from embeddings.evaluation.train_span import framed, main
from embeddings.models.cross_encoder import CrossEncoder
from embeddings.models.span_head import SpanHead

PARAGRAPH = "Talks failed in 2019. The pact was signed in Pyongyang by Vladimir Putin and Kim Jong-un in June 2024."


def write_squad(folder, articles: list[dict], questions: list[dict]) -> None:
    """A SQuAD-layout folder: articles.jsonl and questions.jsonl."""
    (folder / "articles.jsonl").write_text("".join(json.dumps(a) + "\n" for a in articles))
    (folder / "questions.jsonl").write_text("".join(json.dumps(q) + "\n" for q in questions))


def squad_folder(tmp_path, fillers: int, articles: list[tuple[str, str]], questions: list[tuple[str, str, str]]):
    """tmp_path/squad: `fillers` one-line articles first, then `articles` (title, paragraph), and `questions`
    (question, answer, article title) about their one paragraph, numbered from 1."""
    folder = tmp_path / "squad"
    folder.mkdir()
    records = [{"id": f"Filler {n}", "title": f"Filler {n}", "paragraphs": ["Nothing."]} for n in range(fillers)]
    records += [{"id": title, "title": title, "paragraphs": [paragraph]} for title, paragraph in articles]
    asked = [
        {"id": str(n), "question": question, "answers": [answer], "article": article, "paragraph": 0}
        for n, (question, answer, article) in enumerate(questions, start=1)
    ]
    write_squad(folder, records, asked)
    return folder


def _item(question: str, answer: str) -> QAItem:
    return QAItem("1", question, (answer,), "Pact", "Pact", PARAGRAPH, "dev")


def test_an_example_is_the_title_and_the_sentence_holding_the_answer():
    text, begin, end = framed(_item("Where was the pact signed?", "Pyongyang"))
    assert text == "Pact. The pact was signed in Pyongyang by Vladimir Putin and Kim Jong-un in June 2024."
    assert text[begin:end] == "Pyongyang"
    assert framed(_item("What failed?", "nowhere in it")) is None
    assert framed(_item("What happened?", "2019. The pact")) is None  # crosses a sentence end


def test_the_command_trains_on_the_first_articles_and_writes_a_head_that_loads(tmp_path, capsys):
    articles = [("Pact", PARAGRAPH), ("Bridge", "The bridge opened in Ostra in 2021.")]  # the 24th: trained on; held out
    questions = [
        ("Where was the pact signed?", "Pyongyang", "Pact"),
        ("When was the pact signed?", "June 2024", "Pact"),
        ("When did talks fail?", "2019", "Pact"),
        ("Where did the bridge open?", "Ostra", "Bridge"),
    ]
    folder = squad_folder(tmp_path, 23, articles, questions)
    out = tmp_path / "head.onnx"
    assert main(["--squad", str(folder), "--out", str(out), "--epochs", "30", "--rate", "3e-4", "--test", "3"]) == 0
    printed = capsys.readouterr().out
    assert "trained on 3 questions" in printed and "(+ 0 other sentences)" in printed
    assert "held-out 1:" in printed
    assert not list(tmp_path.glob("*.float.onnx"))  # the float model is only a step to the INT8 one
    sentence = "Pact. The pact was signed in Pyongyang by Vladimir Putin and Kim Jong-un in June 2024."
    (reading,) = CrossEncoder().read("Where was the pact signed?", [sentence])
    first, last, _ = SpanHead(out).best(reading)  # the INT8 file it wrote learnt its training question
    assert sentence[reading.offsets[first][0] : reading.offsets[last][1]] == "Pyongyang"


def test_with_negatives_the_head_learns_to_say_the_answer_is_not_in_a_sentence(tmp_path, capsys):
    questions = [("Where was the pact signed?", "Pyongyang", "Pact"), ("When did talks fail?", "2019", "Pact")]
    folder = squad_folder(tmp_path, 23, [("Pact", PARAGRAPH)], questions)
    out = tmp_path / "head.onnx"
    arguments = ["--squad", str(folder), "--out", str(out), "--epochs", "40", "--rate", "3e-4", "--test", "1"]
    assert main([*arguments, "--negatives", "1"]) == 0
    assert "(+ 2 other sentences)" in capsys.readouterr().out  # each question's other sentence: "not here"
    sentences = ["Pact. " + PARAGRAPH.split(". ")[1], "Pact. Talks failed in 2019."]
    answering, other = CrossEncoder().read("Where was the pact signed?", sentences)
    (start, end), (other_start, other_end) = SpanHead(out).log_probs([answering, other])
    mass, other_mass = np.exp(start).sum() * np.exp(end).sum(), np.exp(other_start).sum() * np.exp(other_end).sum()
    assert mass > 0.5 > other_mass  # the rest of the mass says "no answer in this sentence"


def test_validate_trains_without_the_last_articles_scores_them_and_writes_nothing(tmp_path, capsys):
    articles = [
        ("Bridge", "The bridge opened in Ostra in 2021. It cost a lot."),
        ("Pact", PARAGRAPH),  # the 24th: held back for validation
        ("Later", "The road opened in Vell in 2020."),  # never read
    ]
    questions = [
        ("Where did the bridge open?", "Ostra", "Bridge"),
        ("When did the bridge open?", "2021", "Bridge"),
        ("Where was the pact signed?", "Pyongyang", "Pact"),
        ("When did talks fail?", "2019", "Pact"),
        ("Where did the road open?", "Vell", "Later"),
    ]
    folder = squad_folder(tmp_path, 22, articles, questions)
    out = tmp_path / "head.onnx"
    arguments = ["--squad", str(folder), "--out", str(out), "--epochs", "1"]
    assert main([*arguments, "--validate", "1"]) == 0
    printed = capsys.readouterr().out
    assert "validation, 2 questions about the last 1 training articles" in printed
    scores = [float(word.strip(",;")) for word in printed.split() if word[:1].isdigit() and "." in word]
    assert len(scores) == 4 and all(0.0 <= value <= 1.0 for value in scores)
    assert not out.exists() and not list(tmp_path.glob("*.onnx"))  # choosing settings ships nothing
    assert main([*arguments, "--validate", "24"]) == 2  # nothing left to train on
