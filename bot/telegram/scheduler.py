"""Fair turns for the engine: questions are served round-robin across chats, and across users inside a group.

Answering costs most of a second of CPU, so in a burst questions wait. In arrival order, one busy chat's backlog
holds up everyone after it; here each chat has a lane, and the next question comes from the chat served least
often since its lane last emptied (among those, the chat with the fewest questions in all, served and waiting,
then the chat that began asking first).
A chat's first question therefore goes ahead of every other chat's second one, and a single question is not held
behind backlogs. Inside a chat, the same rule rotates between its users; each user's questions keep their order.

A few workers (threads of their own, so the bot's other blocking calls never queue behind answers) take
questions from the lanes; `Ticket.ahead()` says how many questions will be served before one that waits.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import os
from collections import Counter, deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


def usable_cores(cgroup: Path = Path("/sys/fs/cgroup")) -> int:
    """The CPU cores this process may use: its CPU affinity (else every core), capped by a container's CPU quota
    (cgroup v2 `cpu.max`, v1 `cpu/cpu.cfs_quota_us`), which the affinity does not show."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    quota = _cpu_quota(cgroup)
    return max(1, min(cores, math.ceil(quota)) if quota else cores)


def _cpu_quota(cgroup: Path) -> float | None:
    """Cores' worth of CPU time the container may use, or None when unlimited or not said."""
    try:
        if (cgroup / "cpu.max").is_file():
            limit, period = (cgroup / "cpu.max").read_text().split()[:2]
        else:
            limit = (cgroup / "cpu" / "cpu.cfs_quota_us").read_text().strip()
            period = (cgroup / "cpu" / "cpu.cfs_period_us").read_text().strip()
        return int(limit) / int(period) if limit not in ("max", "-1") and int(period) > 0 else None
    except (OSError, ValueError):
        return None


# Questions answered at once: one per core (each answer runs its models on one thread, so a 2-core machine answers
# two at a time and an 8-core server eight; more workers than cores only make each answer slower).
WORKERS = usable_cores()


@dataclass(eq=False)
class Ticket:
    """One question's place: waiting in its lane, then started, then done (its future holds the answer)."""

    chat_id: int
    user_id: int
    work: Callable[[], Any]
    seq: int
    future: asyncio.Future = field(repr=False)
    queue: FairQueue | None = field(default=None, repr=False)
    started: bool = False

    def ahead(self) -> int:
        """How many waiting questions will be served before this one, if no other chat asks meanwhile (0 once started)."""
        return 0 if self.started or self.queue is None else self.queue.ahead(self)

    def next_in_chat(self) -> bool:
        """True when this is the question its chat will get answered next (and it has not started)."""
        return not self.started and self.queue is not None and self.queue.next_in_chat(self)


@dataclass
class _Lane:
    """A chat's (or a user's) waiting questions, and how many it had served since it was last idle."""

    created: int
    waiting: deque = field(default_factory=deque)
    served: int = 0
    busy: int = 0

    def count(self) -> int:
        return len(self.waiting)

    def turn(self, level: int) -> tuple[int, int, int]:
        """The lane's sort key for its question at `level` (served + place): the order never changes as lanes are served."""
        return level, self.served + self.count(), self.created

    def before(self, level: int, key: tuple[int, int, int]) -> int:
        """How many of this lane's waiting questions go before the question whose turn key is `key` at `level`."""
        below = max(0, level - self.served)
        return min(self.count(), below) + (1 if self.count() > below and self.turn(level) < key else 0)


def _pick(lanes: dict[int, Any]) -> int | None:
    """The key of the lane to serve next: least served, then fewest questions in all, then the oldest lane."""
    ready = [key for key, lane in lanes.items() if lane.count()]
    return min(ready, key=lambda key: lanes[key].turn(lanes[key].served), default=None)


@dataclass
class _ChatLane(_Lane):
    """A chat's lane holds one lane per user, rotated by the same rule."""

    users: dict[int, _Lane] = field(default_factory=dict)

    def count(self) -> int:
        return sum(len(user.waiting) for user in self.users.values())

    def position(self, ticket: Ticket) -> int:
        """How many of this chat's waiting questions are served before `ticket` (the user rule, applied ahead)."""
        own = self.users[ticket.user_id]
        place = own.waiting.index(ticket)
        key = own.turn(own.served + place)
        return place + sum(lane.before(key[0], key) for user_id, lane in self.users.items() if user_id != ticket.user_id)


class FairQueue:
    """Waiting questions in per-chat lanes; `take()` hands out the next one by the fair rule."""

    def __init__(self) -> None:
        self._chats: dict[int, _ChatLane] = {}
        self._seq = itertools.count()
        self._ready = asyncio.Condition()

    def __len__(self) -> int:
        return sum(chat.count() for chat in self._chats.values())

    async def put(self, chat_id: int, user_id: int, work: Callable[[], Any]) -> Ticket:
        """Queue `work` (a blocking call) for the chat and user; await `ticket.future` for its result."""
        ticket = Ticket(chat_id, user_id, work, next(self._seq), asyncio.get_running_loop().create_future(), self)
        chat = self._chats.setdefault(chat_id, _ChatLane(ticket.seq))
        chat.users.setdefault(user_id, _Lane(ticket.seq)).waiting.append(ticket)
        async with self._ready:
            self._ready.notify()
        return ticket

    async def take(self) -> Ticket:
        """The next question to serve, waiting for one if none is queued."""
        async with self._ready:
            await self._ready.wait_for(lambda: len(self) > 0)
            chat = self._chats[_pick(self._chats)]  # type: ignore[index]
            user = chat.users[_pick(chat.users)]  # type: ignore[index]
            ticket = user.waiting.popleft()
            for lane in (chat, user):
                lane.served += 1
                lane.busy += 1
            ticket.started = True
            return ticket

    def done(self, ticket: Ticket) -> None:
        """Forget a finished question; a lane with nothing waiting or running starts afresh (served 0)."""
        chat = self._chats[ticket.chat_id]
        user = chat.users[ticket.user_id]
        chat.busy -= 1
        user.busy -= 1
        if not user.busy and not user.waiting:
            del chat.users[ticket.user_id]
        if not chat.busy and not chat.users:
            del self._chats[ticket.chat_id]

    def has(self, chat_id: int) -> bool:
        """True while the chat has questions waiting or being answered."""
        return chat_id in self._chats

    def next_in_chat(self, ticket: Ticket) -> bool:
        chat = self._chats.get(ticket.chat_id)
        return chat is not None and chat.count() > 0 and chat.position(ticket) == 0

    def ahead(self, ticket: Ticket) -> int:
        """Questions served before `ticket` by the fair rule if no more arrive."""
        chat = self._chats[ticket.chat_id]
        place = chat.position(ticket)
        key = chat.turn(chat.served + place)
        return place + sum(other.before(key[0], key) for chat_id, other in self._chats.items() if chat_id != ticket.chat_id)


class Scheduler:
    """Runs blocking work (engine calls) on `workers` threads, taking questions from a FairQueue."""

    def __init__(self, workers: int = WORKERS) -> None:
        self.workers = workers
        self.queue: FairQueue | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._tasks: list[asyncio.Task] = []
        # Chats told "queued" (bot.telegram.queued) during their current backlog: one notice each until it clears.
        self.noticed: set[int] = set()
        self._answering: Counter[int] = Counter()  # questions of each chat on a worker now

    def told_to_wait(self, chat_id: int) -> bool:
        """The chat was told it is queued and none of its questions is being answered: "typing…" would only repeat
        the notice, and each one costs a request of the bot's ~30 a second that answers need in a burst."""
        return chat_id in self.noticed and not self._answering[chat_id]

    def _start(self) -> FairQueue:
        """Start the workers in the running event loop (on the first question, so it is python-telegram-bot's loop)."""
        if self.queue is None:
            self.queue = FairQueue()
            self._executor = ThreadPoolExecutor(self.workers, thread_name_prefix="answer")
            self._tasks = [asyncio.create_task(self._work(self.queue)) for _ in range(self.workers)]
        return self.queue

    async def submit(self, chat_id: int, user_id: int, work: Callable[[], Any]) -> Ticket:
        """Queue `work` for the chat and user; `await ticket.future` gives its result (or raises its error)."""
        return await self._start().put(chat_id, user_id, work)

    async def _work(self, queue: FairQueue) -> None:
        loop = asyncio.get_running_loop()
        while True:
            ticket = await queue.take()
            self._answering[ticket.chat_id] += 1
            try:
                result = await loop.run_in_executor(self._executor, ticket.work)
            except Exception as error:  # the question's own handler reports it
                if not ticket.future.done():
                    ticket.future.set_exception(error)
            else:
                if not ticket.future.done():
                    ticket.future.set_result(result)
            finally:
                self._answering[ticket.chat_id] -= 1
                if not self._answering[ticket.chat_id]:
                    del self._answering[ticket.chat_id]
                queue.done(ticket)
                if not queue.has(ticket.chat_id):
                    self.noticed.discard(ticket.chat_id)

    async def stop(self) -> None:
        """Stop the workers (questions still waiting are cancelled)."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
        self._tasks, self.queue, self._executor = [], None, None
