"""The fake Bot API refuses what Telegram refuses, so a bot that passes against it is not passing by accident.

Driven by python-telegram-bot's own `Bot` over real HTTP, as the bot under test is.
"""

from __future__ import annotations

import asyncio
import re
import time

import pytest
from aiohttp import web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Conflict, InvalidToken

from tests.telegram.fake_api import FakeTelegram, local_env


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in local_env({}).items():
        monkeypatch.setenv(key, value)
    for key in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(key, raising=False)


@pytest.fixture
def fake() -> FakeTelegram:
    with FakeTelegram() as server:
        yield server


@pytest.fixture
async def bot(fake: FakeTelegram):
    client = Bot(fake.token, base_url=f"{fake.base_url}/bot")
    await client.initialize()
    yield client
    await client.shutdown()


async def test_get_me_names_the_bot_and_a_wrong_token_is_rejected(fake, bot):
    assert (bot.username, bot.id) == ("newsqa_test_bot", 4242)
    stranger = Bot("1:wrong", base_url=f"{fake.base_url}/bot")
    with pytest.raises(InvalidToken):
        await stranger.initialize()
    await stranger.shutdown()


@pytest.mark.parametrize(
    "html, why",
    [
        ("<script>alert(1)</script>", 'unsupported start tag "script"'),
        ("<b>open", 'can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>crossed</b></i>", 'unexpected end tag "b"'),
        ("fish & chips", 'unescaped "&"'),
        ("1 < 2", 'unescaped "<"'),
        ("&nbsp;", 'unsupported html entity "&nbsp;"'),
        ('<a title="x">link</a>', 'tag "a" must have attribute "href"'),
        ("<blockquote><blockquote>x</blockquote></blockquote>", "can't be nested"),
        ("   ", "message text is empty"),
        ("😀" * 2049, "message is too long"),  # 2,049 characters, but 4,098 UTF-16 code units
    ],
)
async def test_send_message_refuses_what_telegram_refuses(fake, bot, html, why):
    fake.say("hello")
    with pytest.raises(BadRequest, match=f"(?i){re.escape(why)}"):
        await bot.send_message(fake.user["id"], html, parse_mode="HTML")


async def test_send_message_parses_html_into_text_and_utf16_entities(fake, bot):
    fake.say("hello")
    message = await bot.send_message(fake.user["id"], "😀 <b>A &amp; B</b>\n<blockquote>quote</blockquote>", parse_mode="HTML")
    assert message.text == "😀 A & B\nquote"
    assert [(e.type, e.offset, e.length) for e in message.entities] == [("bold", 3, 5), ("blockquote", 9, 5)]
    await bot.send_message(fake.user["id"], "😀" * 2048, parse_mode="HTML")  # exactly 4,096 code units: accepted


async def test_buttons_keep_callback_data_within_64_bytes_and_queries_are_answered_once(fake, bot):
    fake.say("hello")
    too_long = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="é" * 33)]])  # 66 bytes
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await bot.send_message(fake.user["id"], "hi", reply_markup=too_long)
    ok = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="more:abcdefgh:3")]])
    message = await bot.send_message(fake.user["id"], "hi", reply_markup=ok)
    query = fake.press(message.to_dict(), "more:abcdefgh:3")
    assert await bot.answer_callback_query(query)
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(query)


async def test_edits_need_a_change_and_an_existing_bot_message(fake, bot):
    fake.say("hello")
    message = await bot.send_message(fake.user["id"], "first")
    edited = await bot.edit_message_text("second", fake.user["id"], message.message_id)
    assert edited.text == "second" and fake.bot_messages(fake.user["id"])[0]["text"] == "second"
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("second", fake.user["id"], message.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("third", fake.user["id"], 999)


async def test_get_updates_honours_offset_and_timeout(fake, bot):
    started = time.perf_counter()
    assert await bot.get_updates(timeout=0) == ()
    assert time.perf_counter() - started < 1
    first, second = fake.say("one"), fake.say("two")
    updates = await bot.get_updates(timeout=0)
    assert [update.message.text for update in updates] == ["one", "two"]
    later = await bot.get_updates(offset=updates[0].update_id + 1, timeout=0)
    assert [update.message.message_id for update in later] == [second["message_id"]]
    assert first["message_id"] != second["message_id"]

    async def say_soon() -> None:
        await asyncio.sleep(0.3)
        await asyncio.to_thread(fake.say, "three")

    waiting = asyncio.ensure_future(say_soon())
    started = time.perf_counter()
    updates = await bot.get_updates(offset=later[0].update_id + 1, timeout=5)
    await waiting
    assert [update.message.text for update in updates] == ["three"] and time.perf_counter() - started < 3


async def test_a_webhook_gets_updates_as_json_with_the_secret_retrying_until_it_listens(fake, bot, unused_tcp_port):
    received: list[tuple[str, str | None, dict]] = []

    async def hook(request: web.Request) -> web.Response:
        received.append((request.content_type, request.headers.get("X-Telegram-Bot-Api-Secret-Token"), await request.json()))
        return web.Response()

    url = f"http://127.0.0.1:{unused_tcp_port}/hook"
    assert await bot.set_webhook(url, secret_token="s3cret")
    fake.say("while nobody listens")
    await asyncio.sleep(0.3)
    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", unused_tcp_port).start()
    try:
        for _ in range(200):
            if received:
                break
            await asyncio.sleep(0.02)
    finally:
        await runner.cleanup()
    [(content_type, secret, update)] = received
    assert (content_type, secret, update["message"]["text"]) == ("application/json", "s3cret", "while nobody listens")
    assert [status for _, status in fake.deliveries][-1] == 200 and len(fake.deliveries) > 1  # it retried
    with pytest.raises(Conflict):
        await bot.get_updates(timeout=0)
    assert (await bot.get_webhook_info()).url == url
