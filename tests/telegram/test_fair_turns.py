"""Through the real bot: a new chat is answered ahead of a backlog, and a long wait shows one "queued" notice that
becomes the answer (an edit: no extra message)."""

from __future__ import annotations

import asyncio

import pytest

from bot.messages import words
from bot.telegram import queued
from tests.telegram.conftest import PACT, polling_bots
from tests.telegram.fake_api import FakeTelegram

pytestmark = pytest.mark.usefixtures("no_proxy")

BUSY = {"id": 4001, "is_bot": False, "first_name": "Busy"}
BACKLOG = {"id": 4002, "is_bot": False, "first_name": "Backlog", "language_code": "de"}  # the notice is in German
NEWCOMER = {"id": 4003, "is_bot": False, "first_name": "New"}


@pytest.fixture
def fake() -> FakeTelegram:
    with FakeTelegram() as server:
        yield server


def replies(fake: FakeTelegram, chat_id: int) -> list:
    return [call for call in fake.calls if call.ok and call.method == "sendMessage" and call.params["chat_id"] == chat_id]


async def test_a_new_chat_is_answered_before_a_backlog_and_the_backlog_sees_one_notice_edited_into_its_answer(
    fake, engine, tmp_path, monkeypatch
):
    monkeypatch.setattr(queued, "NOTICE_AFTER", 0.3)
    engine.hold = "slowly"
    async with polling_bots(fake, engine, tmp_path) as start:
        await start(questions_per_minute=100)
        for number in range(2):  # both workers busy until released
            fake.say(f"who signed the pact, slowly {number}?", user=BUSY)
        await fake.until("sendChatAction", where=lambda params: params["chat_id"] == BUSY["id"])
        backlog = [fake.say(f"{PACT} slowly {number}", user=BACKLOG) for number in range(3)]
        newcomer = fake.say(PACT, user=NEWCOMER)
        [notice] = await fake.until("sendMessage", where=lambda params: params["chat_id"] == BACKLOG["id"])
        assert notice.result["text"] == words("de").queued.format(ahead=1)  # the newcomer goes first
        assert notice.params["reply_parameters"]["message_id"] == backlog[0]["message_id"]
        engine.release.set()
        await fake.until("sendMessage", where=lambda params: params["chat_id"] == BACKLOG["id"], count=3)
        await fake.until("editMessageText", where=lambda params: params["chat_id"] == BACKLOG["id"])

    asked = [question for question, _ in engine.asked]
    assert asked.index(PACT) < asked.index(f"{PACT} slowly 0")
    [answer] = replies(fake, NEWCOMER["id"])
    assert answer.params["reply_parameters"]["message_id"] == newcomer["message_id"]
    sent = replies(fake, BACKLOG["id"])
    assert sent[0].params["reply_parameters"]["message_id"] == backlog[0]["message_id"]  # the notice
    assert sorted(call.params["reply_parameters"]["message_id"] for call in sent) == [m["message_id"] for m in backlog]
    [edit] = [call for call in fake.calls if call.ok and call.method == "editMessageText"]
    assert edit.params["message_id"] == notice.result["message_id"] and "Kim Jong-un" in edit.result["text"]
    assert all(not call.result["text"].startswith("In der Warteschlange") for call in sent[1:])  # one notice for the chat
    assert len(fake.bot_messages(BACKLOG["id"])) == 3


async def test_a_question_answered_within_the_notice_delay_gets_no_notice(fake, engine, tmp_path):
    async with polling_bots(fake, engine, tmp_path) as start:
        await start()
        fake.say(PACT)
        [answer] = await fake.until("sendMessage")
    assert "Kim Jong-un" in answer.result["text"]
    assert not [call for call in fake.calls if call.method == "editMessageText"]


class _Chat:
    """Stands in for telegram.Chat: notes each "typing…" sent."""

    def __init__(self, chat_id: int) -> None:
        self.id = chat_id
        self.actions = 0

    async def send_action(self, action: str) -> None:
        self.actions += 1


async def test_a_chat_with_several_questions_waiting_gets_one_typing_loop_not_one_per_question():
    shows = queued.ChatTyping()
    chat, other = _Chat(1), _Chat(2)
    async with shows(chat), shows(chat), shows(other):
        async with shows(chat):
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.05)
        assert (chat.actions, other.actions) == (1, 1)
    async with shows(chat):  # a new wait, after the last one ended: a new loop
        await asyncio.sleep(0.05)
    assert chat.actions == 2


async def test_a_chat_told_to_wait_sees_no_typing_until_its_answer_begins(monkeypatch):
    from bot.telegram import delivery

    monkeypatch.setattr(delivery, "QUIET_CHECK", 0.01)
    told = True
    chat = _Chat(1)
    async with queued.ChatTyping()(chat, lambda: told):
        await asyncio.sleep(0.05)
        assert chat.actions == 0  # the notice says it waits
        told = False  # its answer began
        await asyncio.sleep(0.05)
        assert chat.actions == 1


def test_a_burst_of_questions_does_not_fill_every_update_slot(engine, tmp_path):
    from bot.telegram.app import UPDATES_AT_ONCE, build_application
    from bot.telegram.config import TelegramConfig

    config = TelegramConfig(token="1:fake", feedback_file=tmp_path / "feedback.jsonl")
    application = build_application(engine, config)
    # Each waiting question holds a slot: 500 of them must leave room for a new chat's question and /about.
    assert application.update_processor.max_concurrent_updates == UPDATES_AT_ONCE >= 2000
