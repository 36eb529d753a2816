"""Telegram HTML of answers: escaped, the answer bold, quotes in blockquotes, and split to fit Telegram's limit.

Every message is checked with the fake server's parser, which refuses what Telegram refuses.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.telegram.html import (
    MESSAGE_LIMIT,
    about_html,
    answer_messages,
    articles_messages,
    help_html,
    more_sources_messages,
    split_messages,
    text_pieces,
    utf16_length,
    visible_length,
)
from embeddings import Answer, AnswerDate, ArticleSummary, IndexInfo, Source
from tests.telegram.fake_api import TelegramHTML


def source(quote: str, highlight: tuple[int, int] | None = None, **fields: object) -> Source:
    values = {"title": "Pact signed", "outlet": "Deutsche Welle", "date": "2024-06-24", "url": None, "path": "a.txt",
              "paragraph": 4, "quote": quote, "score": 0.6, "highlight": highlight, **fields}  # fmt: skip
    return Source(**values)  # type: ignore[arg-type]


def telegram_text(message: str) -> tuple[str, list[dict]]:
    """What Telegram would show, with its entities; fails the test where Telegram would refuse the message."""
    text, entities = TelegramHTML.parse(message)
    assert utf16_length(text.strip()) <= MESSAGE_LIMIT
    return text, entities


def test_the_short_answer_comes_first_in_bold_then_the_quotes_of_each_article_under_one_citation():
    quote = "Kim met Putin. Putin signed the pact with Kim Jong-un on Wednesday."
    answer = Answer("who signed?", "Putin and Kim Jong-un", False,
                    [source(quote, (15, 20), highlights=((15, 20), (42, 53)), url="https://dw.com/a?x=1&y=2"),
                     source("Second quote.", paragraph=7, url="https://dw.com/a?x=1&y=2"),
                     source("Other article.", title="Reaction", path="b.txt", paragraph=2)],
                    answer_type="person")  # fmt: skip
    [message] = answer_messages(answer, count=3)
    assert message.startswith("<b>Putin and Kim Jong-un</b>\n\n")
    bolded = "Kim met Putin. <b>Putin</b> signed the pact with <b>Kim Jong-un</b> on Wednesday."
    assert f"¶4\n<blockquote>{bolded}</blockquote>" in message
    assert message.count("Pact signed") == 1  # one citation for the article's two quotes, after the last of them
    fragment = "#:~:text=Kim%20met%20Putin.%20Putin%20signed%20the%20pact%20with"  # the article's first quote
    link = f'<a href="https://dw.com/a?x=1&amp;y=2{fragment}">Pact signed</a>'
    assert f"¶7\n<blockquote>Second quote.</blockquote>\n— {link}, Deutsche Welle, Jun 24, 2024" in message
    assert "¶2\n<blockquote>Other article.</blockquote>\n— Reaction, Deutsche Welle, Jun 24, 2024" in message
    _, entities = telegram_text(message)
    assert [entity["type"] for entity in entities].count("blockquote") == 3
    link = next(entity for entity in entities if entity["type"] == "text_link")
    assert link["url"] == "https://dw.com/a?x=1&y=2" + fragment


def test_a_sentence_answer_is_not_printed_twice_it_is_bold_in_its_quote():
    quote = "Kim met Putin. Putin signed the pact with Kim Jong-un on Wednesday."
    answer = Answer("why?", quote[15:], False, [source(quote, (15, len(quote)))])
    [message] = answer_messages(answer, count=3)
    text, _ = telegram_text(message)
    assert text.count("Putin signed the pact") == 1
    assert "<b>Putin signed the pact with Kim Jong-un on Wednesday.</b></blockquote>" in message


def test_a_relative_date_in_the_answer_is_shown_with_what_it_means():
    when = AnswerDate("last week", "2024-06-17", "2024-06-23", "the week of Jun 17, 2024", "2024-06-24")
    answer = Answer("when?", "last week", False, [source("It was signed last week.", (14, 23))], "date", when)
    [message] = answer_messages(answer, count=1)
    assert message.startswith("<b>last week</b> (the week of Jun 17, 2024; the article is dated Jun 24, 2024)")


def test_a_long_quote_is_folded_into_an_expandable_blockquote():
    long = "The minister said the plan would cost more than expected. " * 10
    [message] = answer_messages(Answer("q", "plan", False, [source(long.strip(), (23, 27))], "thing"), count=1)
    _, entities = telegram_text(message)
    assert "<blockquote expandable>" in message and [e["type"] for e in entities].count("expandable_blockquote") == 1


def test_everything_from_the_articles_is_escaped():
    hostile = 'Use <script>alert("x")</script> & <b>bold</b> &amp; "quotes"'
    answer = Answer("q <i>", hostile, False, [source(hostile, (0, 3), title="<Title & Co>", outlet="A&B <News>")])
    [message] = answer_messages(answer, count=1)
    text, _ = telegram_text(message)
    assert hostile in text and "<Title & Co>" in text and "A&B <News>" in text
    assert "<script>" not in message


def test_only_web_addresses_become_links():
    [message] = answer_messages(Answer("q", "a", False, [source("x", url="javascript:alert(1)")]), count=1)
    assert "<a " not in message and "javascript" not in message


def test_abstention_is_one_polite_sentence_without_quotes_and_the_question_escaped():
    [message] = answer_messages(Answer("<b>banana</b> & bread?", None, True, []), count=3)
    text, entities = telegram_text(message)
    assert text.startswith("Sorry, I couldn't find an answer to “<b>banana</b> & bread?” in the articles.")
    assert "blockquote" not in message and entities == []


def test_a_very_long_question_is_shortened_in_the_abstention():
    [message] = answer_messages(Answer("why " * 1024, None, True, []), count=3)
    assert visible_length(message) < 400 and "…" in message


def test_long_answers_are_split_between_sources_never_inside_a_tag():
    paragraph = "The minister said the plan would cost more than expected. " * 30  # ~1,750 characters
    answer = Answer("q", "The plan.", False, [source(paragraph.strip(), (0, 58), paragraph=n) for n in range(5)], "thing")
    messages = answer_messages(answer, count=5)
    assert len(messages) == 3
    for message in messages:
        telegram_text(message)  # balanced, allowed tags, under the limit
        assert message.count("<blockquote") == message.count("</blockquote>")
    assert sum(message.count("<blockquote") for message in messages) == 5
    assert messages[0].startswith("<b>The plan.</b>")


def test_a_paragraph_longer_than_a_message_is_cut_after_a_sentence_and_keeps_its_citation():
    quote = " ".join(f"Sentence number {n} is here." for n in range(400))  # ~11,000 characters
    start = quote.index("Sentence number 150")
    answer = Answer("q", "x", False, [source(quote, (start, start + 80))], "thing")
    messages = answer_messages(answer, count=1)
    assert len(messages) >= 3
    texts = [telegram_text(message)[0] for message in messages]
    quoted = " ".join(text.split("— Pact signed")[0].replace("¶4", "") for text in texts)
    assert " ".join(quoted.split()) == "x " + quote
    assert all(text.rstrip().endswith("here.") or "— Pact signed" in text for text in texts)
    assert "— Pact signed, Deutsche Welle" in texts[-1]
    assert sum(message.count("<b>") for message in messages) >= 2  # the answer, and the span wherever it fell


def test_length_counts_utf16_code_units_like_telegram():
    emoji = "😀"  # outside the Basic Multilingual Plane: two UTF-16 code units
    assert utf16_length(emoji * 3) == 6 and visible_length("<b>&amp;</b>") == 1
    pieces = text_pieces(emoji * 3000, 4096)
    assert [end - start for start, end in pieces] == [2048, 952]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.text(alphabet=st.sampled_from("ab c.\n<>&\"'😀é"), min_size=1, max_size=3000), min_size=1, max_size=6),
    st.integers(min_value=0, max_value=40),
)
def test_any_sources_render_as_valid_messages_under_the_limit_losing_no_text(quotes, bold_start):
    sources = [source(quote, (bold_start, bold_start + 30)) for quote in quotes]
    answer = Answer("q", quotes[0][:5000], False, sources)
    messages = answer_messages(answer, count=len(sources))
    shown = "".join(telegram_text(message)[0] for message in messages)
    for quote in quotes:
        for word in quote.split():
            assert word in shown


def test_split_messages_packs_blocks_and_refuses_an_oversized_one():
    assert split_messages(["a" * 2000, "b" * 2000, "c" * 2000]) == ["a" * 2000 + "\n\n" + "b" * 2000, "c" * 2000]
    try:
        split_messages(["x" * 5000])
    except ValueError as error:
        assert "cannot fit" in str(error)
    else:
        raise AssertionError("an oversized block must be refused")


def test_more_sources_names_the_question_and_shows_the_next_page():
    answer = Answer("who & why?", "a", False, [source(f"Quote {n}.") for n in range(7)])
    [message] = more_sources_messages(answer, start=3, count=3)
    text, _ = telegram_text(message)
    assert text.startswith("More sources for “who & why?”:")
    assert ["Quote 3." in text, "Quote 5." in text, "Quote 6." in text] == [True, True, False]


def test_sources_about_and_help_list_what_the_bot_knows():
    day = dt.date(2024, 6, 10)
    articles = [ArticleSummary(f"Story {n} <x>", "DW", str(day + dt.timedelta(n)), None, f"{n}.txt", n + 1) for n in range(60)]
    messages = articles_messages(articles)
    text = "".join(telegram_text(message)[0] for message in messages)
    assert text.startswith("60 articles, 1830 passages")
    assert "Story 59 <x>, DW, Aug 8, 2024 (60 passages)" in text  # newest first
    assert "…and 10 older articles." in text and "Story 0 <x>" not in text
    about, _ = telegram_text(about_html(IndexInfo("v3", "all-MiniLM-L6-v2", 384, "2024-06-25T10:00:00Z", 1, 8)))
    assert "1 article, 8 passages" in about and "all-MiniLM-L6-v2 (384 dimensions)" in about
    help_text, _ = telegram_text(help_html(articles[:1]))
    assert "1 news article from DW, dated Jun 10, 2024" in help_text and "who signed the pact?" in help_text


# --- hostile input: whatever people type and whatever articles hold, Telegram accepts every message -------------

HOSTILE = st.one_of(
    st.text(),  # any Unicode (hypothesis favours edge cases: controls, combining marks, astral planes)
    st.sampled_from(
        [
            "😀",
            "👍🏽",
            "🇺🇦",
            "👨‍👩‍👧",
            "ש",
            "ع",
            "\u202e",
            "\u200b",
            "\u200d",
            "\ufeff",
            "\x00",
            "\x1b",
            "\x7f",
            "\r\n",
            "\t",
            "<b>",
            "</b>",
            "</blockquote>",
            "<a href='x'>",
            "&amp;",
            "&#0;",
            "&#x110000;",
            "&",
            "*bold*",
            "_it_",
            "`code`",
            "[link](http://x)",
            "<script>alert(1)</script>",
            "<!--",
            "]]>",
            " ",
        ]
    ),
)
HOSTILE_TEXT = st.lists(HOSTILE, max_size=40).map("".join)


def long_hostile_text(max_size: int) -> st.SearchStrategy[str]:
    """Hostile snippets, sometimes repeated up to `max_size` characters (Telegram's own limit for a question)."""
    return st.tuples(HOSTILE_TEXT, st.integers(min_value=1, max_value=400)).map(lambda pair: (pair[0] * pair[1])[:max_size])


def assert_telegram_accepts(messages: list[str]) -> None:
    assert messages, "an answer must be at least one message"
    for message in messages:
        text, _ = telegram_text(message)  # refused HTML or more than 4096 UTF-16 units fails here
        assert text.strip(), "Telegram refuses an empty message"


@settings(max_examples=150, deadline=None)
@given(
    question=long_hostile_text(4096),
    answer_text=HOSTILE_TEXT,
    quote=long_hostile_text(6000),
    title=HOSTILE_TEXT,
    outlet=HOSTILE_TEXT,
    url=st.one_of(st.none(), st.sampled_from(["https://example.org/a?b=1&c=<2>", "javascript:alert(1)", 'http://x/"q"'])),
    highlight=st.one_of(st.none(), st.tuples(st.integers(-5, 7000), st.integers(-5, 7000))),
)
def test_any_question_and_any_quoted_paragraph_make_messages_telegram_accepts(question, answer_text, quote, title, outlet,
                                                                             url, highlight):  # fmt: skip
    quoted = source(quote, highlight, title=title or "Untitled", outlet=outlet or None, url=url)
    answered = Answer(question, answer_text or "An answer.", False, (quoted, quoted))
    assert_telegram_accepts(answer_messages(answered, count=2))
    assert_telegram_accepts(more_sources_messages(answered, 0, 2))
    assert_telegram_accepts(answer_messages(Answer(question, "", True, ()), count=3))  # the polite abstention


@settings(max_examples=50, deadline=None)
@given(question=long_hostile_text(4096))
def test_the_question_echoed_in_an_abstention_is_escaped_and_shortened(question):
    [message] = answer_messages(Answer(question, "", True, ()), count=3)
    text, entities = telegram_text(message)
    assert entities == [] and text.startswith("Sorry, I couldn't find an answer to “")
    assert utf16_length(text) < 600
