"""The bot warms its models up in the background as it starts (embeddings' Engine.warm_up), before it polls."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import bot.telegram.app as app
from bot.telegram.config import TelegramConfig
from embeddings import Settings


def test_the_bot_starts_warming_up_before_it_polls(tmp_path: Path, monkeypatch):
    events: list[str] = []
    engine = SimpleNamespace(warm_up_in_background=lambda: events.append("warm up"), info=lambda: SimpleNamespace(articles=1))
    application = SimpleNamespace(run_polling=lambda **_: events.append("poll"))
    monkeypatch.setattr(app, "open_engine", lambda settings, log: engine)
    monkeypatch.setattr(app, "build_application", lambda engine, config, feeds: application)
    config = TelegramConfig(token="123456:test-token", feedback_file=tmp_path / "feedback.jsonl")

    assert app.run(Settings(corpus=tmp_path, index=tmp_path / "index"), config, log=lambda message: None) == 0
    assert events == ["warm up", "poll"]
