"""Who may ask and how often: the allow-list check and a per-user questions-per-minute limit."""

from __future__ import annotations

import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterable


def is_allowed(allowed_ids: frozenset[int], ids: Iterable[int | None]) -> bool:
    """True when there is no allow-list, or the user or the chat is on it."""
    return not allowed_ids or any(identifier in allowed_ids for identifier in ids if identifier is not None)


class QuestionLimit:
    """At most `per_minute` questions per user in any 60-second window."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self._clock = clock
        self._asked: defaultdict[int, deque[float]] = defaultdict(deque)

    def wait(self, user_id: int) -> float:
        """0 when the user may ask now (the question is counted), else the seconds until they may."""
        now = self._clock()
        asked = self._asked[user_id]
        while asked and now - asked[0] >= 60:
            asked.popleft()
        if len(asked) >= self.per_minute:
            return 60 - (now - asked[0])
        asked.append(now)
        return 0.0
