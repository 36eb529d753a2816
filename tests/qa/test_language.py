"""Which path a question takes: English stays English (even short or name-only questions); others are detected."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from embeddings.qa.language import question_language, text_language

SET = Path(__file__).resolve().parent.parent / "data" / "seed_questions_multilingual.jsonl"
SECOND = SET.with_name("seed_questions_multilingual_tuning2.jsonl")


def test_the_seed_test_sets_are_detected_in_their_languages():
    items = [json.loads(line) for name in (SET, SECOND) for line in name.read_text("utf-8").splitlines()]
    wrong = [item["id"] for item in items if question_language(item["question"]) != item["language"]]
    assert wrong == ["de-13"]  # "Wie backe ich Bananenbrot?" (p=0.85) stays English; it is off-topic either way


def test_a_spanish_question_mark_leaves_the_english_path_when_the_detector_hesitates():
    assert question_language("¿Está Corea del Norte modernizando sus armas?") == "es"  # 0.896 Spanish alone
    assert question_language("Está Corea del Norte modernizando sus armas?") == "en"  # unsure without its mark


@pytest.mark.parametrize("question", ["Putin?", "Kim Jong-un?", "Seoul?", "who signed the pact?", "and when?", "Where?"])
def test_short_or_name_only_english_questions_keep_the_english_path(question):
    assert question_language(question) == "en"


def test_a_confident_foreign_reading_leaves_the_english_path():
    # The one SQuAD dev question of 10,570 that leaves the English path (docs/quality.md).
    assert question_language("How are ergänzungsschulen funded?") == "de"


def test_non_latin_scripts_leave_the_english_path_even_when_short():
    assert question_language("Кто?") == "ru"
    assert question_language("누구?") == "ko"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Der Neubau hat 24 Millionen Euro gekostet, davon übernahm das Land Baden-Württemberg acht Millionen.", "de"),
        ("부산시는 다리 통행료를 받지 않기로 했다.", "ko"),  # a short sentence in Hangul is enough
        ("The new library cost 24 million euros, eight of which the state of Baden-Württemberg paid.", "en"),
        ("Beth Ann Nichols", "en"),  # a byline: the detector says German
        ("3. Ukraine", "en"),  # a list item: it says Polish
        ("★★★½", "en"),
    ],
)
def test_a_passage_is_foreign_only_when_long_enough_to_tell(text, language):
    assert text_language(text) == language
