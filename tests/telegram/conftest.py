"""Fixtures the Telegram tests share: a small index with the fast stand-in encoder, an engine that notes what it is
asked, proxy-free networking to the fake Bot API, and a starter of in-process bots polling the fake.

Modules that talk to the fake over HTTP use `pytestmark = pytest.mark.usefixtures("no_proxy")`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from bot.telegram.app import build_application
from bot.telegram.config import TelegramConfig
from embeddings import Engine, Settings, build_index
from tests.conftest import SEED, WordHashEncoder
from tests.telegram.fake_api import FakeTelegram, local_env

PACT = "who signed the pact?"


class RecordingEngine:
    """The engine, noting each question and its history; a question containing `hold` waits for `release`."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.asked: list[tuple[str, tuple[str, ...]]] = []
        self.release = threading.Event()
        self.hold = "\0"

    def ask(self, question: str, top_k: int | None = None, history: tuple[str, ...] = ()):
        self.asked.append((question, tuple(history)))
        if self.hold in question:
            self.release.wait(20)
        return self.engine.ask(question, top_k=top_k, history=history)

    def __getattr__(self, name: str):
        return getattr(self.engine, name)


@pytest.fixture
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """httpx honours proxy settings from the environment; the fake server is on 127.0.0.1."""
    local = local_env(dict(os.environ))
    for key in set(os.environ) - set(local):
        monkeypatch.delenv(key)
    for key, value in local.items():
        monkeypatch.setenv(key, value)


@pytest.fixture(scope="module")
def index_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root = tmp_path_factory.mktemp("telegram-bot")
    (root / "corpus").mkdir()
    shutil.copy(SEED, root / "corpus" / SEED.name)
    settings = Settings(corpus=root / "corpus", index=root / "index")
    build_index(settings.corpus, settings.index, WordHashEncoder())
    return settings


@pytest.fixture(scope="module")
def shared_engine(index_settings: Settings) -> Engine:
    return Engine(index_settings, WordHashEncoder())


@pytest.fixture
def engine(shared_engine: Engine) -> RecordingEngine:
    return RecordingEngine(shared_engine)


@contextlib.asynccontextmanager
async def polling_bots(
    fake: FakeTelegram, default_engine: object, tmp_path: Path, poll_timeout: float = 1, **build_options: object
) -> AsyncIterator[Callable]:
    """A starter of bots (config overrides as keywords; `rebuilder` and `feeds` as build_application takes them) polling
    the fake; every bot is stopped on exit."""
    applications = []

    async def start(engine: object = default_engine, rebuilder: object = None, feeds: object = None, **overrides: object):
        config = TelegramConfig(
            token=fake.token, feedback_file=tmp_path / "feedback.jsonl", api_base_url=fake.base_url, **overrides
        )  # type: ignore[arg-type]
        application = build_application(engine, config, rebuilder=rebuilder, feeds=feeds, **build_options)  # type: ignore[arg-type]
        await application.initialize()
        applications.append(application)
        await application.post_init(application)  # run_polling would call it; initialize() does not
        await application.updater.start_polling(poll_interval=0, timeout=poll_timeout)
        await application.start()
        return application

    try:
        yield start
    finally:
        for application in applications:
            if application.updater.running:
                await application.updater.stop()
            if application.running:
                await application.stop()
            await application.shutdown()
