"""RealTime QA as `evaluate` reads it: the layout, the gold paragraph, the dev/test split, and the corpus it builds
(the gold articles plus N others of the same year), on a tiny QA set and articles file written here."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

import pytest

from embeddings.cli import main
from embeddings.evaluation.qa_sets import (
    REALTIMEQA,
    SQUAD,
    detect_layout,
    gold_paragraph,
    load_realtimeqa,
    question_split,
    slug_title,
)
from embeddings.evaluation.realtimeqa import corpus_records, main_year, outlet

SQUID = "https://www.cnn.com/2022/06/12/media/squid-game-season-2/index.html"
BRIDGE = "https://www.usatoday.com/story/news/2022/07/01/valdoria-bridge-opens/123456/"
CHEESE = "https://www.cnn.com/2022/08/02/economy/brenna-cheese-prices-surge/index.html"
CONTEXTS = {
    SQUID: "New York CNN —\n\n“Squid Game” is officially coming back for a second season.\n\n"
    "Netflix announced Sunday that the South Korean show about deadly children’s games was renewed.",
    BRIDGE: "The Ostra Bridge opened on Friday after six years of construction.\n\n"
    "The bridge spans 4.2 kilometres across the Mirren estuary and cost $1.1 billion.\n\n"
    "The mayor of Ostra, Lena Brandt, cut the ribbon at the opening of the bridge.",
    CHEESE: "Prices of Brenna cheese rose 18% in July, the statistics office said.\n\n"
    "Cheesemakers blamed the cost of animal feed after a dry summer.",
}
# (id, question, answer, gold url, publish date); the ids' SHA-1 parity puts rt1 and rt2 in test, rt3 and rt4 in dev.
QUESTIONS = [
    ("rt1", "Which show is coming back for a second season?", "“Squid Game”", SQUID, "2022/06/12"),
    ("rt2", "Who cut the ribbon at the opening of the Ostra Bridge?", "Lena Brandt", BRIDGE, "2022/07/01"),
    ("rt3", "How long is the Ostra Bridge across the Mirren estuary?", "4.2 kilometres", BRIDGE, "2022/07/01"),
    ("rt4", "By how much did Brenna cheese prices rise in July?", "18%", CHEESE, "2022/08/02"),
]
OTHERS_2022 = [f"https://www.usatoday.com/story/sports/2022/0{n}/10/match-report-{n}/" for n in range(1, 5)]
ARTICLES = [
    {"url": BRIDGE, "title": "Valdoria opens its longest bridge", "text": "An older text.", "publish_date": "2022/07/01"},
    *(
        {"url": url, "title": f"Match report {n}", "text": f"The home side won {n} to nil.", "publish_date": f"2022/0{n}/10"}
        for n, url in enumerate(OTHERS_2022, start=1)
    ),
    {
        "url": "https://www.cnn.com/2021/03/03/us/old-news/index.html",
        "title": "Old",
        "text": "Old.",
        "publish_date": "2021/03/03",
    },
]


def question_records() -> list[dict]:
    return [
        {
            "question_id": qid,
            "question": question,
            "answer_text": answer,
            "answer_start": CONTEXTS[url].index(answer),
            "article_url": url,
            "article_publish_date": date,
            "context": CONTEXTS[url],
        }
        for qid, question, answer, url, date in QUESTIONS
    ]


@pytest.fixture
def rtqa(tmp_path: Path) -> Path:
    folder = tmp_path / "rtqa"
    folder.mkdir()
    (folder / "extractive-2022.jsonl").write_text("".join(json.dumps(q) + "\n" for q in question_records()), "utf-8")
    with gzip.open(folder / "articles.jsonl.gz", "wt", encoding="utf-8") as file:
        file.writelines(json.dumps(a) + "\n" for a in ARTICLES)
    return folder


def sha1_order(urls: list[str]) -> list[str]:
    return sorted(urls, key=lambda url: hashlib.sha1(url.encode()).hexdigest())


def test_the_layout_is_told_from_the_fields(rtqa, tmp_path):
    assert detect_layout(rtqa / "extractive-2022.jsonl") == REALTIMEQA
    squad = tmp_path / "questions.jsonl"
    squad.write_text(json.dumps({"id": "q", "question": "?", "answers": ["a"], "article": "A", "paragraph": 0}) + "\n")
    assert detect_layout(squad) == SQUAD


def test_questions_carry_the_gold_url_and_the_paragraph_holding_the_answer(rtqa):
    items = load_realtimeqa(rtqa / "extractive-2022.jsonl")
    assert [item.id for item in items] == ["rt1", "rt2", "rt3", "rt4"]
    ribbon = items[1]
    assert ribbon.url == ribbon.article == BRIDGE and ribbon.answers == ("Lena Brandt",)
    assert ribbon.paragraph == "The mayor of Ostra, Lena Brandt, cut the ribbon at the opening of the bridge."
    assert items[0].paragraph.startswith("“Squid Game” is officially")
    assert gold_paragraph("One.\n\n  Two  words.\n\nThree.", 8) == "Two words."


def test_the_split_is_the_parity_of_the_question_ids_sha1(rtqa):
    assert [question_split(q) for q in ("rt1", "rt2", "rt3", "rt4", "20220617_0")] == ["test", "test", "dev", "dev", "dev"]
    assert [item.id for item in load_realtimeqa(rtqa / "extractive-2022.jsonl", split="test")] == ["rt1", "rt2"]
    assert [item.id for item in load_realtimeqa(rtqa / "extractive-2022.jsonl", split="dev")] == ["rt3", "rt4"]


def test_titles_from_a_url_slug():
    assert slug_title(SQUID) == "Squid game season 2"
    assert slug_title(BRIDGE) == "Valdoria bridge opens"  # the trailing all-digit segment is skipped
    assert outlet(SQUID) == "cnn.com" and outlet(BRIDGE) == "usatoday.com"


def test_the_corpus_is_the_gold_articles_then_others_of_the_main_year_in_sha1_order():
    records = corpus_records(question_records(), iter(ARTICLES), others=2)
    assert [r["url"] for r in records] == [SQUID, BRIDGE, CHEESE, *sha1_order(OTHERS_2022)[:2]]
    squid, bridge, cheese = records[:3]
    assert bridge["title"] == "Valdoria opens its longest bridge"  # from the articles file
    assert squid["title"] == "Squid game season 2" and cheese["title"] == "Brenna cheese prices surge"  # from the slug
    assert bridge["text"] == CONTEXTS[BRIDGE]  # the question's context, not the file's text
    assert squid == {
        "title": "Squid game season 2",
        "text": CONTEXTS[SQUID],
        "url": SQUID,
        "date": "2022-06-12",
        "source": "cnn.com",
    }
    assert records[3]["date"].startswith("2022-0") and records[3]["source"] == "usatoday.com"
    every = corpus_records(question_records(), iter(ARTICLES), others=100)
    assert [r["url"] for r in every[3:]] == sha1_order(OTHERS_2022)  # neither the 2021 article nor a gold url


def test_the_main_year_is_the_most_common_gold_year():
    questions = [{"article_publish_date": d} for d in ("2021/12/31", "2022/01/02", "2022/03/04")]
    assert main_year(questions) == "2022"


def run_json(capsys, *args: str) -> list[dict]:
    assert main(["evaluate", *args, "--json"]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_the_command_on_realtimeqa_builds_the_corpus_beside_the_index(rtqa, tmp_path, capsys):
    index = tmp_path / "index"
    reports = run_json(
        capsys,
        *("--questions", str(rtqa / "extractive-2022.jsonl"), "--corpus", str(rtqa / "articles.jsonl.gz")),
        *("--index", str(index), "--others", "3", "--mode", "rerank", "--mode", "bm25"),
    )
    corpus = [json.loads(line) for line in (tmp_path / "index-corpus" / "realtimeqa.jsonl").read_text("utf-8").splitlines()]
    assert [r["url"] for r in corpus] == [SQUID, BRIDGE, CHEESE, *sha1_order(OTHERS_2022)[:3]]
    assert [r["mode"] for r in reports] == ["rerank", "bm25"]
    rerank = reports[0]
    assert rerank["questions"] == 4 and rerank["unmapped"] == 0
    assert rerank["recall"]["20"] == 1.0 and rerank["recall"]["1"] >= 0.75
    assert rerank["answerable_abstained"] == 0.0
    assert set(rerank["sources_hold_answer"]) == {"1", "5"} and rerank["sources_hold_answer"]["5"] >= 0.75
    assert rerank["sources_hold_answer"]["1"] <= rerank["sources_hold_answer"]["5"]
    assert rerank["contains_gold"] >= 0.5 and 0 <= rerank["exact_match"] <= rerank["contains_gold"]
    assert 0 <= rerank["short_answer"] <= 1 and rerank["latency_p95_ms"] >= rerank["latency_p50_ms"] > 0


def test_the_command_on_a_realtimeqa_split_sample(rtqa, tmp_path, capsys):
    questions, corpus = str(rtqa / "extractive-2022.jsonl"), str(rtqa / "articles.jsonl.gz")
    base = ["--questions", questions, "--corpus", corpus, "--index", str(tmp_path / "index"), "--mode", "bm25"]
    (test,) = run_json(capsys, *base, "--split", "test", "--retrieval-only")
    assert test["questions"] == 2 and test["f1"] is None and test["sources_hold_answer"] is None
    (sampled,) = run_json(capsys, *base, "--sample", "3", "--seed", "7", "--top", "1")
    assert sampled["questions"] == 3 and sampled["sources_hold_answer"]["5"] is None  # only one source was asked for


def test_as_asked_asks_each_question_on_its_day_and_later_articles_are_left_out(rtqa, tmp_path, capsys):
    corpus = str(rtqa / "articles.jsonl.gz")
    base = ["--corpus", corpus, "--index", str(tmp_path / "index"), "--mode", "bm25", "--as-asked", "--others", "3"]
    (today,) = run_json(capsys, "--questions", str(rtqa / "extractive-2022.jsonl"), *base)
    assert today["answerable_abstained"] == 0.0  # the ids say no day: asked today, every article counts
    early = rtqa / "asked-in-january.jsonl"
    early.write_text("".join(json.dumps({**q, "question_date": "2022/01/01"}) + "\n" for q in question_records()), "utf-8")
    (january,) = run_json(capsys, "--questions", str(early), *base)
    assert january["answerable_abstained"] == 1.0  # every article of the corpus was published after that day


def test_options_of_the_other_layout_are_refused(rtqa, capsys):
    args = ["evaluate", "--questions", str(rtqa / "extractive-2022.jsonl"), "--corpus", str(rtqa / "articles.jsonl.gz")]
    assert main([*args, "--articles-from", "2"]) == 2
    assert "SQuAD layout only" in capsys.readouterr().err


def test_a_questions_file_in_no_known_layout_is_a_clear_error(tmp_path, capsys):
    questions = tmp_path / "questions.jsonl"
    questions.write_text(json.dumps({"q": "what?", "a": "this"}) + "\n", "utf-8")
    assert main(["evaluate", "--questions", str(questions), "--corpus", str(tmp_path)]) == 2
    assert "neither SQuAD fields" in capsys.readouterr().err


def test_held_out_gold_articles_are_removed_by_url(rtqa, tmp_path, capsys):
    (report,) = run_json(
        capsys,
        *("--questions", str(rtqa / "extractive-2022.jsonl"), "--corpus", str(rtqa / "articles.jsonl.gz")),
        *("--index", str(tmp_path / "index"), "--others", "0", "--heldout", "1", "--mode", "rerank"),
    )
    corpus = (tmp_path / "index-corpus" / "realtimeqa.jsonl").read_text("utf-8").splitlines()
    assert [json.loads(line)["url"] for line in corpus] == [SQUID, BRIDGE, CHEESE]  # no others at all
    assert report["heldout_questions"] == 1 and report["heldout_abstained"] == 1.0  # the Squid Game article is held out
    assert report["questions"] == 3 and report["answerable_abstained"] == 0.0


# The tiny set's questions asked in Russian and German (rt4 left untranslated).
TRANSLATIONS = [
    {"question_id": "rt1", "question": "Какое шоу возвращается со вторым сезоном?"},
    {"question_id": "rt2", "question": "Wer hat bei der Eröffnung der Ostra-Brücke das Band durchgeschnitten?"},
    {"question_id": "rt3", "question": "Wie lang ist die Ostra-Brücke über die Mirren-Mündung?"},
]


def test_translated_questions_are_asked_on_the_cross_lingual_path(rtqa, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("NEWSQA_MULTILINGUAL", "0")  # the bot's switch: translated questions take the path anyway
    translations = tmp_path / "translations.jsonl"
    translations.write_text("".join(json.dumps(t, ensure_ascii=False) + "\n" for t in TRANSLATIONS), "utf-8")
    index = tmp_path / "index"
    assert main([
        "evaluate", "--json",
        *("--questions", str(rtqa / "extractive-2022.jsonl"), "--corpus", str(rtqa / "articles.jsonl.gz")),
        *("--index", str(index), "--others", "3", "--mode", "rerank", "--translations", str(translations)),
    ]) == 0  # fmt: skip
    printed = capsys.readouterr()
    (report,) = [json.loads(line) for line in printed.out.splitlines()]
    assert "1 of 4 questions have no translation and were left out" in printed.err
    assert report["questions"] == 3 and report["answerable_abstained"] == 0.0
    assert report["sources_hold_answer"]["5"] == 1.0  # each answered from its English article, in another language
    info = json.loads(next(index.glob("v-*/info.json")).read_text("utf-8"))
    assert info["multilingual"]  # the index got its cross-lingual part


def test_a_bad_translations_file_is_a_clear_error(rtqa, tmp_path, capsys):
    args = ["evaluate", "--questions", str(rtqa / "extractive-2022.jsonl"), "--corpus", str(rtqa / "articles.jsonl.gz")]
    assert main([*args, "--translations", str(tmp_path / "nope.jsonl")]) == 2
    assert "nope.jsonl does not exist" in capsys.readouterr().err
    broken = tmp_path / "broken.jsonl"
    broken.write_text(json.dumps({"question_id": "rt1"}) + "\n", "utf-8")
    assert main([*args, "--index", str(tmp_path / "index"), "--translations", str(broken)]) == 2
    assert "broken.jsonl, record 1" in capsys.readouterr().err
    broken.write_text("{not json\n", "utf-8")
    assert main([*args, "--index", str(tmp_path / "index"), "--translations", str(broken)]) == 2
    assert "is not JSON lines" in capsys.readouterr().err
    assert main([*args, "--translations", str(broken), "--retrieval-only"]) == 2
    assert "cross-lingual path" in capsys.readouterr().err
