"""`python -m bot telegram`: the command-line entry to the Telegram bot (flags, environment, logging)."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable
from pathlib import Path

from bot.telegram.config import ConfigError, TelegramConfig, from_environment
from bot.telegram.refresh import FeedSchedule
from embeddings import DEFAULT_TOP_K, NewsQAError, Settings
from embeddings.feeds.cli import read_feed_list

DEFAULT_REFRESH_MINUTES = 30.0

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class RedactingFormatter(logging.Formatter):
    """Log lines with the bot token (and webhook secret) blanked out, wherever a library put them."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__(LOG_FORMAT)
        self._secrets = [secret for secret in secrets if secret]

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        for secret in self._secrets:
            text = text.replace(secret, "[redacted]")
        return text


def setup_logging(config: TelegramConfig) -> None:
    """INFO to stderr, token-free; httpx would log every request URL, and those contain the token."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(RedactingFormatter([config.token, config.secret or ""]))
    logging.basicConfig(level=logging.INFO, handlers=[handler], force=True)
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def feed_schedule(args: argparse.Namespace) -> FeedSchedule | str | None:
    """The feeds to follow from --feeds and --refresh-minutes; a string says what is wrong with them."""
    if args.feeds is None:
        return "--refresh-minutes needs --feeds FILE" if args.refresh_minutes is not None else None
    minutes = DEFAULT_REFRESH_MINUTES if args.refresh_minutes is None else args.refresh_minutes
    if not minutes > 0:
        return "--refresh-minutes must be more than 0"
    try:
        read_feed_list(Path(args.feeds))
    except NewsQAError as error:
        return str(error)
    return FeedSchedule(Path(args.feeds), minutes)


def run_telegram(settings: Settings, args: argparse.Namespace) -> int:
    try:
        config = from_environment(
            settings.index,
            api_base_url=args.api_base_url,
            feedback=args.feedback,
            answers=args.answers,
            questions_per_minute=args.questions_per_minute,
            sources_per_page=args.top,
            webhook_url=args.webhook_url,
            listen=args.listen,
            port=args.port,
            secret=args.secret,
        )
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    feeds = feed_schedule(args)
    if isinstance(feeds, str):
        print(f"error: {feeds}", file=sys.stderr)
        return 2
    setup_logging(config)
    from bot.telegram.app import run  # imports telegram.ext: only when the bot really starts

    return run(settings, config, feeds=feeds)


def add_telegram_command(
    commands: argparse._SubParsersAction, add_index_options: Callable[[argparse.ArgumentParser], None]
) -> None:
    """Register `telegram` on the `python -m bot` subcommands."""
    telegram = commands.add_parser(
        "telegram",
        help="run the Telegram bot (token in TELEGRAM_BOT_TOKEN)",
        description="Run the Telegram bot: long polling by default, a webhook server with --webhook-url. "
        "The token is read from TELEGRAM_BOT_TOKEN. TELEGRAM_ALLOWED_IDS (user or chat ids) limits who may ask; "
        "TELEGRAM_ADMIN_IDS (user ids) may run /reload and /add.",
    )
    add_index_options(telegram)
    telegram.add_argument(
        "--top", type=int, metavar="K", help=f"sources per answer; 'More sources' shows K more (default {DEFAULT_TOP_K})"
    )
    telegram.add_argument(
        "--api-base-url",
        metavar="URL",
        help="Bot API server: its root or the root followed by /bot, e.g. http://127.0.0.1:8081/bot "
        "(default https://api.telegram.org, env TELEGRAM_API_BASE_URL)",
    )
    telegram.add_argument(
        "--feedback",
        metavar="FILE",
        help="where 👍/👎 votes are kept (default feedback.jsonl beside the index, env NEWSQA_FEEDBACK)",
    )
    telegram.add_argument(
        "--answers",
        metavar="FILE",
        help="where the answers behind buttons are kept, so they work after a restart "
        "(default answers.sqlite3 beside the feedback file, env NEWSQA_ANSWERS)",
    )
    telegram.add_argument(
        "--questions-per-minute", type=int, metavar="N", help="per-user limit (default 10, env TELEGRAM_QUESTIONS_PER_MINUTE)"
    )
    feeds = telegram.add_argument_group("fresh news")
    feeds.add_argument("--feeds", metavar="FILE", help="RSS/Atom feeds to follow, one address per line (re-read each time)")
    feeds.add_argument(
        "--refresh-minutes", type=float, metavar="N", help=f"fetch them every N minutes (default {DEFAULT_REFRESH_MINUTES:g})"
    )
    webhook = telegram.add_argument_group("webhook mode (instead of long polling)")
    webhook.add_argument(
        "--webhook-url", metavar="URL", help="public https URL Telegram posts updates to (env TELEGRAM_WEBHOOK_URL)"
    )
    webhook.add_argument("--listen", metavar="HOST", help="address the webhook server listens on (default 127.0.0.1)")
    webhook.add_argument("--port", type=int, metavar="N", help="port the webhook server listens on (default 8443)")
    webhook.add_argument(
        "--secret",
        metavar="S",
        help="secret token Telegram sends with each update (env TELEGRAM_WEBHOOK_SECRET; random if unset)",
    )
    telegram.set_defaults(run=run_telegram)
