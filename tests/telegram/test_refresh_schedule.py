"""The feed refresh's schedule: the first refresh runs even when the bot starts slower than FIRST_REFRESH_SECONDS."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from telegram.ext import ApplicationBuilder

from bot.telegram import refresh
from bot.telegram.refresh import FeedSchedule, schedule_refresh


async def test_a_start_slower_than_the_first_delay_still_refreshes_soon(monkeypatch: pytest.MonkeyPatch) -> None:
    ran = asyncio.Event()

    async def refreshed(context: object) -> None:
        ran.set()

    monkeypatch.setattr(refresh, "refresh_feeds", refreshed)
    monkeypatch.setattr(refresh, "FIRST_REFRESH_SECONDS", 0.05)
    application = ApplicationBuilder().token("123:fake").build()  # no network: only its job queue runs
    schedule_refresh(application, FeedSchedule(Path("feeds.txt"), minutes=60))
    await asyncio.sleep(0.5)  # initialize(), getMe and start_polling took longer than the first delay
    await application.job_queue.start()
    try:
        await asyncio.wait_for(ran.wait(), timeout=10)  # was: the first refresh moved on by the full 60 minutes
        scheduled = sorted(job.next_t.timestamp() for job in application.job_queue.jobs() if job.next_t)
        assert len(scheduled) == 1 and scheduled[0] > time.time() + 3000  # and the hourly one stays an hour on
    finally:
        await application.job_queue.stop(wait=False)
