"""The bot's own words follow the question's language (console, `ask`, Telegram) or the user's app language (/help)."""

from __future__ import annotations

import pytest

from bot.messages import WORDS, words
from bot.render import render_text
from bot.telegram.answers import answer_from_json, answer_to_json
from bot.telegram.buttons import more_row
from bot.telegram.html import abstain_html, answer_messages, help_html, more_sources_messages
from embeddings import Answer, ArticleSummary, Source

QUOTE = "Vladimir Putin signed the pact together with Kim Jong-un."


def sentence_answer(language: str) -> Answer:
    source = Source("Pact", "DW", "2024-06-24", None, "a.txt", 4, QUOTE, 0.3, "Heading", (0, len(QUOTE)), (0, len(QUOTE)))
    return Answer("q?", QUOTE, False, [source, source], None, None, language)


@pytest.mark.parametrize("language", ["ru", "es", "de", "fr", "ko", "ja", "zh"])
def test_every_language_has_its_own_words_for_every_phrase(language):
    english = WORDS["en"]
    for name, phrase in vars(WORDS[language]).items():
        if name != "help":
            assert phrase and phrase != getattr(english, name), name


def test_abstention_is_said_in_the_question_language():
    assert render_text(Answer("Кто выиграл?", None, True, language="ru")) == "Я не нашёл этого в статьях."
    assert render_text(Answer("Who won?", None, True)) == "I couldn't find that in the articles."
    assert "„Wer gewann?“" in answer_messages(Answer("Wer gewann?", None, True, language="de"), 3)[0]
    assert abstain_html("누가?", "ko").startswith("죄송합니다")


def test_an_answer_keeps_the_english_quote_and_translates_the_words_around_it():
    text = render_text(sentence_answer("es"))
    assert text.startswith("De los artículos") and QUOTE in text and "párrafo 4, en “Heading”" in text
    assert answer_messages(sentence_answer("ja"), 1)[0].startswith("記事より")
    assert more_sources_messages(sentence_answer("zh"), 1, 1)[0].startswith("“q?”的更多来源")


def test_the_more_sources_button_and_help_follow_the_language():
    assert more_row("k", 5, 3, "de")[0].text == "Weitere Quellen (2)"
    assert more_row("k", 5, 3)[0].text == "More sources (2)"
    articles = [ArticleSummary("Pact", "DW", "2024-06-24", None, "a.txt", 8)]
    assert "Кто подписал пакт?" in help_html(articles, "ru-RU")
    assert "who signed the pact?" in help_html(articles, "pt-br")  # no Portuguese words yet: English
    assert words(None) is WORDS["en"]


def test_a_stored_answer_keeps_its_language_for_the_buttons():
    assert answer_from_json(answer_to_json(sentence_answer("ko"))).language == "ko"


def test_what_a_relative_date_means_is_said_in_the_question_language():
    from embeddings import AnswerDate

    source = sentence_answer("ru").sources[0]
    week = AnswerDate("last week", "2024-06-17", "2024-06-23", "the week of Jun 17, 2024", "2024-06-24")
    russian = Answer("А когда?", "last week", False, [source], "date", week, "ru")
    note = "(неделя с Jun 17, 2024; статья датирована Jun 24, 2024)"
    assert render_text(russian).startswith(f"Ответ: last week {note}")
    assert note in answer_messages(russian, 1)[0]
    english = Answer("and when?", "last week", False, [source], "date", week)
    assert render_text(english).startswith("Answer: last week (the week of Jun 17, 2024; the article is dated Jun 24, 2024)")
    day = AnswerDate("on Sunday", "2024-06-23", "2024-06-23", "Jun 23, 2024", "2024-06-24")
    german = Answer("Und wann?", "on Sunday", False, [source], "date", day, "de")
    assert "(Jun 23, 2024; der Artikel ist vom Jun 24, 2024)" in render_text(german)
