"""End to end: `python -m bot telegram` started as a user would, with the real model, against the fake Bot API.

One polling bot serves most scenarios (it is started once for this module); a second process runs webhook mode.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.telegram.feedback import FeedbackStore
from bot.telegram.handlers import REFUSAL, SORRY, TEXT_ONLY_HINT
from tests.conftest import ROOT, SEED
from tests.telegram.fake_api import FakeTelegram, local_env

PACT = "who signed the pact?"
PACT_CITATION = "— Seoul, Tokyo and Washington condemn the Pyongyang-Moscow pact, Deutsche Welle, Jun 24, 2024"
GROUP_ID = -1001234567890
STRANGER = {"id": 666, "is_bot": False, "first_name": "Eve"}
STARTUP_TIMEOUT = 240  # a first start builds the index with the real model, on a busy machine


@dataclass
class BotProcess:
    process: subprocess.Popen
    log: Path

    def stderr(self) -> str:
        return self.log.read_text(errors="replace")

    def terminate(self, timeout: float = 20) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout)


def start_bot(fake: FakeTelegram, folders: Path, *extra: str, env: dict[str, str] | None = None) -> BotProcess:
    """`python -m bot telegram` pointed at the fake server, its stderr in a file."""
    environment = local_env({**os.environ, "PYTHONPATH": str(ROOT), "TELEGRAM_BOT_TOKEN": fake.token, **(env or {})})
    environment.pop("NEWSQA_MODEL", None)
    log = folders / f"bot-{len(list(folders.glob('bot-*.log')))}.log"
    command = [sys.executable, "-m", "bot", "telegram", "--api-base-url", fake.base_url,
               "--corpus", str(folders / "corpus"), "--index", str(folders / "index"), *extra]  # fmt: skip
    with log.open("w") as stderr:
        process = subprocess.Popen(command, cwd=folders, env=environment, stdout=stderr, stderr=subprocess.STDOUT)
    return BotProcess(process, log)


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("telegram-e2e")
    (root / "corpus").mkdir()
    shutil.copy(SEED, root / "corpus" / SEED.name)
    return root


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram() as server:
        yield server


@pytest.fixture(scope="module")
def polling_bot(fake: FakeTelegram, folders: Path) -> Iterator[BotProcess]:
    """The bot in long-polling mode, with an allow-list of one user and one group; ready once it polls."""
    env = {"TELEGRAM_ALLOWED_IDS": f"{fake.user['id']}, {GROUP_ID}", "TELEGRAM_QUESTIONS_PER_MINUTE": "60"}
    bot = start_bot(fake, folders, "--feedback", str(folders / "votes" / "feedback.jsonl"), env=env)
    try:
        fake.wait_for("getUpdates", timeout=STARTUP_TIMEOUT)
    except AssertionError:
        bot.terminate()
        pytest.fail(f"the bot did not start polling:\n{bot.stderr()}")
    yield bot
    bot.terminate()


def replies(fake: FakeTelegram, chat_id: int, count: int) -> list[dict]:
    fake.wait_for("sendMessage", where=lambda params: params["chat_id"] == chat_id, count=count, timeout=60)
    return fake.bot_messages(chat_id)


def buttons(message: dict) -> dict[str, str]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return {button["text"]: button["callback_data"] for row in rows for button in row}


def test_who_signed_the_pact_gets_the_answer_the_quote_and_the_source(fake, polling_bot):
    chat = fake.user["id"]
    fake.say(PACT)
    [answer] = replies(fake, chat, 1)
    html, text = answer["html"], answer["text"]
    assert html.startswith("<b>") and "Vladimir Putin" in text and "Kim Jong-un" in text
    assert "<blockquote>" in html and PACT_CITATION in text
    assert {"blockquote", "bold"} <= {entity["type"] for entity in answer["entities"]}
    assert fake.wait_for("sendChatAction", where=lambda params: params["chat_id"] == chat)[0].params["action"] == "typing"
    assert "👍" in buttons(answer) and "👎" in buttons(answer)

    more = next(data for label, data in buttons(answer).items() if label.startswith("More sources"))
    fake.press(answer, more)
    _, page = replies(fake, chat, 2)
    assert page["text"].startswith("More sources for “who signed the pact?”:") and "<blockquote>" in page["html"]

    fake.press(answer, buttons(answer)["👎"])
    fake.wait_for("answerCallbackQuery", where=lambda params: params.get("text") == "Thanks for the feedback!")
    [vote] = FeedbackStore(polling_bot.log.parent / "votes" / "feedback.jsonl").read()
    assert (vote["vote"], vote["question"]) == ("down", PACT) and "Kim Jong-un" in vote["answer"]
    assert len(vote["sources"]) > 3 and vote["sources"][0]["outlet"] == "Deutsche Welle"


def test_start_help_sources_and_about_describe_the_index(fake, polling_bot):
    user = {"id": 1001, "is_bot": False, "first_name": "Ada"}
    chat = fake.private_chat(user)["id"]
    before = len(fake.bot_messages(chat))
    for number, command in enumerate(["/start", "/help", "/sources", "/about"], start=1):
        fake.say(command, user=user)
        replies(fake, chat, before + number)
    start, help_, sources, about = (message["text"] for message in fake.bot_messages(chat)[before:])
    assert start == help_ and "1 news article from Deutsche Welle" in help_ and PACT in help_
    assert "Seoul, Tokyo and Washington condemn the Pyongyang-Moscow pact, Deutsche Welle, Jun 24, 2024" in sources
    assert "1 article, 8 passages" in about and "all-MiniLM-L6-v2" in about
    assert [command["command"] for command in fake.commands['{"type": "default"}']] == ["help", "sources", "about"]


def test_in_a_group_only_mentions_and_replies_are_answered(fake, polling_bot):
    group = fake.group_chat(GROUP_ID)
    fake.say("who signed the pact? (talking among ourselves)", chat=group)
    fake.say(f"@{fake.me['username']} {PACT}", chat=group)
    [answer] = replies(fake, GROUP_ID, 1)
    assert "Kim Jong-un" in answer["text"] and answer["reply_to_message"]["text"].startswith("@newsqa_test_bot")
    fake.say("and when was it signed?", chat=group, reply_to=answer)
    _, follow_up = replies(fake, GROUP_ID, 2)
    assert follow_up["reply_to_message"]["text"] == "and when was it signed?"
    assert len(fake.bot_messages(GROUP_ID)) == 2


def test_a_stranger_gets_one_polite_refusal(fake, polling_bot):
    fake.say(PACT, user=STRANGER)
    fake.say("please?", user=STRANGER)
    fake.say(PACT)  # a sentinel from an allowed user: once it is answered, the stranger's messages were handled
    replies(fake, fake.user["id"], len(fake.bot_messages(fake.user["id"])) + 1)
    assert [message["text"] for message in fake.bot_messages(STRANGER["id"])] == [REFUSAL]


def test_a_sticker_gets_a_hint(fake, polling_bot):
    chat = fake.user["id"]
    before = len(fake.bot_messages(chat))
    fake.send_sticker()
    assert replies(fake, chat, before + 1)[-1]["text"] == TEXT_ONLY_HINT


def test_a_4096_character_question_and_html_in_questions_are_answered_safely(fake, polling_bot):
    chat = fake.user["id"]
    before = len(fake.bot_messages(chat))
    long_question = ("who signed the pact between Russia and North Korea? " * 80)[:4096]
    hostile = "<b>who</b> signed the pact & <script>alert(1)</script>?"
    off_topic = "<script>alert('x')</script> & <b>banana</b> bread?"
    for question in (long_question, hostile, off_topic):
        fake.say(question)
    new = replies(fake, chat, before + 3)[before:]
    texts = [message["text"] for message in new]
    assert SORRY not in texts and not [call for call in fake.calls if not call.ok and call.method == "sendMessage"]
    abstention = next(text for text in texts if text.startswith("Sorry, I couldn't find"))
    assert f"“{off_topic}”" in abstention  # echoed as text, not as markup
    assert sum("Kim Jong-un" in text for text in texts) == 2


def test_sigterm_stops_the_bot_cleanly_and_the_token_never_appears(fake, polling_bot):
    running = len(polling_bot.stderr())
    assert polling_bot.terminate() == 0
    log = polling_bot.stderr()
    shutdown = log[running:]
    assert "Stopped." in shutdown and "Traceback" not in shutdown and "ERROR" not in shutdown
    assert fake.token not in log and fake.token.split(":")[1] not in log
    last_poll = [call for call in fake.calls if call.method == "getUpdates"][-1]
    assert last_poll.params.get("timeout") in (0, None)  # PTB confirms the last offset without waiting


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def post_update(url: str, update: dict, secret: str | None) -> int:
    headers = {"Content-Type": "application/json", **({"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {})}
    request = urllib.request.Request(url, data=json.dumps(update).encode(), headers=headers, method="POST")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_webhook_mode_answers_updates_with_the_right_secret_and_refuses_a_wrong_one(folders, polling_bot):
    port, secret = free_port(), "s3cret_Token-for-the-webhook"
    url = f"http://127.0.0.1:{port}/telegram-hook"
    with FakeTelegram() as fake:
        bot = start_bot(fake, folders, "--webhook-url", url, "--listen", "127.0.0.1", "--port", str(port),
                        "--secret", secret)  # fmt: skip
        try:
            [registered] = fake.wait_for("setWebhook", timeout=STARTUP_TIMEOUT)
            assert registered.params["url"] == url and registered.params["secret_token"] == secret
            fake.say(PACT)  # the fake posts it to the webhook, retrying until the bot's server listens
            [answer] = replies(fake, fake.user["id"], 1)
            assert "Kim Jong-un" in answer["text"] and PACT_CITATION in answer["text"]

            message = {"message_id": 99, "date": 0, "chat": fake.private_chat(), "from": fake.user, "text": "/sources",
                       "entities": [{"type": "bot_command", "offset": 0, "length": 8}]}  # fmt: skip
            forged = {"update_id": 999, "message": message}
            assert post_update(url, forged, "wrong-secret") == 403
            assert post_update(url, forged, None) == 403
            fake.say("/about")
            assert "1 article, 8 passages" in replies(fake, fake.user["id"], 2)[-1]["text"]
            assert len(fake.bot_messages(fake.user["id"])) == 2
            assert all(status == 200 for _, status in fake.deliveries[-2:])
        finally:
            code = bot.terminate()
        assert code == 0 and "Traceback" not in bot.stderr() and fake.token not in bot.stderr()


def test_a_wrong_token_or_none_is_a_clear_error_that_never_shows_the_token(folders, polling_bot):
    with FakeTelegram() as fake:
        bot = start_bot(fake, folders, env={"TELEGRAM_BOT_TOKEN": "999:a-wrong-token"})
        assert bot.process.wait(STARTUP_TIMEOUT) == 2
        assert "Telegram rejected the bot token" in bot.stderr() and "a-wrong-token" not in bot.stderr()
    env = local_env({**os.environ, "PYTHONPATH": str(ROOT)})
    env.pop("TELEGRAM_BOT_TOKEN", None)
    missing = subprocess.run([sys.executable, "-m", "bot", "telegram"], env=env, capture_output=True, text=True, timeout=60)
    assert missing.returncode == 2 and "set TELEGRAM_BOT_TOKEN" in missing.stderr and "Traceback" not in missing.stderr
