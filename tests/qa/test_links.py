"""Sources link to the quoted passage itself: the article's url plus a text fragment of the quote's first words."""

from __future__ import annotations

from bot.telegram.html import citation_html
from embeddings.qa.links import quote_link
from embeddings.qa.results import Answer, Source

QUOTE = "Russian President Vladimir Putin and North Korean leader Kim Jong-un signed a mutual-defense pact, last week."


def source(url: str | None) -> Source:
    return Source("Pact", "DW", "2024-06-24", url, "a.txt", 1, QUOTE, 0.9)


def test_the_link_opens_the_article_at_the_quote_first_eight_words():
    assert quote_link("https://dw.com/pact#top", QUOTE) == (
        "https://dw.com/pact#:~:text=Russian%20President%20Vladimir%20Putin%20and%20North%20Korean%20leader"
    )


def test_dashes_commas_and_ampersands_are_escaped_as_the_fragment_syntax_requires():
    link = quote_link("https://x.org/a?b=1", "Kim Jong-un, Q&A said", words=3)
    assert link == "https://x.org/a?b=1#:~:text=Kim%20Jong%2Dun%2C%20Q%26A"


def test_no_link_without_a_web_address_or_a_quote():
    assert quote_link(None, QUOTE) is None and quote_link("corpus/a.txt", QUOTE) is None
    assert quote_link("https://x.org", "  ") is None


def test_ask_json_gets_a_link_field_and_keeps_the_url_field():
    [data] = Answer("who?", "Putin", False, [source("https://dw.com/pact")]).to_dict()["sources"]
    assert data["url"] == "https://dw.com/pact" and data["link"].startswith("https://dw.com/pact#:~:text=Russian%20")
    [plain] = Answer("who?", "Putin", False, [source(None)]).to_dict()["sources"]
    assert plain["link"] is None


def test_the_telegram_citation_links_the_title_to_the_quote():
    assert 'href="https://dw.com/pact#:~:text=Russian%20President' in citation_html(source("https://dw.com/pact"))
