"""Telegram failing the bot, and people probing it: every question still gets exactly one answer, to its asker only.

The real python-telegram-bot polls the fake Bot API over HTTP; the fake injects what Telegram and the network do
(429 flood limits, 500/502, hung requests, dropped connections, refused HTML, overlong messages). The engine runs
on a small index embedded with the fast WordHashEncoder: the model's judgement is not the point here.
"""

from __future__ import annotations

import asyncio
import io
import logging
import shutil
import stat
from collections import Counter
from pathlib import Path

import pytest
from telegram import Update

from bot.telegram.app import ALLOWED_UPDATES
from bot.telegram.cli import RedactingFormatter
from bot.telegram.config import TelegramConfig
from bot.telegram.feedback import FeedbackStore
from bot.telegram.handlers import REFUSAL, SORRY
from bot.telegram.html import MESSAGE_LIMIT, utf16_length, visible_text
from embeddings import Answer, Engine, Settings, Source, build_index
from tests.conftest import SEED, WordHashEncoder
from tests.telegram import build_child
from tests.telegram.conftest import PACT, polling_bots
from tests.telegram.fake_api import FAULT_KINDS, FakeTelegram

TIMEOUT = 1.0  # the bot's network timeout in these tests: a hung request costs 1 s, not PTB's default 5 s
STRANGER = {"id": 666, "is_bot": False, "first_name": "Eve"}

pytestmark = pytest.mark.usefixtures("no_proxy")


@pytest.fixture
def fake():
    with FakeTelegram(unique_message_ids=True) as server:
        yield server


@pytest.fixture
async def start_bot(fake, engine, tmp_path):
    async with polling_bots(fake, engine, tmp_path, poll_timeout=0, timeout=TIMEOUT) as start:
        yield start


def user(number: int) -> dict:
    return {"id": 5000 + number, "is_bot": False, "first_name": f"Reader {number}"}


def answers_by_question(fake: FakeTelegram) -> Counter:
    """How many answers each question got: the bot's messages that reply to a user's message, by (chat, message)."""
    with fake._lock:
        return Counter(
            (call.params["chat_id"], call.params["reply_parameters"]["message_id"])
            for call in fake.calls
            if call.ok and call.method == "sendMessage" and call.params.get("reply_parameters")
        )


def sent_texts(fake: FakeTelegram) -> list[str]:
    return [call.result["text"] for call in fake.calls if call.ok and call.method == "sendMessage"]


async def test_every_kind_of_fault_on_send_and_poll_is_ridden_out_and_each_question_answered_once(fake, start_bot):
    await start_bot(questions_per_minute=100)
    for kind in FAULT_KINDS:  # the first five answers each hit a different fault...
        fake.fail_next("sendMessage", kind)
    for kind in ("502", "timeout", "drop"):  # ...and polls for updates fail too (each failed poll backs off 1 s)
        fake.fail_next("getUpdates", kind)
    questions = [fake.say(f"{PACT} ({number})", user=user(number)) for number in range(len(FAULT_KINDS))]
    await fake.until("sendMessage", count=len(questions), timeout=60)
    await asyncio.sleep(0.5)  # a duplicate would arrive now
    expected = {(question["chat"]["id"], question["message_id"]): 1 for question in questions}
    assert answers_by_question(fake) == expected
    assert all("Kim Jong-un" in text for text in sent_texts(fake)) and SORRY not in sent_texts(fake)
    assert sum(count for name, count in fake.faults_injected.items() if name.startswith("sendMessage")) == 5
    assert sum(count for name, count in fake.faults_injected.items() if name.startswith("getUpdates")) == 3


async def test_a_burst_with_ten_percent_of_calls_failing_loses_and_duplicates_nothing(fake, start_bot):
    await start_bot(questions_per_minute=100)
    # (429s stall every chat for a second, as Telegram means them to: the test above covers them)
    fake.inject_faults(0.10, ("sendMessage", "sendChatAction", "getUpdates"), kinds=("500", "502", "drop"), seed=6)
    questions = [fake.say(f"{PACT} {turn}", user=user(chat)) for turn in range(2) for chat in range(12)]
    await fake.until("sendMessage", count=len(questions), timeout=90)
    await asyncio.sleep(0.5)
    answered = answers_by_question(fake)
    assert {key for key, count in answered.items() if count != 1} == set()
    assert set(answered) == {(question["chat"]["id"], question["message_id"]) for question in questions}
    assert SORRY not in sent_texts(fake)
    assert sum(fake.faults_injected.values()) >= 5


async def test_html_that_telegram_refuses_is_resent_as_the_same_words_in_plain_text(fake, start_bot):
    await start_bot()
    fake.fail_next("sendMessage", 400, 'Bad Request: can\'t parse entities: Unsupported start tag "q" at byte offset 3')
    question = fake.say(PACT)
    [call] = await fake.until("sendMessage")
    message = call.result
    assert "Kim Jong-un" in message["text"] and "<b>" not in message["text"] and not message.get("entities")
    assert message["reply_to_message"]["message_id"] == question["message_id"]
    assert [button["text"] for row in message["reply_markup"]["inline_keyboard"] for button in row][-2:] == ["👍", "👎"]


async def test_a_message_telegram_finds_too_long_is_resent_in_smaller_pieces_with_the_buttons_under_the_last(fake, start_bot):
    await start_bot(sources_per_page=8)  # a long answer: all eight paragraphs of the article
    fake.fail_next("sendMessage", 400, "Bad Request: message is too long")
    question = fake.say(PACT)
    await fake.until("sendMessage", where=lambda params: params.get("reply_markup") is not None)
    [refused] = [call.params["text"] for call in fake.calls if call.method == "sendMessage" and not call.ok]
    pieces = [call.result for call in fake.calls if call.ok and call.method == "sendMessage"]
    half = MESSAGE_LIMIT // 2
    assert len(pieces) >= -(-utf16_length(visible_text(refused)) // half) and all(utf16_length(p["text"]) <= half for p in pieces)
    assert " ".join(" ".join(piece["text"] for piece in pieces).split()) == " ".join(visible_text(refused).split())
    assert pieces[0]["reply_to_message"]["message_id"] == question["message_id"]
    assert "reply_markup" in pieces[-1] and all("reply_markup" not in piece for piece in pieces[:-1])


async def test_a_user_who_deleted_the_question_still_gets_the_answer(fake, start_bot):
    await start_bot()
    question = fake.say(PACT)
    with fake._lock:  # the user deletes the question while the bot thinks
        del fake._messages[(question["chat"]["id"], question["message_id"])]
    [call] = await fake.until("sendMessage")
    assert "Kim Jong-un" in call.result["text"] and "reply_to_message" not in call.result


async def test_one_user_flooding_gets_the_limit_and_a_wait_message_while_others_are_answered(fake, start_bot):
    await start_bot(questions_per_minute=10)
    flooder = user(99)
    for number in range(25):
        fake.say(f"{PACT} {number}", user=flooder)
    others = [fake.say(PACT, user=user(number)) for number in range(10)]
    await fake.until("sendMessage", count=35, timeout=60)
    texts_to = Counter()
    for call in fake.calls:
        if call.ok and call.method == "sendMessage":
            kind = "wait" if call.result["text"].startswith("You're asking faster") else "answer"
            texts_to[(call.params["chat_id"], kind)] += 1
    assert texts_to[(flooder["id"], "answer")] == 10 and texts_to[(flooder["id"], "wait")] == 15
    assert all(texts_to[(question["chat"]["id"], "answer")] == 1 for question in others)


async def test_a_reload_that_fills_the_disk_says_so_and_the_bot_keeps_answering_from_the_old_index(fake, start_bot, tmp_path):
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    shutil.copy(SEED, corpus / SEED.name)
    build_index(corpus, index, WordHashEncoder())
    own_engine = Engine(Settings(corpus=corpus, index=index), WordHashEncoder())
    (corpus / "new.txt").write_text("Harbour reopens\n\nThe harbour reopened on Monday after repairs.\n")
    admin = user(1)
    full = build_child.rebuilder(own_engine, "--disk-full")  # the child's disk fills up as it writes the index
    await start_bot(engine=own_engine, rebuilder=full, admin_ids=frozenset({admin["id"]}))
    fake.say("/reload", user=admin)
    [edited] = await fake.until("editMessageText", timeout=60)
    assert edited.params["text"].startswith("Reload failed; still answering from the old index.")
    assert "No space left on device" in edited.params["text"] and "free disk space" in edited.params["text"].lower()
    fake.say(PACT)
    [answer] = await fake.until("sendMessage", where=lambda params: params["chat_id"] == fake.user["id"])
    assert "Kim Jong-un" in answer.result["text"] and own_engine.info().articles == 1


# --- security ------------------------------------------------------------------------------------------------------


def test_the_bot_asks_telegram_for_messages_and_button_presses_only():
    assert ALLOWED_UPDATES == [Update.MESSAGE, Update.CALLBACK_QUERY]  # no inline queries, edits or channel posts


async def test_inline_queries_edits_and_channel_posts_get_nothing_from_anyone_and_break_nothing(fake, start_bot, engine, caplog):
    await start_bot(allowed_ids=frozenset({fake.user["id"]}))  # the fixture polls for every kind of update
    fake.inline_query(PACT, user=STRANGER)
    fake.inline_query(PACT)
    channel = {"id": -100999, "type": "channel", "title": "News"}
    post = {"message_id": 1, "date": 0, "chat": channel, "text": PACT}
    fake.push_update("channel_post", post)
    fake.push_update("edited_message", {**post, "chat": fake.private_chat(STRANGER), "from": STRANGER, "edit_date": 1})
    fake.say(PACT)  # then an allowed user asks: the bot is still there
    await fake.until("sendMessage")
    await asyncio.sleep(0.3)
    answered = {call.method for call in fake.calls} - {"getMe", "getUpdates", "setMyCommands", "deleteWebhook"}
    assert answered == {"sendMessage", "sendChatAction"}  # no answerInlineQuery, nothing to the stranger
    assert [call.params["chat_id"] for call in fake.calls if call.method == "sendMessage"] == [fake.user["id"]]
    assert engine.asked == [(PACT, ())]
    assert "Error while handling" not in caplog.text


async def test_the_allow_list_holds_in_groups_and_for_button_presses(fake, start_bot, engine, tmp_path):
    await start_bot(allowed_ids=frozenset({fake.user["id"]}))
    fake.say(PACT)
    [call] = await fake.until("sendMessage")
    group = fake.group_chat(-100555, "Strangers' group")
    fake.say(PACT, chat=group, user=STRANGER)  # not addressed to the bot: silence
    fake.say(f"@{fake.me['username']} {PACT}", chat=group, user=STRANGER)
    fake.say(f"@{fake.me['username']} {PACT}", chat=group, user=STRANGER)
    [refusal] = await fake.until("sendMessage", where=lambda params: params["chat_id"] == group["id"])
    # The stranger presses a button carrying a real answer's key (seen in a screenshot, say) in their group.
    [vote_up] = [button["callback_data"] for row in call.result["reply_markup"]["inline_keyboard"] for button in row
                 if button["text"] == "👍"]  # fmt: skip
    fake.press(fake.bot_messages(group["id"])[0], vote_up, user=STRANGER)
    [pressed] = await fake.until("answerCallbackQuery")
    await asyncio.sleep(0.3)
    assert refusal.params["text"] == REFUSAL and len(fake.bot_messages(group["id"])) == 1
    assert pressed.params.get("text") is None  # answered, empty: no "thanks", no vote
    assert engine.asked == [(PACT, ())] and not (tmp_path / "feedback.jsonl").exists()


async def test_the_token_never_reaches_the_log_or_the_user_even_when_a_handler_crashes(fake, start_bot, engine):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(RedactingFormatter([fake.token]))
    logging.getLogger().addHandler(handler)
    try:

        def crash(*args: object, **kwargs: object) -> None:  # an error whose message holds the token, as URLs do
            raise RuntimeError(f"POST {fake.base_url}/bot{fake.token}/sendMessage failed")

        engine.ask = crash
        await start_bot()
        fake.say(PACT)
        [sorry] = await fake.until("sendMessage")
        await asyncio.sleep(0.2)
    finally:
        logging.getLogger().removeHandler(handler)
    log = stream.getvalue()
    assert "Error while handling an update" in log and "RuntimeError" in log and "[redacted]" in log
    assert fake.token not in log and fake.token.split(":")[1] not in log
    assert sorry.params["text"] == SORRY and fake.token not in sorry.params["text"]
    assert fake.token not in repr(TelegramConfig(token=fake.token, feedback_file=Path("f"), secret="s3cret"))


def test_feedback_keeps_no_telegram_ids_and_is_private_even_if_the_file_existed(tmp_path):
    path = tmp_path / "feedback.jsonl"
    path.write_text("")
    path.chmod(0o644)
    store = FeedbackStore(path, key=b"bot token")
    source = Source(title="Pact", outlet="DW", date="2024-06-24", url=None, path="a.txt", paragraph=1,
                    quote="Kim and Putin signed.", score=0.9)  # fmt: skip
    answer = Answer(question="who signed?", answer="Kim and Putin.", abstained=False, sources=(source,))
    first = store.record(answer, [source], "up", user_id=123456789)
    second = store.record(answer, [source], "down", user_id=123456789)
    other = store.record(answer, [source], "up", user_id=42)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text()
    assert "123456789" not in text and "-100777" not in text and "chat_id" not in text and "user_id" not in text
    assert first["voter"] == second["voter"] != other["voter"] and len(first["voter"]) == 16
    assert FeedbackStore(path, key=b"bot token").voter(123456789) == first["voter"]  # stable across restarts
    assert set(first) == {"time", "vote", "voter", "question", "answer", "abstained", "sources"}
