"""Fair turns for what the bot sends: a new chat's message is not queued behind another chat's backlog."""

from __future__ import annotations

import asyncio

import pytest

from bot.telegram.delivery import RetryingRateLimiter
from bot.telegram.send_turns import SendTurns


async def _send(turns: SendTurns, chat: int, done: list[int], hold: float = 0.01) -> None:
    async with turns.turn(chat):
        await asyncio.sleep(hold)
        done.append(chat)


def test_a_new_chats_message_goes_ahead_of_a_backlog_and_each_chat_keeps_its_order():
    async def run() -> list[tuple[int, int]]:
        turns = SendTurns(at_once=2)
        done: list[tuple[int, int]] = []

        async def send(chat: int, number: int) -> None:
            async with turns.turn(chat):
                await asyncio.sleep(0.01)
                done.append((chat, number))

        backlog = [asyncio.create_task(send(chat, number)) for number in range(5) for chat in (1, 2)]
        await asyncio.sleep(0.015)  # the backlog has begun
        newcomer = asyncio.create_task(send(3, 0))
        await asyncio.gather(*backlog, newcomer)
        return done

    done = asyncio.run(run())
    assert done.index((3, 0)) <= 4  # in arrival order it would be last (10th)
    for chat in (1, 2):
        assert [number for who, number in done if who == chat] == list(range(5))


def test_at_most_at_once_requests_pass_and_one_per_chat():
    async def run() -> tuple[int, int]:
        turns = SendTurns(at_once=3)
        inside: dict[int, int] = {}
        most = most_per_chat = 0

        async def send(chat: int) -> None:
            nonlocal most, most_per_chat
            async with turns.turn(chat):
                inside[chat] = inside.get(chat, 0) + 1
                most, most_per_chat = max(most, sum(inside.values())), max(most_per_chat, inside[chat])
                await asyncio.sleep(0.005)
                inside[chat] -= 1

        await asyncio.gather(*(send(chat % 5) for chat in range(40)))
        assert turns.waiting() == 0
        return most, most_per_chat

    assert asyncio.run(run()) == (3, 1)


async def _behind_one_place(chats: list[int], hold: float) -> tuple[SendTurns, list[int], list[asyncio.Task]]:
    """One place, held by chat 1 for `hold` seconds, and a request of each of `chats` waiting for it."""
    turns = SendTurns(at_once=1)
    done: list[int] = []
    tasks = [asyncio.create_task(_send(turns, 1, done, hold=hold))]
    await asyncio.sleep(0)
    tasks += [asyncio.create_task(_send(turns, chat, done)) for chat in chats]
    await asyncio.sleep(0.005)
    return turns, done, tasks


def test_a_cancelled_wait_loses_no_place():
    async def run() -> list[int]:
        turns, done, (first, cancelled) = await _behind_one_place([2], hold=0.02)
        cancelled.cancel()
        await asyncio.gather(first, cancelled, return_exceptions=True)
        await asyncio.wait_for(_send(turns, 3, done), timeout=1)  # the one place is free again
        assert turns.waiting() == 0
        return done

    assert asyncio.run(run()) == [1, 3]


def test_a_place_given_as_the_wait_is_cancelled_passes_to_the_next_chat():
    async def run() -> list[int]:
        turns = SendTurns(at_once=1)
        done: list[int] = []
        async with turns.turn(1):
            second = asyncio.create_task(_send(turns, 2, done))
            third = asyncio.create_task(_send(turns, 3, done))
            await asyncio.sleep(0)  # both wait
        second.cancel()  # the place went to chat 2 as this turn ended; its task has not run since
        await asyncio.gather(second, return_exceptions=True)
        await asyncio.wait_for(third, timeout=1)
        assert turns.waiting() == 0
        return done

    assert asyncio.run(run()) == [3]


@pytest.mark.parametrize("chat_id", [None, 5])
def test_the_rate_limiter_lets_requests_through_its_turns(chat_id):
    """Requests for no chat (answerCallbackQuery) never wait for each other; a chat's wait in line."""

    async def run() -> int:
        turns = SendTurns(at_once=4)
        limiter = RetryingRateLimiter(turns=turns)
        await limiter.initialize()
        inside = most = 0

        async def call() -> bool:
            nonlocal inside, most
            inside += 1
            most = max(most, inside)
            await asyncio.sleep(0.01)
            inside -= 1
            return True

        data = {} if chat_id is None else {"chat_id": chat_id}
        results = await asyncio.gather(*(limiter.process_request(call, (), {}, "sendMessage", data, None) for _ in range(6)))
        assert all(results) and turns.waiting() == 0
        return most

    assert asyncio.run(run()) == (4 if chat_id is None else 1)
