"""The answers behind "More sources" and 👍/👎 on disk: exact round trips, bounds, privacy, and buttons after a restart."""

from __future__ import annotations

import sqlite3
import stat
import threading

import pytest

from bot.telegram.answers import AnswerStore, RecentAnswer
from bot.telegram.feedback import FeedbackStore
from bot.telegram.handlers import TOO_OLD
from embeddings import Answer, AnswerDate, Source
from tests.telegram.conftest import PACT, polling_bots
from tests.telegram.fake_api import FakeTelegram
from tests.telegram.test_bot import buttons, reply_to


def an_answer(question: str = "who signed the pact?") -> Answer:
    quote = "Vladimir Putin and Kim Jong-un signed the pact last week in Pyongyang."
    return Answer(
        question=question,
        answer="Vladimir Putin and Kim Jong-un",
        abstained=False,
        sources=[
            Source(
                title="Pact signed",
                outlet="Deutsche Welle",
                date="2024-06-24",
                url="https://example.org/pact",
                path="corpus/pact.md",
                paragraph=2,
                quote=quote,
                score=0.123456789012345,
                heading="Summit",
                highlight=(0, 14),
                sentence=(0, len(quote)),
                highlights=((0, 14), (19, 30)),
            ),
            Source("Other", None, None, None, "corpus/other.md", 1, "No answer here.", 0.5),
        ],
        answer_type="person",
        answer_date=AnswerDate("last week", "2024-06-17", "2024-06-23", "the week of Jun 17, 2024", "2024-06-24"),
    )


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_an_answer_round_trips_exactly_with_its_shown_count_and_vote(tmp_path):
    store = AnswerStore(tmp_path / "answers.sqlite3")
    answer = an_answer()
    key = store.remember(5, answer, 3)
    assert store.recent(5, key) == RecentAnswer(answer, 3, None)
    store.update(5, key, RecentAnswer(answer, 6, "up"))
    again = AnswerStore(tmp_path / "answers.sqlite3").recent(5, key)  # a second store: another process, a restart
    assert again == RecentAnswer(answer, 6, "up")
    assert again.answer.sources[0].highlights == ((0, 14), (19, 30)) and again.answer.answer_date == answer.answer_date
    assert store.recent(6, key) is None  # keyed by chat too: another chat cannot use the key
    assert store.recent(5, "unknown1") is None


def test_each_chat_keeps_its_last_answers_and_old_ones_expire(tmp_path):
    clock = Clock()
    store = AnswerStore(tmp_path / "answers.sqlite3", per_chat=3, max_age=3600, clock=clock)
    keys = []
    for number in range(5):
        clock.now += 1
        keys.append(store.remember(1, an_answer(f"question {number}?"), 3))
    other = store.remember(2, an_answer(), 3)
    assert [store.recent(1, key) is not None for key in keys] == [False, False, True, True, True]
    assert store.recent(1, keys[-1]).answer.question == "question 4?"
    assert store.recent(2, other) is not None  # one chat's answers do not push out another's

    clock.now += 3600 - 1  # the newest of chat 1 is just under an hour old; the older ones are past it
    assert store.recent(1, keys[-1]) is not None and store.recent(1, keys[2]) is None
    clock.now += 10
    store.remember(3, an_answer(), 3)  # writing drops expired rows from the file, whatever the chat
    with sqlite3.connect(tmp_path / "answers.sqlite3") as connection:
        assert connection.execute("SELECT chat_id FROM answers").fetchall() == [(3,)]


def test_the_file_is_private_even_if_it_existed_and_holds_no_user_ids(tmp_path):
    path = tmp_path / "data" / "answers.sqlite3"
    store = AnswerStore(path)
    store.remember(-100123, an_answer(), 3)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    store.close()
    path.chmod(0o644)
    AnswerStore(path).recent(-100123, "unknown1")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with sqlite3.connect(path) as connection:
        columns = [row[1] for row in connection.execute("PRAGMA table_info(answers)")]
    assert columns == ["chat_id", "key", "created", "answer", "shown", "vote"]


def test_threads_can_share_one_store(tmp_path):
    store = AnswerStore(tmp_path / "answers.sqlite3", per_chat=50)
    keys: list[tuple[int, str]] = []

    def work(chat: int) -> None:
        for _ in range(10):
            key = store.remember(chat, an_answer(), 3)
            keys.append((chat, key))
            store.update(chat, key, RecentAnswer(an_answer(), 6, "down"))

    threads = [threading.Thread(target=work, args=(chat,)) for chat in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(keys) == 80 and all(store.recent(chat, key).vote == "down" for chat, key in keys)


@pytest.fixture
def fake() -> FakeTelegram:
    with FakeTelegram() as server:
        yield server


async def stop(application) -> None:
    await application.updater.stop()
    await application.stop()
    await application.shutdown()


@pytest.mark.usefixtures("no_proxy")
async def test_buttons_still_work_after_a_restart(fake, engine, tmp_path):
    async with polling_bots(fake, engine, tmp_path) as start:
        first = await start()
        fake.say(PACT)
        [answer] = await reply_to(fake, fake.user["id"])
        await stop(first)

        await start()  # a new application on the same files: what a restarted bot sees
        fake.press(answer, buttons(answer)["More sources (3)"])
        _, more = await reply_to(fake, fake.user["id"], count=2)
        assert more["html"].startswith("More sources for “who signed the pact?”:")
        assert more["html"].count("<blockquote") == 3
        await fake.until("editMessageReplyMarkup")

        fake.press(answer, buttons(answer)["👍"])
        await fake.until("answerCallbackQuery", where=lambda params: params.get("text") == "Thanks for the feedback!")
        [vote] = FeedbackStore(tmp_path / "feedback.jsonl").read()
        assert vote["vote"] == "up" and vote["question"] == PACT and len(vote["sources"]) == 6  # both pages shown
        fake.press(answer, buttons(answer)["👍"])
        await fake.until("answerCallbackQuery", where=lambda params: params.get("text") == "Already noted, thank you!")
        fake.press(answer, "vote:unknown1:up")
        await fake.until("answerCallbackQuery", where=lambda params: params.get("text") == TOO_OLD)


def test_the_store_sits_beside_the_feedback_file_unless_configured(tmp_path):
    from bot.telegram.config import load_config

    env = {"TELEGRAM_BOT_TOKEN": "123:abc"}
    config = load_config(env, tmp_path / "index")
    assert config.answers_path == tmp_path / "answers.sqlite3"
    config = load_config({**env, "NEWSQA_FEEDBACK": str(tmp_path / "f" / "votes.jsonl")}, tmp_path / "index")
    assert config.answers_path == tmp_path / "f" / "answers.sqlite3"
    config = load_config({**env, "NEWSQA_ANSWERS": str(tmp_path / "a.db")}, tmp_path / "index", answers=None)
    assert config.answers_path == tmp_path / "a.db"
    assert load_config(env, tmp_path / "index", answers=str(tmp_path / "b.db")).answers_path == tmp_path / "b.db"
