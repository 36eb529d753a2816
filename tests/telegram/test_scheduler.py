"""Fair turns: which question the engine reads next, and how many a waiting question is told are ahead of it."""

from __future__ import annotations

import asyncio
import random

from bot.telegram.scheduler import FairQueue, Scheduler


async def _take_all(queue: FairQueue) -> list[tuple[int, int, str]]:
    order = []
    while len(queue):
        ticket = await queue.take()
        order.append((ticket.chat_id, ticket.user_id, ticket.work()))
        queue.done(ticket)
    return order


async def test_a_chats_first_question_goes_ahead_of_another_chats_backlog():
    queue = FairQueue()
    for number in range(5):
        await queue.put(1, 1, lambda number=number: f"busy {number}")
    first = await queue.take()  # the busy chat's first question is being answered
    await queue.put(2, 2, lambda: "newcomer")
    assert (await queue.take()).work() == "newcomer"
    queue.done(first)


async def test_chats_take_turns_and_each_users_questions_keep_their_order():
    queue = FairQueue()
    for number in range(3):
        await queue.put(1, 1, lambda number=number: f"a{number}")
    for number in range(3):
        await queue.put(2, 2, lambda number=number: f"b{number}")
    assert [work for _, _, work in await _take_all(queue)] == ["a0", "b0", "a1", "b1", "a2", "b2"]


async def test_users_in_a_group_take_turns():
    queue = FairQueue()
    for number in range(3):
        await queue.put(-100, 1, lambda number=number: f"ann{number}")
    for number in range(3):
        await queue.put(-100, 2, lambda number=number: f"bob{number}")
    await queue.put(7, 7, lambda: "private")
    order = [work for _, _, work in await _take_all(queue)]
    assert order[0] == "private"  # one question waiting beats a backlog of six
    assert order[1:] == ["ann0", "bob0", "ann1", "bob1", "ann2", "bob2"]


async def test_ahead_counts_exactly_the_questions_served_first_when_no_more_arrive():
    randomness = random.Random(13)
    for _ in range(30):
        queue = FairQueue()
        tickets = []
        for seq in range(randomness.randint(1, 40)):
            chat = randomness.choice([1, 2, 3, -10])
            user = randomness.choice([5, 6]) if chat < 0 else chat
            tickets.append(await queue.put(chat, user, lambda seq=seq: seq))
        told = {ticket.work(): ticket.ahead() for ticket in tickets}
        order = [work for _, _, work in await _take_all(queue)]
        assert {seq: order.index(seq) for seq in order} == told


async def test_the_scheduler_runs_work_in_threads_and_hands_back_results_and_errors():
    scheduler = Scheduler(workers=2)

    def fail() -> None:
        raise ValueError("no index")

    try:
        good = await scheduler.submit(1, 1, lambda: 42)
        bad = await scheduler.submit(2, 2, fail)
        assert await good.future == 42
        try:
            await bad.future
        except ValueError as error:
            assert str(error) == "no index"
        else:
            raise AssertionError("the error was lost")
        assert len(scheduler.queue) == 0
        await asyncio.sleep(0)
    finally:
        await scheduler.stop()


async def test_a_chat_told_to_wait_is_quiet_until_one_of_its_questions_is_answered():
    import threading

    scheduler = Scheduler(workers=1)
    started, release = threading.Event(), threading.Event()

    def slow() -> str:
        started.set()
        release.wait(5)
        return "done"

    try:
        busy = await scheduler.submit(1, 1, slow)
        waiting = await scheduler.submit(2, 2, lambda: "answered")
        await asyncio.to_thread(started.wait, 5)
        assert not scheduler.told_to_wait(2)  # not told yet: "typing…" shows
        scheduler.noticed.add(2)  # the "queued" notice went out
        assert scheduler.told_to_wait(2) and not scheduler.told_to_wait(1)
        scheduler.noticed.add(1)
        assert not scheduler.told_to_wait(1)  # its question is on a worker: typing shows
        release.set()
        assert (await busy.future, await waiting.future) == ("done", "answered")
        await asyncio.sleep(0.01)
        assert not scheduler.told_to_wait(2)  # its backlog cleared, the notice with it
    finally:
        release.set()
        await scheduler.stop()


def test_one_worker_per_core_the_process_may_run_on(monkeypatch, tmp_path):
    from bot.telegram import scheduler

    nowhere = tmp_path / "no-cgroup"
    monkeypatch.setattr(scheduler.os, "sched_getaffinity", lambda pid: {0, 1, 2, 3, 4, 5, 6, 7}, raising=False)
    assert scheduler.usable_cores(nowhere) == 8  # a server: eight answers at once, not two
    (tmp_path / "cpu.max").write_text("250000 100000\n")  # a container allowed 2.5 cores of the eight
    assert scheduler.usable_cores(tmp_path) == 3
    (tmp_path / "cpu.max").write_text("max 100000\n")
    assert scheduler.usable_cores(tmp_path) == 8
    v1 = tmp_path / "v1"
    (v1 / "cpu").mkdir(parents=True)
    (v1 / "cpu" / "cpu.cfs_quota_us").write_text("200000\n")
    (v1 / "cpu" / "cpu.cfs_period_us").write_text("100000\n")
    assert scheduler.usable_cores(v1) == 2
    monkeypatch.setattr(scheduler.os, "sched_getaffinity", lambda pid: set(), raising=False)
    assert scheduler.usable_cores(nowhere) == 1
    monkeypatch.delattr(scheduler.os, "sched_getaffinity", raising=False)
    monkeypatch.setattr(scheduler.os, "cpu_count", lambda: None)
    assert scheduler.usable_cores(nowhere) == 1
    assert Scheduler().workers == scheduler.WORKERS >= 1
