"""When a question is asked matters: "who became prime minister this week?" means this week's articles.

News questions point at time with their own words ("this week", "yesterday", "recently"). An older article on the
same story (last month's prime minister) often matches the words just as well, so the engine favours articles
published in the days the question points at, counted back from the day it is asked. A question asked "as of" a
past day (a researcher replaying the news, an evaluation replaying a quiz) also leaves out the articles published
after that day: they did not exist yet.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass

from embeddings.index.passage_store import PassageStore
from embeddings.index.store import PassageRecord

# Time words and the days back from the asking day they cover, shortest first: the first that matches decides.
# "this week" is the last seven days, as a weekly news quiz means it, not the calendar week (its Monday would leave
# out the weekend's stories on a Friday).
_WINDOWS: tuple[tuple[str, int], ...] = (
    (r"today|tonight|this (?:morning|afternoon|evening)", 1),
    (r"yesterday|last night", 2),
    (r"this week(?:end)?|(?:the )?past (?:few )?days|(?:the )?past week|in recent days|these days", 7),
    (r"last week(?:end)?", 14),
    (r"recently|recent|latest|newest|just|currently|current|now|so far", 14),
    (r"(?:this|the past) month|in recent weeks", 31),
    (r"last month", 62),
    (r"(?:this|the past) year|in recent months", 366),
)
_RULES = [(re.compile(rf"\b(?:{words})\b", re.IGNORECASE), days) for words, days in _WINDOWS]
LATE_DAYS = 1  # an article dated a day after the asking day still counts as fresh (time zones, dates of print)


@dataclass(frozen=True)
class Asked:
    """The day a question is asked, and whether articles published after it are left out ("as of" that day)."""

    on: datetime.date
    as_of: bool = False

    @classmethod
    def today(cls) -> Asked:
        return cls(datetime.date.today())

    @classmethod
    def as_of_day(cls, day: datetime.date | str) -> Asked:
        return cls(day if isinstance(day, datetime.date) else parse_day(day), as_of=True)

    def fresh_days(self, question: str) -> tuple[datetime.date, datetime.date] | None:
        """The publication days the question's time words point at, or None when it has none."""
        for pattern, days in _RULES:
            if pattern.search(question):
                return self.on - datetime.timedelta(days=days), self.on + datetime.timedelta(days=LATE_DAYS)
        return None

    def published_yet(self, article_date: str | None) -> bool:
        """False only for an article dated after an "as of" day (an undated one is kept: it may be old)."""
        day = article_day(article_date)
        return not self.as_of or day is None or day <= self.on


def parse_day(text: str) -> datetime.date:
    """The day of an ISO date or timestamp ("2022-06-17", "2022-06-17T09:30:00Z"); ValueError when it is neither."""
    return datetime.date.fromisoformat(text.strip()[:10])


def article_day(article_date: str | None) -> datetime.date | None:
    """An article's publication day, or None when it is undated or its date cannot be read."""
    try:
        return parse_day(article_date) if article_date else None
    except ValueError:
        return None


def in_days(article_date: str | None, days: tuple[datetime.date, datetime.date]) -> bool:
    """Whether an article's date falls within `days` (an undated or unreadable date never does)."""
    day = article_day(article_date)
    return day is not None and days[0] <= day <= days[1]


def article_dates(index: PassageStore, passages: Sequence[PassageRecord]) -> list[str | None]:
    """The date of each passage's article, in order."""
    dates = {a.id: a.date for a in index.articles(sorted({p.article_id for p in passages}))}
    return [dates[p.article_id] for p in passages]
