"""The answers behind "More sources" and 👍/👎, kept in a small SQLite file so the buttons survive a restart.

One row per answer, keyed by chat id and the key its buttons carry: the answer as JSON (`Answer`'s fields, the
question included), how many sources were shown and the vote, if any. Nothing else: no user ids or names, no
other messages. The file is private to the bot's user (mode 0600, enforced even on a file that already existed).
It stays small: each chat keeps its last `per_chat` answers, and answers older than `max_age` seconds are
forgotten (their buttons then say "please ask again", as after 20 newer answers).

Every method blocks on the disk: the handlers call them through `asyncio.to_thread`. One connection, shared under
a lock, so the store is safe to use from several threads.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bot.telegram import buttons
from embeddings import Answer, AnswerDate, Source

ANSWERS_KEPT = 20  # per chat: the answers whose buttons still work
MAX_AGE = 7 * 24 * 3600  # seconds: older answers' buttons say "please ask again"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    chat_id INTEGER NOT NULL,
    key TEXT NOT NULL,
    created REAL NOT NULL,
    answer TEXT NOT NULL,
    shown INTEGER NOT NULL,
    vote TEXT,
    PRIMARY KEY (chat_id, key)
)
"""


@dataclass
class RecentAnswer:
    """An answer whose "More sources" and vote buttons are still live."""

    answer: Answer
    shown: int
    vote: str | None = None


def answer_to_json(answer: Answer) -> str:
    """The answer as JSON: `Answer.to_dict()`'s shape, with the scores unrounded so it reads back exactly."""
    return json.dumps(dataclasses.asdict(answer), ensure_ascii=False)


def _span(value: list[int] | None) -> tuple[int, int] | None:
    return None if value is None else (value[0], value[1])


def answer_from_json(text: str) -> Answer:
    """The Answer that answer_to_json() wrote, rebuilt from its dataclasses."""
    data = json.loads(text)
    sources = [
        Source(
            **{
                **source,
                "highlight": _span(source["highlight"]),
                "sentence": _span(source["sentence"]),
                "highlights": None
                if source["highlights"] is None
                else tuple((span[0], span[1]) for span in source["highlights"]),
            }
        )
        for source in data["sources"]
    ]
    date = data.get("answer_date")
    return Answer(
        question=data["question"],
        answer=data["answer"],
        abstained=data["abstained"],
        sources=sources,
        answer_type=data.get("answer_type"),
        answer_date=AnswerDate(**date) if date else None,
        language=data.get("language", "en"),
    )


class AnswerStore:
    """Recent answers per chat in a SQLite file (mode 0600), bounded by count and age; thread-safe."""

    def __init__(
        self,
        path: Path,
        per_chat: int = ANSWERS_KEPT,
        max_age: float = MAX_AGE,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.path = Path(path)
        self.per_chat = per_chat
        self.max_age = max_age
        self._clock = clock
        self._lock = threading.Lock()
        self._connection: sqlite3.Connection | None = None

    def _connect(self) -> sqlite3.Connection:
        """The shared connection, opened on first use; call with the lock held."""
        if self._connection is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                os.fchmod(descriptor, 0o600)  # a file made earlier by hand or another tool may be readable by others
            finally:
                os.close(descriptor)
            connection = sqlite3.connect(self.path, timeout=10, check_same_thread=False, isolation_level=None)
            connection.execute(_SCHEMA)
            self._connection = connection
        return self._connection

    def remember(self, chat_id: int, answer: Answer, shown: int) -> str:
        """Keep an answer for its buttons; returns the key they carry. Drops the chat's oldest and expired answers."""
        key = buttons.new_key()
        now = self._clock()
        with self._lock:
            connection = self._connect()
            with connection:  # one transaction
                connection.execute("BEGIN IMMEDIATE")
                connection.execute(
                    "INSERT OR REPLACE INTO answers (chat_id, key, created, answer, shown, vote) VALUES (?, ?, ?, ?, ?, NULL)",
                    (chat_id, key, now, answer_to_json(answer), shown),
                )
                connection.execute("DELETE FROM answers WHERE created < ?", (now - self.max_age,))
                connection.execute(
                    "DELETE FROM answers WHERE chat_id = ? AND rowid NOT IN "
                    "(SELECT rowid FROM answers WHERE chat_id = ? ORDER BY created DESC, rowid DESC LIMIT ?)",
                    (chat_id, chat_id, self.per_chat),
                )
        return key

    def recent(self, chat_id: int, key: str) -> RecentAnswer | None:
        """The answer a button's key names in this chat, or None once it has been forgotten (or has expired)."""
        with self._lock:
            row = (
                self._connect()
                .execute(
                    "SELECT answer, shown, vote FROM answers WHERE chat_id = ? AND key = ? AND created >= ?",
                    (chat_id, key, self._clock() - self.max_age),
                )
                .fetchone()
            )
        if row is None:
            return None
        return RecentAnswer(answer_from_json(row[0]), row[1], row[2])

    def update(self, chat_id: int, key: str, answered: RecentAnswer) -> None:
        """Save how many sources were shown and the vote (nothing happens if the answer was forgotten meanwhile)."""
        with self._lock:
            self._connect().execute(
                "UPDATE answers SET shown = ?, vote = ? WHERE chat_id = ? AND key = ?",
                (answered.shown, answered.vote, chat_id, key),
            )

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None
