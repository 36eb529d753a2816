"""Fair turns for what the bot sends, as scheduler.py gives fair turns for what it computes.

Telegram takes about 30 messages a second from a bot, and python-telegram-bot's rate limiter lets requests through
in arrival order. When answers are ready faster than that (a burst of the same questions, answered from the cache),
they piled up there, and a new chat's answer waited behind every answer of the burst (6-11 s behind 100 chats x 5).
Here at most AT_ONCE requests are past the gate at a time, and at most one per chat; the others wait in one lane
per chat, and a free place goes to the chat given the fewest places since its lane last emptied (then the chat
that began waiting first). A chat's first message therefore goes ahead of other chats' backlogs, one chat's
messages keep their order, and a group waiting out its own 20-a-minute limit holds one place, not all of them.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections import deque
from collections.abc import AsyncIterator, Hashable
from dataclasses import dataclass, field

AT_ONCE = 16  # requests past the gate at once: a second of Telegram's rate, and enough to cover its round trips


@dataclass
class _Lane:
    """A chat's requests waiting for a place, and how many places it got since it began waiting."""

    since: int
    waiting: deque[asyncio.Future[None]] = field(default_factory=deque)
    given: int = 0


class SendTurns:
    """A gate with AT_ONCE places shared fairly between chats; use `async with turns.turn(chat_id):` per request.

    Not thread-safe: it lives on the bot's event loop, like the rate limiter it stands before.
    """

    def __init__(self, at_once: int = AT_ONCE) -> None:
        self._free = at_once
        self._lanes: dict[Hashable, _Lane] = {}
        self._busy: set[Hashable] = set()  # chats with a request past the gate
        self._order = itertools.count()

    @contextlib.asynccontextmanager
    async def turn(self, chat: Hashable) -> AsyncIterator[None]:
        """Hold a place while the body runs (the request and the rate limiter's wait)."""
        await self._enter(chat)
        try:
            yield
        finally:
            self._leave(chat)

    def waiting(self) -> int:
        """Requests waiting for a place (for tests and figures)."""
        return sum(len(lane.waiting) for lane in self._lanes.values())

    async def _enter(self, chat: Hashable) -> None:
        if self._free > 0 and chat not in self._busy and chat not in self._lanes:
            self._free -= 1
            self._busy.add(chat)
            return
        lane = self._lanes.get(chat)
        if lane is None:
            lane = self._lanes[chat] = _Lane(next(self._order))
        place: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        lane.waiting.append(place)
        try:
            await place
        except asyncio.CancelledError:
            if place.done() and not place.cancelled():  # given a place just as it was cancelled: pass it on
                self._leave(chat)
            else:
                lane.waiting.remove(place)
                if not lane.waiting and self._lanes.get(chat) is lane:
                    del self._lanes[chat]
            raise

    def _leave(self, chat: Hashable) -> None:
        """Free the chat's place and give it to the next chat's turn (its own next request may take it)."""
        self._busy.discard(chat)
        ready = [(lane.given, lane.since, key) for key, lane in self._lanes.items() if key not in self._busy]
        if not ready:
            self._free += 1
            return
        _, _, key = min(ready, key=lambda turn: turn[:2])
        lane = self._lanes[key]
        lane.given += 1
        place = lane.waiting.popleft()
        if not lane.waiting:
            del self._lanes[key]
        self._busy.add(key)
        place.set_result(None)
