"""Users' 👍/👎 on answers, kept as JSON lines a maintainer can read (`jq . feedback.jsonl`).

One line per vote: time (UTC, ISO 8601), vote ("up" or "down"), the question, the answer and the sources that
were shown, and a `voter` pseudonym: a keyed hash of the user id, the same for one person's votes (so a changed
vote can be told from a second opinion) but not their Telegram id, which a maintainer does not need. Chat ids are
not kept. The file is private to the bot's user (mode 0600, enforced even on a file that already existed): it
holds what people asked.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import threading
from collections.abc import Sequence
from pathlib import Path

from embeddings import Answer, Source

VOTES = ("up", "down")


def _source_record(source: Source) -> dict:
    return {
        "title": source.title,
        "outlet": source.outlet,
        "date": source.date,
        "url": source.url,
        "path": source.path,
        "paragraph": source.paragraph,
        "quote": source.quote,
    }


class FeedbackStore:
    """Appends votes to a JSON-lines file, created with permissions 0600; safe to call from several threads."""

    def __init__(self, path: Path, key: bytes | None = None) -> None:
        """`key` keys the voter pseudonyms (the bot passes its token: stable across restarts, secret)."""
        self.path = Path(path)
        self._key = key or os.urandom(32)
        self._lock = threading.Lock()

    def voter(self, user_id: int | None) -> str | None:
        """A pseudonym for a user: 16 hex digits that cannot be turned back into the id without the key."""
        if user_id is None:
            return None
        return hmac.new(self._key, f"voter:{user_id}".encode(), hashlib.sha256).hexdigest()[:16]

    def record(self, answer: Answer, shown: Sequence[Source], vote: str, user_id: int | None) -> dict:
        """Append one vote and return the record written (the user id only as a pseudonym)."""
        if vote not in VOTES:
            raise ValueError(f"vote must be one of {VOTES}, not {vote!r}")
        record = {
            "time": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "vote": vote,
            "voter": self.voter(user_id),
            "question": answer.question,
            "answer": answer.answer,
            "abstained": answer.abstained,
            "sources": [_source_record(source) for source in shown],
        }
        line = json.dumps(record, ensure_ascii=False) + "\n"
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            os.fchmod(descriptor, 0o600)  # a file made earlier by hand or another tool may be readable by others
            with os.fdopen(descriptor, "a", encoding="utf-8") as file:
                file.write(line)
        return record

    def read(self) -> list[dict]:
        """Every vote recorded so far, oldest first."""
        if not self.path.exists():
            return []
        with self.path.open(encoding="utf-8") as file:
            return [json.loads(line) for line in file if line.strip()]
