"""Markdown articles: optional YAML front matter (title, date, source/outlet, url), `#` headings, paragraphs."""

from __future__ import annotations

import re

import yaml
from lxml import html as lxml_html
from markdown_it import MarkdownIt

from embeddings.ingest.articles import Article, Block
from embeddings.ingest.parsing.body import finish_body
from embeddings.ingest.parsing.dates import parse_date

_FRONT_MATTER = re.compile(r"\A---\s*\n(?P<yaml>.*?)\n(?:---|\.\.\.)\s*(?:\n|\Z)", re.DOTALL)
_MD = MarkdownIt("commonmark")


def _plain(inline_markdown: str) -> str:
    """Inline Markdown (links, emphasis, code) as the text a reader sees."""
    rendered = _MD.renderInline(inline_markdown)
    if "<" not in rendered and "&" not in rendered:
        return rendered.strip()
    return lxml_html.fragment_fromstring(rendered, create_parent="div").text_content().strip()


def _meta_text(meta: dict, *keys: str) -> str | None:
    for key in keys:
        value = meta.get(key)
        if value not in (None, ""):
            return str(value).strip()
    return None


def parse_markdown(text: str, path: str) -> list[Article]:
    meta: dict = {}
    if (match := _FRONT_MATTER.match(text)) is not None:
        try:
            loaded = yaml.safe_load(match["yaml"])
        except yaml.YAMLError as error:
            raise ValueError(f"front matter is not valid YAML ({error.__class__.__name__})") from None
        meta = loaded if isinstance(loaded, dict) else {}
        text = text[match.end() :]

    title = _meta_text(meta, "title", "headline")
    blocks: list[Block] = []
    tokens = _MD.parse(text)
    for position, token in enumerate(tokens):
        if token.type != "inline":
            continue
        opener = tokens[position - 1].type
        content = _plain(token.content)
        if not content:
            continue
        if opener == "heading_open":
            if title is None and tokens[position - 1].tag == "h1":
                title = content
            else:
                blocks.append(Block(content, is_heading=True))
        elif opener == "paragraph_open":
            blocks.append(Block(" ".join(content.split("\n"))))
    if title is None and blocks and not blocks[0].is_heading:
        title = blocks.pop(0).text
    body = finish_body(blocks)
    if not title or not body:
        return []
    date_value = meta.get("date") or meta.get("published")
    return [
        Article(
            title=title,
            blocks=body,
            path=path,
            source_id=path,
            outlet=_meta_text(meta, "source", "outlet", "publisher", "site"),
            date=parse_date(str(date_value)) if date_value else None,
            url=_meta_text(meta, "url", "link", "canonical"),
        )
    ]
