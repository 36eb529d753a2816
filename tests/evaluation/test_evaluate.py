"""`python -m embeddings evaluate` on a tiny QA set written here: the figures a user reads, and how they are computed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from embeddings.cli import main
from embeddings.evaluation.metrics import contains_gold, token_f1
from embeddings.evaluation.qa_sets import heldout_articles, load_qa, sample

ARTICLES = [
    {
        "id": "Lakes",
        "title": "Lakes of Valdoria",
        "paragraphs": [
            "Lake Mirren is the deepest lake in Valdoria, reaching 412 metres near its northern shore.",
            "The lake freezes over every winter, and an ice festival has been held on it since 1931.",
        ],
    },
    {
        "id": "Railways",
        "title": "Railways of Valdoria",
        "paragraphs": [
            "The first railway in Valdoria opened in 1868 between the capital and the port of Ostra.",
            "Electric trains replaced steam locomotives on the main line in the 1950s.",
        ],
    },
    {
        "id": "Cheese",
        "title": "Valdorian cheese",
        "paragraphs": [
            "Brenna is a hard sheep's milk cheese aged for at least eighteen months in mountain caves.",
            "Cheesemakers in the village of Tol produce about 300 tonnes of Brenna a year.",
        ],
    },
]
QUESTIONS = [
    ("q1", "What is the deepest lake in Valdoria?", ["Lake Mirren"], "Lakes", 0, "dev"),
    ("q2", "Since when has the ice festival been held?", ["1931", "since 1931"], "Lakes", 1, "test"),
    ("q3", "When did the first railway in Valdoria open?", ["1868"], "Railways", 0, "test"),
    ("q4", "What replaced steam locomotives on the main line?", ["Electric trains"], "Railways", 1, "dev"),
    ("q5", "How long is Brenna cheese aged?", ["at least eighteen months", "eighteen months"], "Cheese", 0, "test"),
    ("q6", "How many tonnes of Brenna does Tol produce a year?", ["about 300 tonnes", "300"], "Cheese", 1, "test"),
]


@pytest.fixture
def qa(tmp_path: Path) -> Path:
    folder = tmp_path / "qa"
    folder.mkdir()
    (folder / "articles.jsonl").write_text("".join(json.dumps(a) + "\n" for a in ARTICLES), "utf-8")
    lines = [
        json.dumps({"id": i, "question": q, "answers": a, "answer_starts": [0], "article": art, "paragraph": p, "split": s})
        for i, q, a, art, p, s in QUESTIONS
    ]
    (folder / "questions.jsonl").write_text("\n".join(lines) + "\n", "utf-8")
    return folder


def run_json(capsys, *args: str) -> list[dict]:
    assert main(["evaluate", *args, "--json"]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_retrieval_figures_for_each_mode_on_a_test_split(qa, tmp_path, capsys):
    reports = run_json(
        capsys,
        *("--questions", str(qa / "questions.jsonl"), "--corpus", str(qa / "articles.jsonl")),
        *("--index", str(tmp_path / "index"), "--split", "test", "--mode", "bm25", "--mode", "dense", "--retrieval-only"),
    )
    assert [r["mode"] for r in reports] == ["bm25", "dense"]
    for report in reports:
        assert report["questions"] == 4 and report["unmapped"] == 0
        assert report["recall"]["1"] >= 0.75 and report["recall"]["20"] == 1.0  # six passages: all within 20
        assert 0 < report["mrr"] <= 1 and report["f1"] is None


def test_answers_abstention_and_held_out_articles(qa, tmp_path, capsys):
    (report,) = run_json(
        capsys,
        *("--questions", str(qa / "questions.jsonl"), "--corpus", str(qa / "articles.jsonl")),
        *("--index", str(tmp_path / "index"), "--mode", "rerank", "--heldout", "1"),
    )
    assert report["heldout_questions"] == 2  # the first article (Lakes) is held out
    assert report["heldout_abstained"] == 1.0
    assert report["questions"] == 4 and report["answerable_abstained"] == 0.0
    assert report["recall"]["1"] == 1.0 and report["contains_gold"] >= 0.75
    assert report["latency_p50_ms"] > 0


def test_the_table_names_its_columns(qa, tmp_path, capsys):
    args = ["--questions", str(qa / "questions.jsonl"), "--corpus", str(qa / "articles.jsonl"), "--mode", "bm25"]
    assert main(["evaluate", *args, "--limit", "2", "--retrieval-only"]) == 0
    header, _rule, row = capsys.readouterr().out.splitlines()
    assert "R@1" in header and "MRR@20" in header and "held-out abstained" in header
    assert row.startswith("| bm25 | 2 |")


def test_stride_samples_every_kth_question_of_the_split(qa, tmp_path, capsys):
    (report,) = run_json(
        capsys,
        *("--questions", str(qa / "questions.jsonl"), "--corpus", str(qa / "articles.jsonl")),
        *("--index", str(tmp_path / "index"), "--split", "test", "--stride", "2", "--mode", "bm25", "--retrieval-only"),
    )
    assert report["questions"] == 2


def test_a_missing_questions_file_is_a_clear_error(tmp_path, capsys):
    assert main(["evaluate", "--questions", str(tmp_path / "nope.jsonl"), "--corpus", str(tmp_path)]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_squad_answer_scoring():
    assert token_f1("the Denver Broncos", "Denver Broncos") == 1.0
    assert token_f1("Broncos", "Denver Broncos") == pytest.approx(2 / 3)
    assert token_f1("Carolina", "Denver Broncos") == 0.0
    assert contains_gold("They won in 1931, said the mayor.", ["1931"])
    assert not contains_gold("They won.", ["1931"])


def test_questions_keep_their_gold_paragraph_and_held_out_articles_are_spread(qa):
    items = load_qa(qa / "questions.jsonl", qa / "articles.jsonl", split="dev")
    assert [item.id for item in items] == ["q1", "q4"]
    assert items[1].title == "Railways of Valdoria" and items[1].paragraph.startswith("Electric trains")
    every = load_qa(qa / "questions.jsonl", qa / "articles.jsonl")
    assert heldout_articles(every, 1) == {"Lakes"} and heldout_articles(every, 3) == {"Lakes", "Railways", "Cheese"}


def test_answers_report_what_a_user_sees(qa, tmp_path, capsys):
    (report,) = run_json(
        capsys,
        *("--questions", str(qa / "questions.jsonl"), "--corpus", str(qa / "articles.jsonl")),
        *("--index", str(tmp_path / "index"), "--mode", "rerank"),
    )
    assert report["questions"] == 6
    assert report["sources_hold_answer"]["1"] >= 0.75 and report["sources_hold_answer"]["5"] >= report["sources_hold_answer"]["1"]
    assert 0 <= report["exact_match"] <= report["contains_gold"] and 0 <= report["short_answer"] <= 1


def test_articles_from_skips_the_first_articles_and_sample_draws_reproducibly(qa, tmp_path, capsys):
    later = load_qa(qa / "questions.jsonl", qa / "articles.jsonl", articles_from=1)
    assert [item.id for item in later] == ["q3", "q4", "q5", "q6"]
    assert sample(later, 2, seed=3) == sample(later, 2, seed=3) and len(sample(later, 2, seed=3)) == 2
    assert sample(later, 10, seed=3) == later
    args = ["--questions", str(qa / "questions.jsonl"), "--corpus", str(qa / "articles.jsonl"), "--mode", "bm25"]
    (report,) = run_json(capsys, *args, "--articles-from", "1", "--sample", "3", "--seed", "1", "--retrieval-only")
    assert report["questions"] == 3


def test_the_table_adds_the_answer_columns_after_the_existing_ones(qa, capsys):
    args = ["--questions", str(qa / "questions.jsonl"), "--corpus", str(qa / "articles.jsonl"), "--mode", "bm25"]
    assert main(["evaluate", *args, "--limit", "2"]) == 0
    header, _rule, row = capsys.readouterr().out.splitlines()
    assert header.index("p95 ms") < header.index("answer EM") < header.index("top-1 source has answer")
    assert header.count("|") == row.count("|") == 18


def test_the_build_settings_from_the_environment_reach_the_encoder_and_every_build(qa, tmp_path, capsys, monkeypatch):
    import embeddings.evaluation.corpora as corpora
    import embeddings.evaluation.evaluate as evaluate
    from tests.conftest import WordHashEncoder

    monkeypatch.setenv("NEWSQA_PRECISION", "fp32")
    monkeypatch.setenv("NEWSQA_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("NEWSQA_EXACT_MAX_ROWS", "1234")
    monkeypatch.setenv("NEWSQA_NPROBE", "7")
    loaded, builds = [], []
    monkeypatch.setattr(evaluate, "load_encoder", lambda *args, **kwargs: loaded.append(kwargs) or WordHashEncoder())
    real_build = evaluate.build_index

    def recording_build(*args, **kwargs):
        builds.append((kwargs["exact_max_rows"], kwargs["nprobe"]))
        return real_build(*args, **kwargs)

    monkeypatch.setattr(evaluate, "build_index", recording_build)
    monkeypatch.setattr(corpora, "build_index", recording_build)
    args = ["--questions", str(qa / "questions.jsonl"), "--corpus", str(qa / "articles.jsonl"), "--mode", "bm25"]
    run_json(capsys, *args, "--index", str(tmp_path / "index"), "--heldout", "1", "--retrieval-only")
    assert loaded == [{"precision": "fp32", "cache_dir": tmp_path / "cache"}]
    assert builds == [(1234, 7), (1234, 7)]  # the index and its held-out copy


def test_answers_file_holds_each_question_with_the_measures_the_report_averages(qa, tmp_path, capsys):
    answers = tmp_path / "answers.jsonl"
    (report,) = run_json(
        capsys,
        *("--questions", str(qa / "questions.jsonl"), "--corpus", str(qa / "articles.jsonl")),
        *("--index", str(tmp_path / "index"), "--mode", "rerank", "--heldout", "1", "--answers", str(answers)),
    )
    lines = [json.loads(line) for line in answers.read_text("utf-8").splitlines()]
    answerable = [line for line in lines if not line.get("heldout")]
    heldout = [line for line in lines if line.get("heldout")]
    assert [line["id"] for line in answerable] == ["q3", "q4", "q5", "q6"] and len(heldout) == 2
    assert all(line["mode"] == "rerank" for line in lines)
    assert sum(line["contains_gold"] for line in answerable) / 4 == pytest.approx(report["contains_gold"])
    assert sum(line["sources@1"] for line in answerable) / 4 == pytest.approx(report["sources_hold_answer"]["1"])
    assert sum(line["abstained"] for line in heldout) / 2 == report["heldout_abstained"]
    first = answerable[0]
    assert first["question"] == "When did the first railway in Valdoria open?" and first["gold"] == ["1868"]
    assert first["gold_rank"] == 1 and "1868" in first["answer"] and first["source"]["title"] == "Railways of Valdoria"


def test_answers_file_needs_answers(qa, tmp_path, capsys):
    args = ["--questions", str(qa / "questions.jsonl"), "--corpus", str(qa / "articles.jsonl"), "--retrieval-only"]
    assert main(["evaluate", *args, "--answers", str(tmp_path / "a.jsonl")]) == 2
    assert "--answers" in capsys.readouterr().err
