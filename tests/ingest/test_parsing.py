"""Every corpus format becomes articles with a clean title, outlet, date, url and verbatim paragraphs."""

from __future__ import annotations

import datetime as dt
import gzip
import json

import pytest

from embeddings.ingest.parsing import UnreadableFile, parse_bytes
from embeddings.ingest.parsing.page_text import split_slug
from tests.conftest import SEED


def parse(text: str, path: str, problems: list[str] | None = None):
    return parse_bytes(text.encode("utf-8"), path, (problems if problems is not None else []).append)


def test_seed_page_is_parsed_into_a_clean_article():
    [article] = parse_bytes(SEED.read_bytes(), SEED.name, print)

    assert article.title == "Seoul, Tokyo and Washington condemn the Pyongyang-Moscow pact"
    assert article.outlet == "Deutsche Welle"
    assert article.date == dt.date(2024, 6, 24)
    assert article.path == SEED.name
    text = "\n".join(article.paragraphs)
    assert "Keep reading" not in text and "US launches first bombing drill" not in text
    assert "By Scribe" not in text and "avatar" not in text
    assert article.paragraphs[0].startswith("South Korea, Japan and the United States condemned")
    assert article.paragraphs[-1].startswith("After the failure of the dialogue on denuclearization")
    headings = [block.text for block in article.blocks if block.is_heading]
    assert headings == ["They agreed on mutual military assistance", "“Ironclad” commitment of the US to its allies"]
    assert len(article.paragraphs) == 8


def test_seed_paragraphs_are_verbatim_lines_of_the_file():
    [article] = parse_bytes(SEED.read_bytes(), SEED.name, print)
    lines = set(SEED.read_text("utf-8").splitlines())
    assert all(paragraph in lines for paragraph in article.paragraphs)


@pytest.mark.parametrize(
    ("line", "title"),
    [
        (
            "storm-batters-coast,-thousands-without-powerStorm batters coast, thousands without power",
            "Storm batters coast, thousands without power",
        ),
        ("fed-raises-rates-againFed raises rates again, markets slide", "Fed raises rates again, markets slide"),
        ("fed-raisesFed raises rates again", "Fed raises rates again"),  # a slug cut short
        ("2024-budget-passes2024 budget passes", "2024 budget passes"),
        ("A plain headline - with a dash", "A plain headline - with a dash"),
        ("well-known-author dies", "well-known-author dies"),
    ],
)
def test_slug_glued_to_the_title_is_removed(line, title):
    assert split_slug(line) == title


def test_scraped_page_of_another_outlet_with_read_more_links():
    page = (
        "city-council-approves-budgetCity council approves budget\n"
        "Daily Planet avatar\n\nBy Daily Planet\n\nMarch 3, 2023\n\n"
        "The council approved the budget on Tuesday after a long debate.\n\n"
        "What comes next\n\n"
        "The mayor will sign it this week, officials said.\n\n"
        "Read more:\n\n  - Budget fight explained\n  - Council members vote\n\nBy scraper42\n"
    )
    [article] = parse(page, "planet/budget.txt")
    assert (article.title, article.outlet, article.date) == ("City council approves budget", "Daily Planet", dt.date(2023, 3, 3))
    assert article.paragraphs == [
        "The council approved the budget on Tuesday after a long debate.",
        "The mayor will sign it this week, officials said.",
    ]
    assert [b.text for b in article.blocks if b.is_heading] == ["What comes next"]


def test_plain_text_first_line_is_the_title_and_wrapped_lines_join():
    [article] = parse("Storm hits coast\n\nHeavy rain fell\nacross the coast overnight.\n\nPower was cut.\n", "storm.txt")
    assert article.title == "Storm hits coast"
    assert article.paragraphs == ["Heavy rain fell across the coast overnight.", "Power was cut."]
    assert article.outlet is None and article.date is None


def test_markdown_with_front_matter():
    text = (
        "---\ntitle: Talks resume in Geneva\ndate: 2024-05-02\nsource: Wire Service\nurl: https://example.org/talks\n---\n"
        "Delegates met on **Monday** in [Geneva](https://geneva.example).\n\n## Next steps\n\nA second round is planned.\n"
    )
    [article] = parse(text, "talks.md")
    assert article.title == "Talks resume in Geneva"
    assert (article.outlet, article.date, article.url) == ("Wire Service", dt.date(2024, 5, 2), "https://example.org/talks")
    assert article.paragraphs == ["Delegates met on Monday in Geneva.", "A second round is planned."]
    assert [b.text for b in article.blocks if b.is_heading] == ["Next steps"]


def test_markdown_without_front_matter_takes_the_h1_as_title():
    [article] = parse("# Mars rover finds water\n\nThe rover found ice under the surface.\n", "mars.md")
    assert article.title == "Mars rover finds water"
    assert article.paragraphs == ["The rover found ice under the surface."]


def test_html_article_text_title_date_and_site_from_meta_tags():
    html = (
        "<html><head><title>Pact signed | The Daily</title>"
        '<meta property="og:title" content="Pact signed in Pyongyang">'
        '<meta property="article:published_time" content="2024-06-19T10:00:00Z">'
        '<meta property="og:site_name" content="The Daily"><link rel="canonical" href="https://daily.example/pact"></head>'
        "<body><nav>Home | World | Sport</nav><article><h1>Pact signed in Pyongyang</h1>"
        "<p>Putin and Kim signed the pact on Wednesday in Pyongyang, officials said on the day.</p>"
        "<h2>Reactions</h2><p>Seoul condemned the pact in the strongest terms &amp; called for talks.</p>"
        "</article><footer>Copyright 2024</footer></body></html>"
    )
    [article] = parse(html, "pact.html")
    assert article.title == "Pact signed in Pyongyang"
    assert (article.outlet, article.date, article.url) == ("The Daily", dt.date(2024, 6, 19), "https://daily.example/pact")
    assert "Seoul condemned the pact in the strongest terms & called for talks." in article.paragraphs
    assert not any("Copyright" in p or "Home |" in p for p in article.paragraphs)


def test_jsonl_articles_with_text_or_paragraphs_and_bad_lines_reported():
    lines = [
        json.dumps(
            {
                "title": "One",
                "text": "First para.\n\nSecond para.",
                "url": "https://a.example/1",
                "date": "2020-01-02",
                "source": "A News",
            }
        ),
        "{not json",
        json.dumps({"title": "Two", "paragraphs": ["Only para."]}),
        json.dumps({"title": "No text"}),
    ]
    problems: list[str] = []
    one, two = parse("\n".join(lines), "feed.jsonl", problems)
    assert (one.title, one.paragraphs, one.outlet, one.date, one.url) == (
        "One",
        ["First para.", "Second para."],
        "A News",
        dt.date(2020, 1, 2),
        "https://a.example/1",
    )
    assert (one.source_id, two.source_id) == ("feed.jsonl#1", "feed.jsonl#3")
    assert two.paragraphs == ["Only para."]
    assert len(problems) == 2 and "feed.jsonl:2" in problems[0] and "feed.jsonl:4" in problems[1]


def test_gzipped_jsonl():
    data = gzip.compress(json.dumps({"title": "Zipped", "text": "Body text."}).encode())
    [article] = parse_bytes(data, "feed.jsonl.gz", print)
    assert article.title == "Zipped"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        ("Caf\u00e9 news\n\nLe caf\u00e9 est ferm\u00e9.".encode("latin-1"), "UTF-8"),
        (b"Only a title line", "no article text"),
    ],
)
def test_unusable_files_raise_a_clear_reason(data, reason):
    with pytest.raises(UnreadableFile, match=reason):
        parse_bytes(data, "bad.txt", print)


def test_invalid_front_matter_is_a_clear_error():
    with pytest.raises(UnreadableFile, match="YAML"):
        parse("---\ntitle: [unclosed\n---\nBody.\n", "bad.md")
