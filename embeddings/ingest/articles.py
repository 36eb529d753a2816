"""The parsed article: the one shape every corpus format is turned into."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Block:
    """One block of an article body, in reading order: a paragraph or a sub-heading."""

    text: str
    is_heading: bool = False


@dataclass(frozen=True)
class Article:
    """A news article with the metadata a source citation needs.

    `source_id` names the article within the corpus (its file path, plus `#line` for JSONL),
    so a rebuild can tell a changed article from a new one.
    """

    title: str
    blocks: tuple[Block, ...]
    path: str
    source_id: str
    outlet: str | None = None
    date: dt.date | None = None
    url: str | None = None
    extra: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def paragraphs(self) -> list[str]:
        return [block.text for block in self.blocks if not block.is_heading]

    @property
    def content_key(self) -> str:
        """A hash of everything that is embedded or shown, so equal content is never embedded twice."""
        payload = json.dumps(
            [
                self.title,
                self.outlet,
                self.date.isoformat() if self.date else None,
                self.url,
                [(b.text, b.is_heading) for b in self.blocks],
            ],
            ensure_ascii=False,
        )
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()
