"""--api-base-url: the server root or python-telegram-bot's `<root>/bot` form both work, and a wrong address is
reported as a wrong address, not as a wrong token (python-telegram-bot raises InvalidToken for a 404 and a 401 alike).

The bot is the real python-telegram-bot against the fake Bot API, which answers 401 for a token it does not know and
404 for a path that is not /bot<token>/<method>. The failures go through `python -m bot telegram`'s main(), in
process, with the engine opened on the small test index.
"""

from __future__ import annotations

import asyncio
import logging
import re
import socket
from collections.abc import Iterator

import pytest

import bot.telegram.app
from bot.cli import main
from bot.telegram.app import build_application, rejection_message
from bot.telegram.config import ConfigError, TelegramConfig, load_config
from tests.telegram.conftest import PACT
from tests.telegram.fake_api import FakeTelegram

pytestmark = pytest.mark.usefixtures("no_proxy")

WRONG_ADDRESS = "The Bot API address looks wrong"
WRONG_TOKEN = "Telegram rejected the bot token"


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram() as server:
        yield server


@pytest.mark.parametrize(
    "given",
    ["http://127.0.0.1:8081", "http://127.0.0.1:8081/", "http://127.0.0.1:8081/bot", "http://127.0.0.1:8081/bot/"],
)
def test_the_server_root_and_the_bot_form_give_the_same_address_from_the_flag_or_the_environment(tmp_path, given):
    token = {"TELEGRAM_BOT_TOKEN": "1:abc"}
    assert load_config(token, tmp_path, api_base_url=given).api_base_url == "http://127.0.0.1:8081"
    assert load_config({**token, "TELEGRAM_API_BASE_URL": given}, tmp_path).api_base_url == "http://127.0.0.1:8081"


def test_a_path_before_bot_is_kept_and_an_address_that_is_no_url_is_explained(tmp_path):
    token = {"TELEGRAM_BOT_TOKEN": "1:abc"}
    assert load_config(token, tmp_path, api_base_url="https://x.org/tg/bot/").api_base_url == "https://x.org/tg"
    assert load_config(token, tmp_path, api_base_url="http://bot").api_base_url == "http://bot"  # a host named bot
    assert load_config(token, tmp_path).api_base_url == "https://api.telegram.org"
    for bad in ("api.telegram.org", "ftp://x.org", "http://", "https://x.org/?token=1"):
        with pytest.raises(ConfigError, match=re.escape("--api-base-url (TELEGRAM_API_BASE_URL) must be the server root")):
            load_config(token, tmp_path, api_base_url=bad)


async def test_the_bot_form_answers_questions_end_to_end(fake, engine, tmp_path):
    env = {"TELEGRAM_BOT_TOKEN": fake.token, "TELEGRAM_API_BASE_URL": f"{fake.base_url}/bot/"}
    config = load_config(env, tmp_path / "index", feedback=str(tmp_path / "feedback.jsonl"))
    application = build_application(engine, config)  # type: ignore[arg-type]
    await application.initialize()
    try:
        await application.updater.start_polling(poll_interval=0, timeout=1)
        await application.start()
        fake.say(PACT)
        await fake.until("sendMessage", where=lambda params: params["chat_id"] == fake.user["id"])
        [answer] = fake.bot_messages(fake.user["id"])
        assert "Kim Jong-un" in answer["text"]
        assert all(call.ok for call in fake.calls if call.method == "getMe")
    finally:
        if application.updater.running:
            await application.updater.stop()
        if application.running:
            await application.stop()
        await application.shutdown()


@pytest.fixture
def start_cli(monkeypatch, shared_engine, tmp_path) -> Iterator:
    """`python -m bot telegram --api-base-url URL` in process (engine: the test index); (exit code, stderr) back."""
    monkeypatch.setattr(bot.telegram.app, "open_engine", lambda settings, log: shared_engine)
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level  # setup_logging() replaces the root logger's handlers

    def start(capsys: pytest.CaptureFixture, url: str, token: str) -> tuple[int, str]:
        monkeypatch.setenv("TELEGRAM_BOT_TOKEN", token)
        asyncio.set_event_loop(asyncio.new_event_loop())  # run_polling() runs on it, then closes it
        code = main(["telegram", "--api-base-url", url, "--corpus", str(tmp_path / "corpus"), "--index",
                     str(tmp_path / "index"), "--feedback", str(tmp_path / "feedback.jsonl")])  # fmt: skip
        return code, capsys.readouterr().err

    yield start
    root.handlers[:] = handlers
    root.setLevel(level)
    asyncio.set_event_loop(None)


def test_a_wrong_path_is_reported_as_a_wrong_address_not_a_wrong_token(fake, start_cli, capsys):
    code, stderr = start_cli(capsys, f"{fake.base_url}/nothing", fake.token)
    assert code == 2 and WRONG_ADDRESS in stderr and WRONG_TOKEN not in stderr
    assert f"{fake.base_url}/nothing/bot<token>/getMe answered 404" in stderr and "followed by /bot" in stderr
    assert fake.token not in stderr and fake.token.split(":")[1] not in stderr


def test_a_wrong_token_is_still_reported_as_the_token_with_either_form(fake, start_cli, capsys):
    for url in (fake.base_url, f"{fake.base_url}/bot"):
        code, stderr = start_cli(capsys, url, "999:a-wrong-token")
        assert code == 2 and WRONG_TOKEN in stderr and WRONG_ADDRESS not in stderr
        assert "a-wrong-token" not in stderr


def test_the_diagnosis_names_a_malformed_token_and_an_address_that_does_not_answer(fake, tmp_path):
    def config(url: str, token: str = fake.token) -> TelegramConfig:
        return TelegramConfig(token=token, feedback_file=tmp_path / "feedback.jsonl", api_base_url=url)

    malformed = rejection_message(config(fake.base_url, "not-a-token"))
    assert malformed.startswith(WRONG_TOKEN) and "123456789:" in malformed and "not-a-token" not in malformed
    assert rejection_message(config(f"{fake.base_url}/nothing", "not-a-token")).startswith(WRONG_TOKEN)  # 404 too
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    silent = rejection_message(config(closed))
    assert WRONG_TOKEN in silent and closed in silent and "--api-base-url" in silent and fake.token not in silent
    pasted = rejection_message(config(f"{fake.base_url}/bot{fake.token}"))  # the token pasted into the address
    assert pasted.startswith(WRONG_ADDRESS) and fake.token not in pasted
