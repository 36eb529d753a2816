"""The bot's behaviour in chats, handler by handler: the real python-telegram-bot polls the fake Bot API over HTTP.

The bot runs in the test's event loop on a small index embedded with the fast WordHashEncoder (the model's
judgement is not the point here; tests/telegram/test_e2e.py runs the real product with the real model).
"""

from __future__ import annotations

import asyncio
import re
import shutil
import stat
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from bot.telegram.access import QuestionLimit
from bot.telegram.admin import RELOAD_QUEUED, RELOADING
from bot.telegram.config import ConfigError, load_config
from bot.telegram.handlers import ADMINS_ONLY, REFUSAL, SORRY, TEXT_ONLY_HINT, TOO_OLD, UNKNOWN_COMMAND
from embeddings import Answer, Engine, Settings, Source, build_index
from tests.conftest import SEED, WordHashEncoder
from tests.telegram import build_child
from tests.telegram.conftest import PACT, RecordingEngine, polling_bots
from tests.telegram.fake_api import FakeTelegram

pytestmark = pytest.mark.usefixtures("no_proxy")

ELEPHANTS = "Elephants of the Zambezi valley crossed the border into Botswana, rangers from the Chobe park reported."


@pytest.fixture
def fake() -> FakeTelegram:
    with FakeTelegram() as server:
        yield server


@pytest.fixture
async def start_bot(fake: FakeTelegram, engine: RecordingEngine, tmp_path: Path) -> AsyncIterator[Callable]:
    """Start the bot (config overrides as keywords) polling the fake; stopped at the end of the test."""
    async with polling_bots(fake, engine, tmp_path) as start:
        yield start


async def reply_to(fake: FakeTelegram, chat_id: int, count: int = 1) -> list[dict]:
    """The bot's messages in the chat once there are at least `count` of them."""
    await fake.until("sendMessage", where=lambda params: params["chat_id"] == chat_id, count=count)
    return fake.bot_messages(chat_id)


def buttons(message: dict) -> dict[str, str]:
    """The message's inline buttons, label -> callback data."""
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return {button["text"]: button["callback_data"] for row in rows for button in row}


async def test_a_question_gets_the_bold_answer_quoted_sources_typing_and_buttons(fake, start_bot, engine):
    await start_bot()
    fake.say(PACT)
    [answer] = await reply_to(fake, fake.user["id"])
    html = answer["html"]
    assert "<b>" in html and "Kim Jong-un" in html  # the answer bold: first, or inside its quote (a sentence answer)
    assert html.count("<blockquote") == 3
    assert "— Seoul, Tokyo and Washington condemn the Pyongyang-Moscow pact, Deutsche Welle, Jun 24, 2024" in html
    assert any(entity["type"] == "blockquote" for entity in answer["entities"])
    actions = fake.wait_for("sendChatAction")
    assert actions[0].params == {"chat_id": fake.user["id"], "action": "typing"}
    assert list(buttons(answer)) == ["More sources (3)", "👍", "👎"]
    assert all(len(data.encode()) <= 64 for data in buttons(answer).values())
    assert engine.asked == [(PACT, ())]
    assert "Putin" in answer["text"] and "<b>" not in answer["text"]  # what the user sees: rendered, not markup


async def test_more_sources_sends_the_next_quotes_and_removes_the_button(fake, start_bot):
    await start_bot()
    fake.say(PACT)
    [answer] = await reply_to(fake, fake.user["id"])
    query = fake.press(answer, buttons(answer)["More sources (3)"])
    _, more = await reply_to(fake, fake.user["id"], count=2)
    assert more["html"].startswith("More sources for “who signed the pact?”:")
    assert more["html"].count("<blockquote") == 3
    assert not set(answer["text"].split("\n\n")[1:]) & set(more["text"].split("\n\n")[1:])  # new quotes only
    await fake.until("answerCallbackQuery", where=lambda params: params["callback_query_id"] == query)
    await fake.until("editMessageReplyMarkup")
    assert list(buttons(fake.bot_messages(fake.user["id"])[0])) == ["👍", "👎"]


async def test_votes_are_stored_with_question_answer_sources_and_time_in_a_private_file(fake, start_bot, tmp_path):
    await start_bot()
    fake.say(PACT)
    [answer] = await reply_to(fake, fake.user["id"])
    fake.press(answer, buttons(answer)["👍"])
    await fake.until("answerCallbackQuery", where=lambda params: params.get("text") == "Thanks for the feedback!")
    await fake.until("editMessageReplyMarkup")
    assert "👍 ✓" in buttons(fake.bot_messages(fake.user["id"])[0])
    fake.press(answer, buttons(answer)["👍"])
    await fake.until("answerCallbackQuery", where=lambda params: params.get("text") == "Already noted, thank you!")
    fake.press(answer, buttons(answer)["👎"])
    await fake.until("answerCallbackQuery", count=3)
    await fake.until("editMessageReplyMarkup", count=2)

    feedback = tmp_path / "feedback.jsonl"
    assert stat.S_IMODE(feedback.stat().st_mode) == 0o600
    from bot.telegram.feedback import FeedbackStore

    up, down = FeedbackStore(feedback).read()
    assert (up["vote"], down["vote"]) == ("up", "down")
    assert up["question"] == PACT and "Kim Jong-un" in up["answer"] and up["time"].endswith("+00:00")
    assert len(up["sources"]) == 3 and up["sources"][0]["title"].startswith("Seoul, Tokyo")
    assert "quote" in up["sources"][0] and up["voter"] == down["voter"]  # one person, pseudonymous:
    assert str(fake.user["id"]) not in feedback.read_text() and "chat_id" not in up  # no Telegram ids kept


async def test_buttons_of_forgotten_answers_are_answered_not_ignored(fake, start_bot):
    await start_bot()
    fake.say(PACT)
    [answer] = await reply_to(fake, fake.user["id"])
    fake.press(answer, "vote:unknown1:up")
    fake.press(answer, "something-else")
    calls = await fake.until("answerCallbackQuery", count=2)
    assert [call.params.get("text") for call in calls] == [TOO_OLD, TOO_OLD]


async def test_a_follow_up_question_uses_the_previous_question_as_context(fake, start_bot, engine):
    await start_bot()
    fake.say(PACT)
    await reply_to(fake, fake.user["id"])
    fake.say("and when was it signed?")
    await reply_to(fake, fake.user["id"], count=2)
    assert engine.asked == [(PACT, ()), ("and when was it signed?", (PACT,))]


async def test_commands_help_sources_about_and_the_command_menu(fake, start_bot):
    await start_bot(admin_ids=frozenset({7}))
    chat = fake.user["id"]
    for number, command in enumerate(["/start", "/help", "/sources", "/about", "/nonsense"], start=1):
        fake.say(command)
        await reply_to(fake, chat, count=number)
    start, help_, sources, about, unknown = (message["text"] for message in fake.bot_messages(chat))
    assert start == help_ and "1 news article from Deutsche Welle" in start and PACT in start
    assert sources.startswith("1 article, 8 passages") and "Deutsche Welle, Jun 24, 2024 (8 passages)" in sources
    assert "Index: 1 article, 8 passages" in about and "test/word-hash" in about
    assert unknown == UNKNOWN_COMMAND
    everyone = fake.commands['{"type": "default"}']
    assert [command["command"] for command in everyone] == ["help", "sources", "about"]
    assert [command["command"] for command in fake.commands['{"chat_id": 7, "type": "chat"}']][-2:] == ["reload", "add"]


async def test_in_groups_the_bot_answers_only_when_mentioned_or_replied_to(fake, start_bot, engine):
    await start_bot()
    group = fake.group_chat()
    fake.say("who signed the pact? just chatting", chat=group)
    fake.send_sticker(chat=group)
    fake.say(f"@{fake.me['username']} {PACT}", chat=group)
    [answer] = await reply_to(fake, group["id"])
    assert "Kim Jong-un" in answer["html"] and answer["reply_to_message"]["text"].startswith("@newsqa_test_bot")
    fake.say("and when was it signed?", chat=group, reply_to=answer)
    _, follow_up = await reply_to(fake, group["id"], count=2)
    fake.say(f"@{fake.me['username']}", chat=group)
    *_, empty = await reply_to(fake, group["id"], count=3)
    assert follow_up["reply_to_message"]["text"] == "and when was it signed?"
    assert "Please ask a question" in empty["text"]
    assert [question.strip() for question, _ in engine.asked] == [PACT, "and when was it signed?"]


async def test_stickers_and_photos_in_private_get_a_hint(fake, start_bot):
    await start_bot()
    fake.send_sticker()
    [hint] = await reply_to(fake, fake.user["id"])
    assert hint["text"] == TEXT_ONLY_HINT


async def test_the_allow_list_refuses_others_once_and_lets_listed_users_and_chats_in(fake, start_bot, engine):
    group = fake.group_chat(-100777, "Allowed newsroom")
    await start_bot(allowed_ids=frozenset({1001, group["id"]}))
    stranger = {"id": 666, "is_bot": False, "first_name": "Eve"}
    fake.say(PACT, user=stranger)
    [refusal] = await reply_to(fake, 666)
    assert refusal["text"] == REFUSAL
    fake.say("please?", user=stranger)
    fake.press(refusal, "vote:x:up", user=stranger)
    await fake.until("answerCallbackQuery")
    fake.say(f"@{fake.me['username']} {PACT}", chat=group, user=stranger)  # anyone in an allowed chat may ask
    fake.say(PACT)  # an allowed user
    await reply_to(fake, group["id"])
    await reply_to(fake, fake.user["id"])
    assert len(fake.bot_messages(666)) == 1
    assert len(engine.asked) == 2


async def test_too_many_questions_a_minute_get_a_friendly_wait_message(fake, start_bot):
    await start_bot(questions_per_minute=2)
    for question in (PACT, "when was the pact signed?", "who condemned it?"):
        fake.say(question)
    messages = await reply_to(fake, fake.user["id"], count=3)
    waits = [message["text"] for message in messages if message["text"].startswith("You're asking faster")]
    assert len(waits) == 1 and "Please wait" in waits[0]


def test_the_question_limit_is_per_user_over_a_sliding_minute():
    now = [0.0]
    limit = QuestionLimit(2, clock=lambda: now[0])
    assert (limit.wait(1), limit.wait(1), limit.wait(2)) == (0, 0, 0)
    now[0] = 30.0
    assert limit.wait(1) == pytest.approx(30.0)
    now[0] = 60.0
    assert limit.wait(1) == 0


async def test_an_error_is_logged_the_user_told_and_the_bot_keeps_answering(fake, start_bot, caplog):
    await start_bot()
    fake.fail_next("sendMessage", 400, "Bad Request: injected fault")
    fake.say(PACT)
    [sorry] = await reply_to(fake, fake.user["id"])
    assert sorry["text"] == SORRY
    assert "Error while handling an update" in caplog.text
    fake.say(PACT)
    _, answer = await reply_to(fake, fake.user["id"], count=2)
    assert "Kim Jong-un" in answer["text"]


async def test_an_error_after_a_button_was_answered_is_reported_in_the_chat(fake, start_bot):
    await start_bot()
    fake.say(PACT)
    [answer] = await reply_to(fake, fake.user["id"])
    fake.fail_next("editMessageReplyMarkup", 400, "Bad Request: injected fault")
    fake.press(answer, buttons(answer)["👍"])
    _, sorry = await reply_to(fake, fake.user["id"], count=2)
    assert sorry["text"] == SORRY
    assert [call.params.get("text") for call in fake.wait_for("answerCallbackQuery")] == ["Thanks for the feedback!"]


async def test_a_slow_question_does_not_stall_other_chats(fake, start_bot, engine):
    await start_bot()
    engine.hold = "slowly"
    other = {"id": 2002, "is_bot": False, "first_name": "Bo"}
    fake.say("who signed the pact, slowly?")
    await fake.until("sendChatAction")
    fake.say(PACT, user=other)
    [answer] = await reply_to(fake, 2002)
    assert "Kim Jong-un" in answer["text"] and fake.bot_messages(fake.user["id"]) == []
    engine.release.set()
    await reply_to(fake, fake.user["id"])


async def test_reload_is_for_admins_rebuilds_in_a_child_process_and_answers_from_the_old_index_meanwhile(
    fake, start_bot, tmp_path
):
    (tmp_path / "corpus").mkdir()
    shutil.copy(SEED, tmp_path / "corpus" / SEED.name)
    settings = Settings(corpus=tmp_path / "corpus", index=tmp_path / "index", multilingual=False)  # as built below
    build_index(settings.corpus, settings.index, WordHashEncoder())
    engine = Engine(settings, WordHashEncoder())
    gate = tmp_path / "gate"
    gate.mkdir()
    await start_bot(engine=engine, rebuilder=build_child.rebuilder(engine, "--gate", str(gate)), admin_ids={fake.user["id"]})
    stranger = {"id": 3003, "is_bot": False, "first_name": "Cy"}
    fake.say("/reload", user=stranger)
    [refused] = await reply_to(fake, 3003)
    assert refused["text"] == ADMINS_ONLY

    (tmp_path / "corpus" / "elephants.md").write_text(f"# Elephants cross into Botswana\n\n{ELEPHANTS}\n")
    fake.say("/reload")
    [status] = await reply_to(fake, fake.user["id"])
    assert status["text"] == RELOADING
    await wait_for_file(gate / "waiting")  # the child is embedding the new article, and waits there
    fake.say("/reload")
    fake.say("which elephants crossed the border into Botswana?")
    messages = await reply_to(fake, fake.user["id"], count=3)
    assert RELOAD_QUEUED in [message["text"] for message in messages]
    assert not any("Zambezi" in message["text"] for message in messages)  # answered, from the old index
    (gate / "open").touch()
    await fake.until("editMessageText", count=2, timeout=60)
    first, queued = (message["text"] for message in fake.bot_messages(fake.user["id"])[:2])
    assert first.startswith("Reloaded. added 1, changed 0, removed 0")
    assert queued.startswith("Reloaded. index up to date: 2 articles")  # the one more rebuild, after the first
    fake.say("which elephants crossed the border into Botswana?")
    *_, answer = await reply_to(fake, fake.user["id"], count=4)
    assert "Zambezi" in answer["text"]


async def wait_for_file(path: Path, timeout: float = 60) -> None:
    for _ in range(int(timeout / 0.05)):
        if path.exists():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{path} did not appear in {timeout} s")


async def test_a_failed_reload_is_reported_to_the_admin_and_logged_and_the_old_index_keeps_answering(
    fake, start_bot, tmp_path, caplog
):
    (tmp_path / "corpus").mkdir()
    shutil.copy(SEED, tmp_path / "corpus" / SEED.name)
    settings = Settings(corpus=tmp_path / "corpus", index=tmp_path / "index")
    build_index(settings.corpus, settings.index, WordHashEncoder())
    engine = Engine(settings, WordHashEncoder())
    await start_bot(engine=engine, rebuilder=build_child.rebuilder(engine), admin_ids=frozenset({fake.user["id"]}))
    shutil.rmtree(tmp_path / "corpus")
    fake.say("/reload")
    [edited] = await fake.until("editMessageText", timeout=60)
    assert edited.params["text"].startswith("Reload failed; still answering from the old index. corpus folder")
    assert "does not exist" in edited.params["text"] and "Traceback" not in edited.params["text"]
    assert any("Reload asked by 1001 failed: corpus folder" in record.getMessage() for record in caplog.records)
    fake.say(PACT)
    assert "Kim Jong-un" in (await reply_to(fake, fake.user["id"], count=2))[-1]["text"]


class FixedEngine(RecordingEngine):
    """Always gives the same answer, whatever the question."""

    def __init__(self, engine: Engine, answer: Answer) -> None:
        super().__init__(engine)
        self.answer = answer

    def ask(self, question: str, top_k: int | None = None, history: tuple[str, ...] = ()) -> Answer:
        return self.answer


async def test_a_long_answer_comes_in_several_messages_with_the_buttons_under_the_last(fake, start_bot, shared_engine):
    quote = "The committee met again to weigh the proposal in detail. " * 40  # ~2,300 characters
    sources = [Source(f"Story {n}", "DW", "2024-06-24", None, f"{n}.txt", 1, quote.strip(), 0.5) for n in range(5)]
    await start_bot(engine=FixedEngine(shared_engine, Answer("q", "The committee met.", False, sources)))
    fake.say("what did the committee do?")
    messages = await reply_to(fake, fake.user["id"], count=3)
    assert [bool(message.get("reply_markup")) for message in messages] == [False, False, True]
    assert "More sources (2)" in buttons(messages[-1])
    assert sum(message["html"].count("<blockquote") for message in messages) == 3


def test_settings_come_from_flags_then_environment_and_bad_values_are_explained(tmp_path):
    env = {"TELEGRAM_BOT_TOKEN": " 1:abc ", "TELEGRAM_ALLOWED_IDS": "1001, -100777;42", "TELEGRAM_ADMIN_IDS": "7"}
    config = load_config(env, tmp_path / "index", questions_per_minute=5)
    assert (config.token, config.allowed_ids, config.admin_ids) == ("1:abc", {1001, -100777, 42}, {7})
    assert config.feedback_file == tmp_path / "feedback.jsonl" and config.questions_per_minute == 5
    assert config.api_base_url == "https://api.telegram.org" and config.webhook_url is None
    assert "1:abc" not in repr(config)
    webhook = load_config({**env, "TELEGRAM_WEBHOOK_URL": "https://x.org/hook", "TELEGRAM_WEBHOOK_SECRET": "s-1"}, tmp_path)
    assert (webhook.webhook_url, webhook.secret) == ("https://x.org/hook", "s-1")
    for bad, message in [
        ({}, "set TELEGRAM_BOT_TOKEN"),
        ({**env, "TELEGRAM_ALLOWED_IDS": "ada"}, "numeric Telegram ids"),
        ({**env, "TELEGRAM_QUESTIONS_PER_MINUTE": "0"}, "at least 1"),
        ({**env, "TELEGRAM_WEBHOOK_SECRET": "no spaces"}, "webhook secret"),
        ({**env, "TELEGRAM_WEBHOOK_URL": "ftp://x"}, "http(s) address"),
    ]:
        with pytest.raises(ConfigError, match=re.escape(message)):
            load_config(bad, tmp_path / "index")
