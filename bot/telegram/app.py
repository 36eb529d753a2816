"""The bot assembled and run: build_application() wires every handler in one place; run() serves Telegram."""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Callable
from urllib.parse import urlparse

import httpx
from telegram import BotCommand, BotCommandScopeChat, LinkPreviewOptions, Update
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    Defaults,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.session import open_engine
from bot.telegram import buttons, handlers
from bot.telegram.access import QuestionLimit
from bot.telegram.admin import add_article, add_document, reload_index
from bot.telegram.answers import AnswerStore
from bot.telegram.config import API_BASE_URL_FORMS, TelegramConfig
from bot.telegram.delivery import RetryingRateLimiter
from bot.telegram.feedback import FeedbackStore
from bot.telegram.html import plural
from bot.telegram.rebuild import Rebuilder, build_command
from bot.telegram.refresh import FeedSchedule, schedule_refresh
from bot.telegram.state import CONTEXT_TYPES, BotServices
from embeddings import Engine, Settings

logger = logging.getLogger(__name__)

ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]
COMMANDS = [
    BotCommand("help", "what I know and how to ask"),
    BotCommand("sources", "the articles I can quote"),
    BotCommand("about", "index size, model and build time"),
]
ADMIN_COMMANDS = [
    *COMMANDS,
    BotCommand("reload", "rebuild the index from the corpus"),
    BotCommand("add", "add an article: /add URL, or send me an .html, .txt or .md file"),
]
# Updates handled at once. A waiting question holds its slot, so python-telegram-bot's default (256) made a burst's
# 257th update (a new chat's question, /about) wait for 256 answers; the fair turns need every question queued.
UPDATES_AT_ONCE = 4096
PROBE_TIMEOUT = 5.0  # seconds for the one request that tells a wrong token from a wrong API address
_TOKEN_SHAPE = re.compile(r"\d+:[A-Za-z0-9_-]+")  # what @BotFather hands out: 123456789:AAH...


async def set_commands(application: Application) -> None:
    """Publish the command menu; admins also see /reload in their private chat."""
    await application.bot.set_my_commands(COMMANDS)
    for admin in application.bot_data.services.config.admin_ids:
        try:
            await application.bot.set_my_commands(ADMIN_COMMANDS, scope=BotCommandScopeChat(admin))
        except TelegramError as error:  # the admin has not opened a chat with the bot yet
            logger.warning("Could not show /reload to admin %s: %s", admin, error)


async def stop_rebuilding(application: Application) -> None:
    """At shutdown, stop a rebuild's child process (the build is crash-safe; the last good index stays)."""
    await application.bot_data.services.rebuilder.close()


async def stop_answering(application: Application) -> None:
    """Stop the workers that answer questions in fair turns, then any rebuild's child process."""
    await application.bot_data.services.scheduler.stop()
    await stop_rebuilding(application)


def _builder(config: TelegramConfig, timeout: float | None) -> ApplicationBuilder:
    """python-telegram-bot's builder: the Bot API address, concurrent updates, retries, no link previews."""
    builder = ApplicationBuilder()
    if timeout is not None:
        builder = builder.connect_timeout(timeout).read_timeout(timeout).write_timeout(timeout).pool_timeout(timeout)
        builder = builder.get_updates_read_timeout(timeout)
    return (
        builder.token(config.token)
        .base_url(f"{config.api_base_url}/bot")
        .base_file_url(f"{config.api_base_url}/file/bot")
        .concurrent_updates(UPDATES_AT_ONCE)
        .rate_limiter(RetryingRateLimiter())
        .defaults(Defaults(link_preview_options=LinkPreviewOptions(is_disabled=True)))
        .context_types(CONTEXT_TYPES)
        .post_init(set_commands)
        .post_shutdown(stop_answering)
    )


def _add_handlers(application: Application) -> None:
    """Every update goes through the allow-list first, then to the one handler for what the user did; errors to on_error."""
    application.add_handler(TypeHandler(Update, handlers.check_access), group=-1)
    application.add_handler(CommandHandler(["start", "help"], handlers.show_help))
    application.add_handler(CommandHandler("sources", handlers.list_sources))
    application.add_handler(CommandHandler("about", handlers.show_about))
    application.add_handler(CommandHandler("reload", reload_index))
    application.add_handler(CommandHandler("add", add_article))
    application.add_handler(
        MessageHandler(filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND, handlers.answer_question)
    )
    application.add_handler(
        MessageHandler(filters.UpdateType.MESSAGE & filters.COMMAND & filters.ChatType.PRIVATE, handlers.unknown_command)
    )
    application.add_handler(
        MessageHandler(filters.UpdateType.MESSAGE & filters.Document.ALL & filters.ChatType.PRIVATE, add_document)
    )
    application.add_handler(
        MessageHandler(filters.UpdateType.MESSAGE & ~filters.TEXT & ~filters.StatusUpdate.ALL, handlers.hint_text_only)
    )
    application.add_handler(CallbackQueryHandler(handlers.show_more_sources, pattern=buttons.MORE_PATTERN))
    application.add_handler(CallbackQueryHandler(handlers.record_vote, pattern=buttons.VOTE_PATTERN))
    application.add_handler(CallbackQueryHandler(handlers.stale_button))
    application.add_error_handler(handlers.on_error)


def build_application(
    engine: Engine,
    config: TelegramConfig,
    feedback: FeedbackStore | None = None,
    timeout: float | None = None,
    feeds: FeedSchedule | None = None,
    rebuilder: Rebuilder | None = None,
) -> Application:
    """The bot with all its handlers, talking to the Bot API at `config.api_base_url`.

    `timeout` (seconds) overrides python-telegram-bot's network timeouts (5 s), e.g. for tests of a hung API.
    `feeds`: fetch these feeds on a schedule; `rebuilder`: how rebuilds run (None: `python -m embeddings` children).
    """
    application = _builder(config, timeout).build()
    application.bot_data.services = BotServices(
        engine,
        config,
        feedback or FeedbackStore(config.feedback_file, key=config.token.encode()),
        QuestionLimit(config.questions_per_minute),
        AnswerStore(config.answers_path),
        rebuilder=rebuilder or _rebuilder(engine, feeds),
        feeds=feeds,
    )
    _add_handlers(application)
    if feeds is not None:
        schedule_refresh(application, feeds)
    return application


def _rebuilder(engine: Engine, feeds: FeedSchedule | None) -> Rebuilder:
    settings = engine.settings
    return Rebuilder(engine, build_command(settings), build_command(settings, feeds.feeds_file) if feeds else None)


def _shown_url(config: TelegramConfig) -> str:
    """The API address for messages, without the token even if someone pasted it into the URL."""
    return config.api_base_url.replace(config.token, "[redacted]")


def rejection_message(config: TelegramConfig) -> str:
    """Why getMe failed with InvalidToken, which python-telegram-bot raises for a 401 and a 404 alike.

    A Bot API server answers 401 for a well-formed token it does not know, 404 for a malformed one; a 404 for a
    well-formed token means no Bot API server is at that address (e.g. a wrong path). One plain getMe tells them
    apart; the message never contains the token.
    """
    try:
        with httpx.Client(timeout=PROBE_TIMEOUT) as client:  # the environment's proxies, as python-telegram-bot uses
            status = client.get(f"{config.api_base_url}/bot{config.token}/getMe").status_code
    except (httpx.HTTPError, httpx.InvalidURL):
        status = None
    well_formed = _TOKEN_SHAPE.fullmatch(config.token) is not None
    if status == 401 or (status == 404 and not well_formed):
        shape = "" if well_formed else " (it should look like 123456789:AAH..., from @BotFather)"
        return f"Telegram rejected the bot token: check TELEGRAM_BOT_TOKEN{shape}"
    if status == 404:
        return (
            f"The Bot API address looks wrong: {_shown_url(config)}/bot<token>/getMe answered 404 Not Found. "
            f"Set --api-base-url (or TELEGRAM_API_BASE_URL) to {API_BASE_URL_FORMS}"
        )
    return (
        f"Telegram rejected the bot token, or {_shown_url(config)} is not a Bot API server: "
        "check TELEGRAM_BOT_TOKEN and --api-base-url"
    )


def run(
    settings: Settings, config: TelegramConfig, log: Callable[[str], None] = logger.info, feeds: FeedSchedule | None = None
) -> int:
    """Build or update the index, then serve Telegram by long polling or, with a webhook url, as a webhook server."""
    engine = open_engine(settings, log=log)
    engine.warm_up_in_background()  # the models load while the bot connects, not on the first question
    info = engine.info()
    application = build_application(engine, config, feeds=feeds)
    try:
        if config.webhook_url:
            log(f"Answering about {plural(info.articles, 'article')}; webhook server on {config.listen}:{config.port}")
            application.run_webhook(
                listen=config.listen,
                port=config.port,
                url_path=urlparse(config.webhook_url).path.lstrip("/"),
                webhook_url=config.webhook_url,
                secret_token=config.secret or secrets.token_urlsafe(32),
                allowed_updates=ALLOWED_UPDATES,
            )
        else:
            log(f"Answering about {plural(info.articles, 'article')}; polling Telegram for messages (Ctrl-C to stop)")
            application.run_polling(allowed_updates=ALLOWED_UPDATES)
    except InvalidToken:
        logger.error("%s", rejection_message(config))
        return 2
    except NetworkError as error:
        logger.error("Cannot reach the Bot API at %s: %s", _shown_url(config), error)
        return 2
    log("Stopped.")
    return 0
