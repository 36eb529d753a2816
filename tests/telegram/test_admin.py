"""Admins add articles from Telegram (/add URL, or a sent .html/.txt/.md file) and the bot follows feeds on a schedule;
everyone else is refused politely. The bot runs in-process against the fake Bot API; pages come from a local news site,
and rebuilds run as child processes with the word-hash encoder."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks.feed_server import NewsSite, bridge, town
from bot.telegram import refresh
from bot.telegram.admin import ADD_ADMINS_ONLY, ADD_USAGE, MAX_UPLOAD_BYTES
from bot.telegram.refresh import FeedSchedule
from embeddings import Engine, Settings, build_index
from tests.conftest import SEED, WordHashEncoder
from tests.telegram import build_child
from tests.telegram.conftest import polling_bots
from tests.telegram.fake_api import FakeTelegram

pytestmark = pytest.mark.usefixtures("no_proxy")

STRANGER = {"id": 3003, "is_bot": False, "first_name": "Cy"}
HARBOUR = b"Harbour reopens\n\nThe harbour of Port Ellen reopened on Monday after the storm repairs.\n"


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram() as server:
        yield server


@pytest.fixture
def site() -> Iterator[NewsSite]:
    with NewsSite(articles=3) as news:
        yield news


@pytest.fixture
def own_engine(tmp_path: Path) -> Engine:
    (tmp_path / "corpus").mkdir()
    shutil.copy(SEED, tmp_path / "corpus" / SEED.name)
    settings = Settings(corpus=tmp_path / "corpus", index=tmp_path / "index")
    build_index(settings.corpus, settings.index, WordHashEncoder())
    return Engine(settings, WordHashEncoder())


@pytest.fixture
async def admin_bot(fake, own_engine, tmp_path):
    """A bot whose admin is the fake's default user."""
    async with polling_bots(fake, own_engine, tmp_path) as start:
        await start(rebuilder=build_child.rebuilder(own_engine), admin_ids=frozenset({fake.user["id"]}))
        yield


async def final_text(fake: FakeTelegram, chat_id: int, edits: int, timeout: float = 60) -> str:
    """The bot's status message in the chat once it has been edited `edits` times."""
    await fake.until("editMessageText", where=lambda params: params["chat_id"] == chat_id, count=edits, timeout=timeout)
    return fake.bot_messages(chat_id)[-1]["text"]


async def ask(fake: FakeTelegram, question: str, chat_id: int) -> str:
    before = len(fake.bot_messages(chat_id))
    fake.say(question)
    await fake.until("sendMessage", where=lambda params: params["chat_id"] == chat_id, count=before + 1)
    return fake.bot_messages(chat_id)[-1]["text"]


async def test_an_admin_adds_a_page_by_its_address_and_can_ask_about_it_at_once(fake, site, admin_bot):
    me = fake.user["id"]
    fake.say(f"/add {site.base}/articles/1.html")
    text = await final_text(fake, me, edits=2)
    assert text == f"Indexed “{town(1)} opens the {bridge(1)}” (Nov 1, 2026): 4 passages. You can ask about it now."
    assert bridge(1) in await ask(fake, f"what is the new footbridge in {town(1)} called?", me)
    fake.say(f"/add {site.base}/articles/1.html")
    assert "already in the corpus" in await final_text(fake, me, edits=3)


async def test_add_reports_a_bad_page_or_address_by_name(fake, site, admin_bot):
    me = fake.user["id"]
    for number, (address, reason) in enumerate(
        [("/broken.html", "HTTP 500"), ("/report.pdf", "not an HTML page"), ("/loop", "too many redirects")], start=1
    ):
        fake.say(f"/add {site.base}{address}")
        assert (await final_text(fake, me, edits=number)).startswith(f"Could not add {site.base}{address}: {reason}")
    fake.say("/add ftp://example.com/story")
    assert "not a web address" in await final_text(fake, me, edits=4)
    fake.say("/add")
    await fake.until("sendMessage", where=lambda params: params.get("text") == ADD_USAGE)


async def test_an_admin_sends_an_article_file_and_it_is_indexed(fake, admin_bot):
    me = fake.user["id"]
    fake.send_document("harbour.txt", HARBOUR)
    assert await final_text(fake, me, edits=2) == "Indexed “Harbour reopens” (undated): 1 passage. You can ask about it now."
    assert "Port Ellen" in await ask(fake, "which harbour reopened after the storm?", me)
    assert fake.wait_for("downloadFile")


async def test_files_of_other_types_too_large_or_unreadable_are_refused_saying_why(fake, admin_bot):
    me = fake.user["id"]
    fake.send_document("report.pdf", b"%PDF-1.4")
    fake.send_document("huge.txt", b"Big\n\n" + b"word " * (MAX_UPLOAD_BYTES // 5))
    await fake.until("sendMessage", where=lambda params: params["chat_id"] == me, count=2)
    refusals = sorted(message["text"] for message in fake.bot_messages(me))
    assert refusals == [
        "I can't add huge.txt: it is larger than 2 MB.",
        "I can't add report.pdf: only .html, .txt and .md files are articles I can read.",
    ]
    assert "downloadFile" not in [call.method for call in fake.calls]  # refused before downloading
    fake.send_document("binary.txt", b"\x00\x01\x02\x03 not text")
    assert await final_text(fake, me, edits=1) == "I can't add binary.txt: binary file, not text"


async def test_others_are_refused_politely(fake, site, admin_bot):
    fake.say(f"/add {site.base}/articles/2.html", user=STRANGER)
    fake.send_document("harbour.txt", HARBOUR, user=STRANGER)
    await fake.until("sendMessage", where=lambda params: params["chat_id"] == STRANGER["id"], count=2)
    assert [message["text"] for message in fake.bot_messages(STRANGER["id"])] == [ADD_ADMINS_ONLY] * 2
    assert site.pages() == [] and "downloadFile" not in [call.method for call in fake.calls]


async def test_the_bot_follows_its_feeds_on_a_schedule_and_about_says_when_and_from_which(
    fake, site, own_engine, tmp_path, monkeypatch
):
    monkeypatch.setattr(refresh, "FIRST_REFRESH_SECONDS", 0.1)
    feeds = tmp_path / "feeds.txt"
    feeds.write_text(f"{site.base}/rss.xml\n")
    me = fake.user["id"]
    async with polling_bots(fake, own_engine, tmp_path) as start:
        fake.say("/about")
        rebuilder = build_child.rebuilder(own_engine, feeds=feeds)
        await start(rebuilder=rebuilder, feeds=FeedSchedule(feeds, 60))
        [about] = await fake.until("sendMessage", where=lambda params: params["chat_id"] == me)
        assert "Feeds (every 60 min): not refreshed yet; following " + site.base in about.result["text"]
        for _ in range(600):
            if own_engine.info().articles == 4:
                break
            await asyncio.sleep(0.1)
        assert own_engine.info().articles == 4  # the seed article and the feed's three
        assert bridge(2) in await ask(fake, f"what is the new footbridge in {town(2)} called?", me)
        fake.say("/about")
        await fake.until("sendMessage", where=lambda params: params["chat_id"] == me, count=3)
        assert "Feeds (every 60 min): last refreshed " in fake.bot_messages(me)[-1]["text"]
        assert fake.bot_messages(me)[-1]["text"].endswith("UTC from Local Herald")
