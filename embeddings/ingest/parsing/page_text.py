"""Plain-text news pages, including the scraped-page layout of our first corpus.

A scraped page looks like this (every part but the body optional):

    some-article-slugSome Article Title      <- URL slug glued to the headline
    Outlet Name avatar                       <- avatar alt text: noise
    By Outlet Name                           <- byline: the outlet
    Jun 24, 2024, 01:59 AM EDT               <- dateline
    Paragraphs, and short sub-heading lines between them.
    Keep reading:                            <- related links: dropped with their bullets
      • Another story
    By someuser                              <- who scraped it: dropped

A plain `.txt` file is the same minus the header: first line title, then paragraphs.
"""

from __future__ import annotations

import re

from embeddings.ingest.articles import Article, Block
from embeddings.ingest.parsing.body import finish_body
from embeddings.ingest.parsing.dates import is_date_line, parse_date

_BYLINE = re.compile(r"^by\s+(?P<who>\S.{0,80})$", re.IGNORECASE)
_AVATAR = re.compile(r"^(?P<who>.{1,80}?)\s+avatar$", re.IGNORECASE)
_BULLET = re.compile(r"^\s*(?:[•·▪◦‣*+-]|\d{1,2}[.)])\s+")
_RELATED = re.compile(
    r"^(keep reading|read more|read also|related( stories| articles| coverage)?|more on this( story)?|see also"
    r"|recommended|more stories|you may also like)\s*:?$",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!?:;,…][\"'”’)\]]*$")
_ALNUM = re.compile(r"[\W_]+")


def _alnum(text: str) -> str:
    return _ALNUM.sub("", text).lower()


def split_slug(line: str) -> str:
    """The headline from a first line that may carry the page's URL slug glued in front of it.

    The slug is the lowercase, space-free start of the line whose letters and digits are the
    first letters and digits of what follows (slugs may be cut short).
    """
    line = line.strip()
    first_space = line.find(" ")
    glued = line if first_space < 0 else line[:first_space]
    if not any(sep in glued for sep in "-_"):
        return line
    for cut in range(3, len(glued)):
        slug, rest = line[:cut], line[cut:]
        if slug != slug.lower() or not rest[:1].isalnum():
            continue
        slug_key = _alnum(slug)
        if len(slug_key) >= 3 and _alnum(rest).startswith(slug_key):
            return rest.strip()
    return line


def _is_heading(chunk: list[str], has_next: bool) -> bool:
    """A lone short line without closing punctuation, followed by more text, is a sub-heading."""
    if len(chunk) != 1 or not has_next:
        return False
    line = chunk[0].strip()
    return 0 < len(line) <= 120 and len(line.split()) <= 16 and not _SENTENCE_END.search(line)


def _chunks(lines: list[str]) -> list[list[str]]:
    """Blank-line separated chunks; a text with no blank lines has one paragraph per line."""
    if not any(not line.strip() for line in lines):
        return [[line] for line in lines if line.strip()]
    chunks: list[list[str]] = []
    current: list[str] = []
    for line in lines:
        if line.strip():
            current.append(line)
        elif current:
            chunks.append(current)
            current = []
    if current:
        chunks.append(current)
    return chunks


def parse_page_text(text: str, path: str, source_id: str | None = None) -> list[Article]:
    """Parse one plain-text page into (at most) one article."""
    lines = text.splitlines()
    while lines and not lines[0].strip():
        lines.pop(0)
    if not lines:
        return []
    title = split_slug(lines[0])
    outlet: str | None = None
    date = None
    chunks = _chunks(lines[1:])

    # Header: avatar noise, byline and dateline, in any order, before the first paragraph.
    while chunks and len(chunks[0]) == 1:
        line = chunks[0][0].strip()
        if (match := _AVATAR.match(line)) is not None:
            outlet = outlet or match["who"]
        elif (match := _BYLINE.match(line)) is not None:
            outlet = match["who"].strip()
        elif date is None and is_date_line(line):
            date = parse_date(line)
        else:
            break
        chunks.pop(0)

    # Footer: the scraper's own "By <user>" line and a trailing avatar line.
    while chunks and len(chunks[-1]) == 1 and (_BYLINE.match(chunks[-1][0].strip()) or _AVATAR.match(chunks[-1][0].strip())):
        chunks.pop()

    blocks: list[Block] = []
    skipping_links = False
    for index, chunk in enumerate(chunks):
        first = chunk[0].strip()
        if _RELATED.match(first):
            skipping_links = True
            chunk = chunk[1:]
            if not chunk:
                continue
        if skipping_links and all(_BULLET.match(line) for line in chunk):
            continue
        skipping_links = False
        if _AVATAR.match(first) and len(chunk) == 1:
            continue
        if all(_BULLET.match(line) for line in chunk):
            blocks.extend(Block(_BULLET.sub("", line).strip()) for line in chunk)
        elif _is_heading(chunk, has_next=index + 1 < len(chunks)):
            blocks.append(Block(first, is_heading=True))
        else:
            blocks.append(Block(" ".join(line.strip() for line in chunk)))

    body = finish_body(blocks)
    if not body:
        return []
    return [Article(title=title, blocks=body, path=path, source_id=source_id or path, outlet=outlet, date=date)]
