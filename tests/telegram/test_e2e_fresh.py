"""End to end, fresh news: `python -m bot telegram --feeds FILE --refresh-minutes N` started as a user would, with the
real model, against the fake Bot API and a local news site. The bot fetches its feed on schedule, an admin adds a page
with /add and an article by sending a file, and each is answerable once the bot says it is indexed."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator

import pytest

from benchmarks.feed_server import NewsSite, bridge, town
from tests.conftest import SEED
from tests.telegram.fake_api import FakeTelegram
from tests.telegram.test_e2e import STARTUP_TIMEOUT, BotProcess, start_bot

HARBOUR = b"---\ntitle: Harbour reopens\ndate: 2026-11-30\n---\n\nThe harbour of Port Ellen reopened on Monday after repairs.\n"


@pytest.fixture(scope="module")
def site() -> Iterator[NewsSite]:
    with NewsSite(articles=2) as news:
        yield news


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram() as server:
        yield server


@pytest.fixture(scope="module")
def fresh_bot(fake: FakeTelegram, site: NewsSite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BotProcess]:
    folders = tmp_path_factory.mktemp("telegram-fresh")
    (folders / "corpus").mkdir()
    shutil.copy(SEED, folders / "corpus" / SEED.name)
    (folders / "feeds.txt").write_text(f"{site.base}/rss.xml\n")
    env = {"TELEGRAM_ADMIN_IDS": str(fake.user["id"]), "TELEGRAM_QUESTIONS_PER_MINUTE": "60"}
    bot = start_bot(fake, folders, "--feeds", str(folders / "feeds.txt"), "--refresh-minutes", "60", env=env)
    try:
        fake.wait_for("getUpdates", timeout=STARTUP_TIMEOUT)
    except AssertionError:
        bot.terminate()
        pytest.fail(f"the bot did not start polling:\n{bot.stderr()}")
    yield bot
    bot.terminate()


def ask(fake: FakeTelegram, text: str, timeout: float = 60) -> str:
    chat = fake.user["id"]
    before = len(fake.bot_messages(chat))
    fake.say(text)
    fake.wait_for("sendMessage", where=lambda params: params["chat_id"] == chat, count=before + 1, timeout=timeout)
    return fake.bot_messages(chat)[-1]["text"]


def edited_to(fake: FakeTelegram, start: str, timeout: float = 180) -> str:
    """The text of the bot's status message once it has been edited to something starting with `start`."""
    found = fake.wait_for("editMessageText", where=lambda params: params["text"].startswith(start), timeout=timeout)
    return found[-1].params["text"]


def test_the_bot_fetches_its_feed_on_schedule_and_about_says_so(fake, site, fresh_bot):
    deadline = time.monotonic() + 180
    while "last refreshed" not in (about := ask(fake, "/about")) and time.monotonic() < deadline:
        time.sleep(1)
    assert "Feeds (every 60 min): last refreshed" in about and about.endswith("UTC from Local Herald"), fresh_bot.stderr()
    for _ in range(60):  # the refresh is noted as soon as the feed is read; the new index follows
        if bridge(1) in (answer := ask(fake, f"What is the new footbridge in {town(1)} called?")):
            break
        time.sleep(1)
    assert bridge(1) in answer and "Local Herald" in answer


def test_an_admin_adds_a_page_and_a_file_and_both_are_answered(fake, site, fresh_bot):
    fake.say(f"/add {site.base}/articles/5.html")
    indexed = edited_to(fake, "Indexed “")
    assert indexed == f"Indexed “{town(5)} opens the {bridge(5)}” (Nov 1, 2026): 4 passages. You can ask about it now."
    assert bridge(5) in ask(fake, f"What is the new footbridge in {town(5)} called?")

    fake.send_document("harbour.md", HARBOUR)
    assert edited_to(fake, "Indexed “Harbour") == "Indexed “Harbour reopens” (Nov 30, 2026): 1 passage. You can ask about it now."
    assert "Port Ellen" in ask(fake, "Which harbour reopened after repairs?")
    assert "Traceback" not in fresh_bot.stderr()


def test_a_broken_page_or_file_is_refused_by_name_and_the_bot_keeps_answering(fake, site, fresh_bot):
    fake.say(f"/add {site.base}/huge.html")
    assert edited_to(fake, f"Could not add {site.base}/huge.html: too large", timeout=60)
    fake.send_document("notes.docx", b"PK\x03\x04")
    fake.wait_for("sendMessage", where=lambda params: params["text"].startswith("I can't add notes.docx: only .html"))
    assert "Kim Jong-un" in ask(fake, "who signed the pact?")
    assert fresh_bot.process.poll() is None
