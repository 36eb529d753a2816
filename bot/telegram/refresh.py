"""Fresh news on a schedule: every N minutes the bot fetches its feeds and rebuilds (in a child process, see
rebuild.py); /about says when the corpus was last refreshed and from which feeds.

The feed list is re-read at every refresh, so editing the file needs no restart.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bot.telegram.rebuild import RebuildFailed
from embeddings.errors import NewsQAError
from embeddings.feeds.cli import read_feed_list
from embeddings.feeds.ledger import Ledger

if TYPE_CHECKING:  # state.py keeps a FeedSchedule in the services; `python -m bot ask` must not import telegram
    from telegram.ext import Application

    from bot.telegram.state import BotContext, BotServices

logger = logging.getLogger(__name__)

FIRST_REFRESH_SECONDS = 5  # soon after start: the bot may have been down while news came in


@dataclass(frozen=True)
class FeedSchedule:
    """`--feeds FILE --refresh-minutes N`: which feeds to follow and how often."""

    feeds_file: Path
    minutes: float


async def refresh_feeds(context: BotContext) -> None:
    """Fetch the feeds and switch to the rebuilt index; a failure is logged and the old index keeps answering."""
    try:
        rebuilt = await context.bot_data.services.rebuilder.rebuild(fetch=True)
    except RebuildFailed as error:
        logger.error("Feed refresh failed; still answering from the old index: %s", error)
        return
    for line in rebuilt.output.splitlines():
        if line.startswith(("added ", "failed ")):
            logger.info("Feed refresh: %s", line)
    logger.info("Feed refresh done in %.1f s (%s)", rebuilt.seconds, "new index" if rebuilt.switched else "nothing new")


def schedule_refresh(application: Application, schedule: FeedSchedule) -> None:
    """Run refresh_feeds soon after start, then every `schedule.minutes` (python-telegram-bot's JobQueue).

    The first refresh is its own one-off job: an interval job whose first run falls before the scheduler starts
    (a start slower than FIRST_REFRESH_SECONDS) is moved a whole interval on by APScheduler, not run late.
    No run is dropped for being late (`misfire_grace_time=None`): a busy bot refreshes late rather than never.
    """
    jobs = application.job_queue
    assert jobs is not None, "the feed schedule needs python-telegram-bot[job-queue] (a dependency of this package)"
    late_is_fine = {"misfire_grace_time": None}
    jobs.run_once(refresh_feeds, FIRST_REFRESH_SECONDS, name="feed refresh", job_kwargs=late_is_fine)
    interval = schedule.minutes * 60
    first = FIRST_REFRESH_SECONDS + interval
    jobs.run_repeating(refresh_feeds, interval, first=first, name="feed refresh", job_kwargs=late_is_fine)


def _when(iso: str) -> str:
    return dt.datetime.fromisoformat(iso).strftime("%b %-d, %Y %H:%M UTC")


def refresh_html(services: BotServices) -> str:
    """'\\nFeeds: last refreshed <when> from <feed>, <feed>' for /about; empty when the bot follows no feeds."""
    if services.feeds is None:
        return ""
    try:
        feeds = read_feed_list(services.feeds.feeds_file)
    except NewsQAError as error:
        return f"\n<b>Feeds</b>: {html.escape(str(error))}"
    known = Ledger.load(services.engine.settings.corpus).feeds
    checked = [known[url]["checked"] for url in feeds if url in known]
    names = [html.escape(known.get(url, {}).get("title") or url) for url in feeds]
    every = f"every {services.feeds.minutes:g} min"
    if not checked:
        return f"\n<b>Feeds</b> ({every}): not refreshed yet; following {', '.join(names) or 'none'}"
    return f"\n<b>Feeds</b> ({every}): last refreshed {_when(max(checked))} from {', '.join(names)}"
