"""HTML pages: the article text, title, date and site name, via trafilatura's main-content extraction."""

from __future__ import annotations

from lxml import etree

from embeddings.ingest.articles import Article, Block
from embeddings.ingest.parsing.body import finish_body
from embeddings.ingest.parsing.dates import parse_date


def parse_html(text: str, path: str, url: str | None = None) -> list[Article]:
    """The page's article; `url` is where the page was fetched from, when known (the fetcher gives it)."""
    import trafilatura  # imported here: it is only needed when a corpus holds HTML

    extracted = trafilatura.extract(
        text, url=url, output_format="xml", with_metadata=True, include_comments=False, include_tables=False, favor_recall=True
    )
    if not extracted:
        return []
    doc = etree.fromstring(extracted.encode("utf-8"))
    blocks: list[Block] = []
    for element in doc.iter("head", "p", "item", "quote"):
        content = " ".join("".join(element.itertext()).split())
        if not content:
            continue
        blocks.append(Block(content, is_heading=element.tag == "head"))
    title = (doc.get("title") or "").strip()
    if not title and blocks and blocks[0].is_heading:
        title = blocks[0].text
    if blocks and blocks[0].is_heading and blocks[0].text == title:
        blocks.pop(0)
    body = finish_body(blocks)
    if not body:
        return []
    return [
        Article(
            title=title or path,
            blocks=body,
            path=path,
            source_id=path,
            outlet=(doc.get("sitename") or doc.get("hostname") or None),
            date=parse_date(doc.get("date")),
            url=doc.get("url") or url,
            extra={"author": doc.get("author")} if doc.get("author") else {},
        )
    ]
