"""The command line as a user runs it: `python -m embeddings build`, `python -m bot ask [--json]`, `python -m bot console`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

PACT_TITLE = "Seoul, Tokyo and Washington condemn the Pyongyang-Moscow pact"


def run(*args: str, stdin: str = "", cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("NEWSQA_MODEL", None)
    return subprocess.run(
        [sys.executable, *args], input=stdin, capture_output=True, text=True, cwd=cwd or ROOT, env=env, timeout=300
    )


@pytest.fixture
def folders(tmp_path, seed_corpus):
    return ["--corpus", str(seed_corpus), "--index", str(tmp_path / "index")]


def test_ask_json_builds_the_index_and_answers_with_the_stable_fields(folders):
    result = run("-m", "bot", "ask", "--json", *folders, "who signed the pact?")
    assert result.returncode == 0, result.stderr
    reply = json.loads(result.stdout)
    assert set(reply) == {"question", "answer", "abstained", "sources", "text", "answer_type", "answer_date", "language"}
    assert reply["language"] == "en"
    assert reply["answer"] == "Vladimir Putin and Kim Jong-un" and reply["answer_type"] == "person"
    assert reply["question"] == "who signed the pact?" and reply["abstained"] is False
    assert "Vladimir Putin" in reply["answer"] and "Kim Jong-un" in reply["answer"]
    source = reply["sources"][0]
    assert {"title", "outlet", "date", "url", "path", "paragraph", "quote", "score", "highlight", "highlights"} <= set(source)
    assert (source["title"], source["outlet"], source["date"]) == (PACT_TITLE, "Deutsche Welle", "2024-06-24")
    assert "Kim Jong-un" in source["quote"] and isinstance(source["score"], float)
    assert "Deutsche Welle, Jun 24, 2024" in reply["text"]
    assert "added 1" in result.stderr  # it built the missing index first


def test_ask_answers_in_the_question_language(folders):
    stdin = "Кто подписал пакт?\n¿Cuál es la receta del pan de plátano?\n"
    result = run("-m", "bot", "ask", "--json", *folders, stdin=stdin)
    assert result.returncode == 0, result.stderr
    russian, spanish = (json.loads(line) for line in result.stdout.splitlines())
    assert russian["language"] == "ru" and russian["answer"] == "Vladimir Putin and Kim Jong-un"
    assert russian["text"].startswith("Ответ: Vladimir Putin and Kim Jong-un") and "абзац 4" in russian["text"]
    assert spanish["abstained"] and spanish["text"] == "No encontré eso en los artículos."


def test_ask_reads_questions_from_stdin_and_abstains_off_topic(folders):
    stdin = "who signed the pact?\n\nwhat is the recipe for banana bread?\n"
    result = run("-m", "bot", "ask", "--json", "--top", "2", *folders, stdin=stdin)
    assert result.returncode == 0, result.stderr
    first, empty, off_topic = (json.loads(line) for line in result.stdout.splitlines())
    assert len(first["sources"]) == 2
    assert "ask a question" in empty["error"]
    assert off_topic["abstained"] is True and off_topic["sources"] == [] and off_topic["answer"] is None
    assert off_topic["text"] == "I couldn't find that in the articles."


def test_ask_as_of_a_day_sees_only_the_articles_published_by_then(folders):
    stdin = "who signed the pact?\n"
    before = run("-m", "bot", "ask", "--json", "--as-of", "2024-06-01", *folders, stdin=stdin)
    assert before.returncode == 0, before.stderr
    assert json.loads(before.stdout)["abstained"] is True  # the seed article is dated 2024-06-24
    after = run("-m", "bot", "ask", "--json", "--as-of", "2024-06-30", *folders, stdin=stdin)
    assert json.loads(after.stdout)["answer"] == "Vladimir Putin and Kim Jong-un"
    wrong = run("-m", "bot", "ask", "--as-of", "24/06/2024", *folders, "who signed the pact?")
    assert wrong.returncode == 2 and "write it as YYYY-MM-DD" in wrong.stderr and "Traceback" not in wrong.stderr


def test_build_then_console_answers_with_quote_and_source(folders, seed_corpus):
    built = run("-m", "embeddings", "build", *folders)
    assert built.returncode == 0, built.stderr
    assert "added 1, changed 0, removed 0" in built.stdout
    again = run("-m", "embeddings", "build", *folders)
    assert "index up to date" in again.stdout

    result = run("-m", "bot", "console", *folders, stdin="who signed the pact?\n\nand when was it signed?\n")
    assert result.returncode == 0, result.stderr
    assert "Answer: Vladimir Putin and Kim Jong-un\n" in result.stdout
    assert f"\n{PACT_TITLE}, Deutsche Welle, Jun 24, 2024\n  [1] “" in result.stdout and "(paragraph 4" in result.stdout
    assert "Answer: last week (the week of Jun 17, 2024; the article is dated Jun 24, 2024)" in result.stdout
    assert "Type a question about the articles" in result.stdout
    assert "Traceback" not in result.stderr


def test_bad_setups_give_clear_errors_without_tracebacks(tmp_path):
    (tmp_path / "empty").mkdir()
    empty = run("-m", "bot", "ask", "--corpus", str(tmp_path / "empty"), "--index", str(tmp_path / "i1"), "hello?")
    assert empty.returncode == 2 and "no readable articles" in empty.stderr and "Traceback" not in empty.stderr

    missing = run("-m", "embeddings", "build", "--corpus", str(tmp_path / "nope"), "--index", str(tmp_path / "i2"))
    assert missing.returncode == 2 and "does not exist" in missing.stderr and "Traceback" not in missing.stderr

    (tmp_path / "i3").mkdir()
    (tmp_path / "i3" / "CURRENT").write_text("v-gone")
    broken = run("-m", "bot", "ask", "--corpus", str(tmp_path / "nope"), "--index", str(tmp_path / "i3"), "hi?")
    assert broken.returncode == 2 and "python -m embeddings build" in broken.stderr and "Traceback" not in broken.stderr
