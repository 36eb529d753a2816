"""What every parser does last: trailing headings go, and a body needs at least one paragraph."""

from __future__ import annotations

from embeddings.ingest.articles import Block


def finish_body(blocks: list[Block]) -> tuple[Block, ...]:
    """`blocks` without trailing headings (a heading with no paragraph under it is not a heading of anything);
    empty when no paragraph is left, which the parsers read as "no article here"."""
    end = len(blocks)
    while end and blocks[end - 1].is_heading:
        end -= 1
    return tuple(blocks[:end])
