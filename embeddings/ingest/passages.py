"""Articles to passages: the units we embed, retrieve and quote.

A passage is one paragraph, verbatim, with the sub-heading it sits under as context. A paragraph too long
for the embedding model is cut at sentence boundaries, each piece still a verbatim slice of the original.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from embeddings.ingest.articles import Article

MAX_PASSAGE_CHARS = 1200

# A sentence ends at . ! ? (plus closing quotes or brackets), before whitespace and a capital, digit or quote.
_BOUNDARY = re.compile(r"[.!?…][\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9])")
_ABBREVIATION = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|Sr|Jr|St|Gen|Gov|Sen|Rep|Lt|Col|Capt|Sgt|Rev|Inc|Ltd|Co|Corp|No|vs|v|Mt|Ft|Ave|etc|Jan|Feb|Mar"
    r"|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|U\.S|U\.K|U\.N|E\.U)|\b[A-Z])\.$"
)


@dataclass(frozen=True)
class Passage:
    paragraph: int
    text: str
    heading: str | None = None


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) character offsets of each sentence in `text`, leading spaces excluded."""
    spans = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        end = match.end()
        if _ABBREVIATION.search(text[max(start, end - 12) : end]) and text[end - 1] == ".":
            continue
        spans.append((start, end))
        start = end
        while start < len(text) and text[start].isspace():
            start += 1
    if start < len(text) and text[start:].strip():
        spans.append((start, len(text.rstrip())))
    return spans or [(0, len(text))]


def _pieces(text: str, max_chars: int) -> list[str]:
    """Consecutive sentences grouped into verbatim slices of at most max_chars (one long sentence stays whole)."""
    if len(text) <= max_chars:
        return [text]
    pieces = []
    piece_start = piece_end = None
    for start, end in sentence_spans(text):
        if piece_start is None:
            piece_start, piece_end = start, end
        elif end - piece_start > max_chars:
            pieces.append(text[piece_start:piece_end])
            piece_start, piece_end = start, end
        else:
            piece_end = end
    if piece_start is not None:
        pieces.append(text[piece_start:piece_end])
    return pieces


def split_passages(article: Article, max_chars: int = MAX_PASSAGE_CHARS) -> list[Passage]:
    """The article's passages in reading order; paragraph numbers count body paragraphs from 1."""
    passages = []
    heading = None
    number = 0
    for block in article.blocks:
        if block.is_heading:
            heading = block.text
            continue
        number += 1
        passages.extend(Passage(number, piece, heading) for piece in _pieces(block.text, max_chars))
    return passages
