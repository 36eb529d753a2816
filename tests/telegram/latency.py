"""Benchmark: how long a Telegram user waits for an answer, against the engine's own time for the same question.

    python -m tests.telegram.latency [--corpus DIR] [--rounds N]

Runs the real bot (python-telegram-bot, polling over HTTP) against the fake Bot API on 127.0.0.1 with the real
model, asks each question N times, and prints the median engine.ask() time, the median time from the user's
message to the bot's answer, and their ratio (the front end's overhead), all measured in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from bot.session import open_engine
from bot.telegram.app import build_application
from bot.telegram.config import TelegramConfig
from embeddings import Settings
from embeddings.qa.cache import AnswerCache
from tests.conftest import SEED
from tests.telegram.fake_api import FakeTelegram, local_env

QUESTIONS = ["who signed the pact?", "what did Seoul, Tokyo and Washington condemn?", "what is the recipe for banana bread?"]


async def measure(settings: Settings, rounds: int, folder: Path) -> tuple[list[float], list[float]]:
    engine = open_engine(settings, log=lambda message: None)
    engine.answers = AnswerCache(0)  # every round computes its answer: the time is the engine's, not a cache hit's
    for question in QUESTIONS:  # warm up: first calls load models and fill caches
        engine.ask(question, top_k=9)
    with FakeTelegram() as fake:
        config = TelegramConfig(fake.token, folder / "feedback.jsonl", fake.base_url, questions_per_minute=10_000)
        application = build_application(engine, config)
        await application.initialize()
        await application.updater.start_polling(poll_interval=0, timeout=1)
        await application.start()
        direct, waited = [], []
        try:
            for _ in range(rounds):
                for question in QUESTIONS:  # interleaved, so both see the same load on a shared machine
                    started = time.perf_counter()
                    engine.ask(question, top_k=9)
                    direct.append(time.perf_counter() - started)
                    count = len(fake.bot_messages(fake.user["id"])) + 1
                    started = time.perf_counter()
                    fake.say(question)
                    await fake.until("sendMessage", count=count, timeout=60)
                    waited.append(time.perf_counter() - started)
        finally:
            await application.updater.stop()
            await application.stop()
            await application.shutdown()
    return direct, waited


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, help="article folder (default: a copy of the seed article)")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    os.environ.update(local_env(dict(os.environ)))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        corpus = args.corpus
        if corpus is None:
            corpus = folder / "corpus"
            corpus.mkdir()
            shutil.copy(SEED, corpus / SEED.name)
        settings = Settings(corpus=corpus, index=folder / "index")
        direct, waited = asyncio.run(measure(settings, args.rounds, folder))
    engine_ms, telegram_ms = statistics.median(direct) * 1000, statistics.median(waited) * 1000
    print(f"questions: {len(waited)}")
    print(f"engine.ask median:             {engine_ms:7.1f} ms")
    print(f"message -> answer median:      {telegram_ms:7.1f} ms  (max {max(waited) * 1000:.1f} ms)")
    print(f"ratio (Telegram / engine):     {telegram_ms / engine_ms:7.2f}")
    print(f"front-end overhead (median):   {telegram_ms - engine_ms:7.1f} ms")


if __name__ == "__main__":
    main()
