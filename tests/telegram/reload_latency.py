"""Benchmark: how much /reload delays answers to another chat, against the same chat's latency without a rebuild.

    python -m tests.telegram.reload_latency --articles FILE.jsonl [--first 300] [--added 700] [--interval 0.5]

The real bot (python-telegram-bot, polling the fake Bot API on 127.0.0.1) runs in this process with the real model,
over an index of the first --first articles of the JSONL file (e.g. /work/shared/data/bbc-news/articles.jsonl).
A probe chat asks one question at a time, every --interval seconds: first with nothing else going on (the baseline),
then while an admin's /reload embeds the next --added articles. Each question's text is made unique (" (b3)"), so
the engine computes every answer: the answer cache would serve the repeats in ~0.01 s and hide the rebuild's cost.
Prints both latency distributions and the delay, measured in the same run (the machine is shared; ratios hold
better than absolute times).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

from bot.session import open_engine
from bot.telegram.app import build_application
from bot.telegram.config import TelegramConfig
from embeddings import Settings
from tests.telegram.fake_api import FakeTelegram, local_env

QUESTIONS = ["what did Time Warner say about its profits?", "who won the match?", "what did the minister announce?"]
ADMIN = {"id": 9001, "is_bot": False, "first_name": "Admin"}


def write_articles(source: Path, target: Path, start: int, count: int) -> None:
    with source.open(encoding="utf-8") as lines:
        chosen = [line for number, line in enumerate(lines) if start <= number < start + count]
    target.write_text("".join(chosen), encoding="utf-8")


async def probe(fake: FakeTelegram, until: asyncio.Event | None, count: int, interval: float, label: str) -> list[float]:
    """Ask one question at a time (after the previous answer), `count` times or until `until` is set; `label` keeps
    the questions of two probes distinct."""
    waited: list[float] = []
    chat = fake.user["id"]
    for asked in range(10_000):
        if (until is None and asked >= count) or (until is not None and until.is_set()):
            break
        before = len(fake.bot_messages(chat))
        started = time.perf_counter()
        fake.say(f"{QUESTIONS[asked % len(QUESTIONS)]} ({label}{asked})")
        await fake.until("sendMessage", where=lambda params: params["chat_id"] == chat, count=before + 1, timeout=120)
        waited.append(time.perf_counter() - started)
        await asyncio.sleep(interval)
    return waited


async def measure(settings: Settings, added: Path, folder: Path, interval: float) -> dict:
    engine = open_engine(settings, log=lambda message: None)
    for question in QUESTIONS:
        engine.ask(question)  # warm up: first calls load models and fill caches
    with FakeTelegram() as fake:
        config = TelegramConfig(token=fake.token, feedback_file=folder / "feedback.jsonl", api_base_url=fake.base_url,
                                questions_per_minute=10_000, admin_ids=frozenset({ADMIN["id"]}))  # fmt: skip
        application = build_application(engine, config)
        await application.initialize()
        await application.updater.start_polling(poll_interval=0, timeout=1)
        await application.start()
        try:
            baseline = await probe(fake, None, 20, interval, "b")
            added.rename(settings.corpus / added.name)  # the new articles arrive; the admin reloads
            done = asyncio.Event()
            started = time.perf_counter()
            fake.say("/reload", user=ADMIN)
            during = asyncio.create_task(probe(fake, done, 0, interval, "r"))
            edited = await fake.until("editMessageText", where=lambda params: params["chat_id"] == ADMIN["id"], timeout=1200)
            rebuild_seconds = time.perf_counter() - started
            done.set()
            return {"baseline": baseline, "during": await during, "rebuild_seconds": rebuild_seconds,
                    "reload_reply": edited[0].params["text"][:200]}  # fmt: skip
        finally:
            await application.updater.stop()
            await application.stop()
            await application.shutdown()


def summary(name: str, values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return f"{name:10} n={len(values):3}  median {statistics.median(values):6.2f} s  p95 {p95:6.2f} s  max {max(values):6.2f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=Path, required=True, help="a JSONL file of articles (the corpus format)")
    parser.add_argument("--first", type=int, default=300, help="articles indexed before the reload")
    parser.add_argument("--added", type=int, default=700, help="articles the reload embeds")
    parser.add_argument("--interval", type=float, default=0.5, help="seconds between the probe's questions")
    args = parser.parse_args()
    os.environ.update(local_env(dict(os.environ)))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "corpus").mkdir()
        write_articles(args.articles, folder / "corpus" / "first.jsonl", 0, args.first)
        write_articles(args.articles, folder / "added.jsonl", args.first, args.added)
        settings = Settings(corpus=folder / "corpus", index=folder / "index")
        figures = asyncio.run(measure(settings, folder / "added.jsonl", folder, args.interval))
    print(summary("baseline", figures["baseline"]))
    print(summary("reloading", figures["during"]))
    print(f"rebuild {figures['rebuild_seconds']:.1f} s; reply: {figures['reload_reply']}")
    delay = statistics.median(figures["during"]) - statistics.median(figures["baseline"])
    print(f"delay during /reload: median +{delay:.2f} s, max {max(figures['during']):.2f} s")
    print(json.dumps({key: value for key, value in figures.items() if key != "reload_reply"}))


if __name__ == "__main__":
    main()
