"""The Telegram bot: one handler per thing a user does, all wired in build_application().

Handlers call the engine through its typed API and render with bot.telegram.html. The engine's work is CPU-bound,
so it runs in threads: one slow question never stalls the other chats (updates are handled concurrently).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import re
import secrets
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import urlparse

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    Chat,
    LinkPreviewOptions,
    Message,
    MessageEntity,
    Update,
)
from telegram.constants import ChatAction, ChatType
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.session import open_engine
from bot.telegram import buttons
from bot.telegram.access import QuestionLimit, is_allowed
from bot.telegram.config import TelegramConfig
from bot.telegram.delivery import RetryingRateLimiter, reply_plain, send_messages
from bot.telegram.feedback import FeedbackStore
from bot.telegram.html import (
    MESSAGE_LIMIT,
    about_html,
    answer_messages,
    articles_messages,
    help_html,
    more_sources_messages,
    plural,
)
from embeddings import Answer, BuildReport, CorpusMissing, EmptyCorpus, Engine, IndexNotReady, Settings

logger = logging.getLogger(__name__)

SORRY = "Sorry, something went wrong while answering. Please try again in a moment."
REFUSAL = "Sorry, this bot is private and only answers the people its owner has allowed."
TEXT_ONLY_HINT = "I can only read text. Type your question, for example: who signed the pact?"
EMPTY_HINT = "Please ask a question, for example: who signed the pact?"
UNKNOWN_COMMAND = "I don't know that command. Send /help to see what I can do."
ADMINS_ONLY = "Only the bot's admins can run /reload."
TOO_OLD = "That answer is too old for this button. Please ask again."
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]
COMMANDS = [
    BotCommand("help", "what I know and how to ask"),
    BotCommand("sources", "the articles I can quote"),
    BotCommand("about", "index size, model and build time"),
]
ADMIN_COMMANDS = [*COMMANDS, BotCommand("reload", "rebuild the index from the corpus")]
ANSWERS_KEPT = 20  # per chat: the answers whose buttons still work
HISTORY_KEPT = 5  # per chat: earlier questions, for follow-ups
TYPING_REFRESH = 4.5  # Telegram shows "typing…" for 5 seconds per sendChatAction


@dataclass
class RecentAnswer:
    """An answer whose "More sources" and vote buttons are still live."""

    answer: Answer
    shown: int
    vote: str | None = None


@dataclass
class BotServices:
    """What the handlers share: the engine, the settings, the feedback file and the limits."""

    engine: Engine
    config: TelegramConfig
    feedback: FeedbackStore
    limit: QuestionLimit
    reload_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    # Rebuilds get their own thread: in a burst they would otherwise queue behind every waiting question.
    rebuilder: ThreadPoolExecutor = field(default_factory=lambda: ThreadPoolExecutor(1, thread_name_prefix="rebuild"))
    refused: set[int] = field(default_factory=set)


def services(context: ContextTypes.DEFAULT_TYPE) -> BotServices:
    return context.bot_data["services"]


def services_of(application: Application) -> BotServices:
    return application.bot_data["services"]


def question_text(message: Message, bot: Bot) -> str | None:
    """The question in a message meant for the bot, or None when it is not for the bot.

    In private chats every text is a question; in groups only a text that mentions the bot (the mention is
    removed) or replies to one of its messages.
    """
    text = message.text or ""
    if message.chat.type == ChatType.PRIVATE:
        return text
    replied = message.reply_to_message
    if replied and replied.from_user and replied.from_user.id == bot.id:
        return text
    mention = f"@{bot.username}".lower()
    if any(value.lower() == mention for value in message.parse_entities([MessageEntity.MENTION]).values()):
        return re.sub(rf"{re.escape(mention)}(?!\w)", " ", text, flags=re.IGNORECASE)
    return None


def _addressed_to_bot(message: Message, bot: Bot) -> bool:
    replied = message.reply_to_message
    return (
        message.chat.type == ChatType.PRIVATE
        or (message.text or "").startswith("/")
        or bool(replied and replied.from_user and replied.from_user.id == bot.id)
        or question_text(message, bot) is not None
    )


def _remember(context: ContextTypes.DEFAULT_TYPE, answer: Answer, shown: int) -> str:
    """Keep the answer for its buttons; returns the key the buttons carry."""
    recent: OrderedDict[str, RecentAnswer] = context.chat_data.setdefault("answers", OrderedDict())
    key = buttons.new_key()
    recent[key] = RecentAnswer(answer, shown)
    while len(recent) > ANSWERS_KEPT:
        recent.popitem(last=False)
    return key


def _recent(context: ContextTypes.DEFAULT_TYPE, key: str) -> RecentAnswer | None:
    return context.chat_data.get("answers", {}).get(key)


@contextlib.asynccontextmanager
async def typing(chat: Chat) -> AsyncIterator[None]:
    """Show "typing…" in the chat until the block ends."""

    async def keep_typing() -> None:
        while True:
            with contextlib.suppress(TelegramError):
                await chat.send_action(ChatAction.TYPING)
            await asyncio.sleep(TYPING_REFRESH)

    task = asyncio.create_task(keep_typing())
    try:
        yield
    finally:
        task.cancel()


async def check_access(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Let allowed users and chats through; tell anyone else once, politely, and nothing more."""
    served = services(context)
    user, chat = update.effective_user, update.effective_chat
    if is_allowed(served.config.allowed_ids, [user and user.id, chat and chat.id]):
        return
    if update.callback_query:
        await update.callback_query.answer()
    elif update.message and _addressed_to_bot(update.message, context.bot):
        someone = user.id if user else update.message.chat_id
        if someone not in served.refused:
            served.refused.add(someone)
            logger.info("Refused user %s in chat %s: not in TELEGRAM_ALLOWED_IDS", someone, update.message.chat_id)
            await update.message.reply_text(REFUSAL)
    raise ApplicationHandlerStop


async def show_help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Tell the user what the bot knows and how to ask, with an example."""
    articles = await asyncio.to_thread(services(context).engine.articles)
    await update.message.reply_html(help_html(articles))


async def list_sources(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List the indexed articles: title, outlet, date and how many passages each has."""
    articles = await asyncio.to_thread(services(context).engine.articles)
    for text in articles_messages(articles):
        await update.message.reply_html(text)


async def show_about(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Describe the index: its size, the embedding model and when it was built."""
    await update.message.reply_html(about_html(services(context).engine.info()))


def _rebuild(engine: Engine) -> BuildReport:
    """Bring the index up to date with the corpus, then switch the engine to the new version."""
    return engine.refresh()


async def reload_index(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Rebuild the index from the corpus for an admin; questions meanwhile are answered from the old index."""
    served = services(context)
    if update.effective_user is None or update.effective_user.id not in served.config.admin_ids:
        await update.message.reply_text(ADMINS_ONLY)
        return
    if served.reload_lock.locked():
        await update.message.reply_text("A reload is already running.")
        return
    async with served.reload_lock:
        status = await update.message.reply_text("Rebuilding the index from the corpus…")
        try:
            report = await asyncio.get_running_loop().run_in_executor(served.rebuilder, _rebuild, served.engine)
        except (CorpusMissing, EmptyCorpus, IndexNotReady) as error:
            await status.edit_text(f"Reload failed; still answering from the old index. {error}")
            return
        except OSError as error:  # a full disk, a read-only index folder
            logger.error("Reload failed: %s", error)
            await status.edit_text(
                f"Reload failed; still answering from the old index. Could not write the index "
                f"({error.strerror or error}): free disk space or make the index folder writable, then /reload again."
            )
            return
        logger.info("Reloaded the index: %s", report.summary())
        await status.edit_text(f"Reloaded. {report.summary()}"[: MESSAGE_LIMIT // 2])  # many skipped files make it long


async def answer_question(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Reply with the short answer and the quoted sources, with buttons for more sources and feedback."""
    message = update.message
    question = question_text(message, context.bot)
    if question is None:
        return
    if not question.strip():
        await reply_plain(context.bot, message, EMPTY_HINT)
        return
    served = services(context)
    wait = served.limit.wait(update.effective_user.id if update.effective_user else message.chat_id)
    if wait:  # replies to the question it refuses, so someone who sent several can tell which
        await reply_plain(
            context.bot, message, f"You're asking faster than I can read. Please wait {math.ceil(wait)} seconds and ask again."
        )
        return
    history: list[str] = context.chat_data.setdefault("history", [])
    async with typing(message.chat):
        answer = await asyncio.to_thread(served.engine.ask, question, served.config.max_sources, tuple(history))
    history.append(question)
    del history[:-HISTORY_KEPT]
    shown = served.config.sources_per_page
    keyboard = None
    if not answer.abstained:
        key = _remember(context, answer, shown)
        keyboard = buttons.keyboard(buttons.more_row(key, len(answer.sources), shown), buttons.vote_row(key))
    # Each answer replies to its question: when a user sends several at once, they can tell which is which.
    await send_messages(context.bot, message.chat_id, answer_messages(answer, shown), message.message_id, keyboard)


async def show_more_sources(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send the next sources of an earlier answer."""
    query = update.callback_query
    key, start_text = buttons.parse(query.data)
    recent = _recent(context, key)
    if recent is None:
        await query.answer(TOO_OLD, show_alert=True)
        return
    # CallbackQueries need to be answered, even if no notification to the user is needed
    await query.answer()
    start = int(start_text)
    end = start + services(context).config.sources_per_page
    recent.shown = max(recent.shown, min(end, len(recent.answer.sources)))
    if isinstance(query.message, Message):
        await query.edit_message_reply_markup(buttons.without_more(query.message.reply_markup))
    keyboard = buttons.keyboard(buttons.more_row(key, len(recent.answer.sources), end))
    texts = more_sources_messages(recent.answer, start, end - start)
    await send_messages(context.bot, update.effective_chat.id, texts, None, keyboard)


async def record_vote(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Store a 👍 or 👎 on an answer, with the question and the sources shown, and thank the user."""
    query = update.callback_query
    key, vote = buttons.parse(query.data)
    recent = _recent(context, key)
    if recent is None:
        await query.answer(TOO_OLD, show_alert=True)
        return
    if recent.vote == vote:
        await query.answer("Already noted, thank you!")
        return
    user_id = update.effective_user.id if update.effective_user else None
    shown = recent.answer.sources[: recent.shown]
    await asyncio.to_thread(services(context).feedback.record, recent.answer, shown, vote, update.effective_chat.id, user_id)
    recent.vote = vote
    await query.answer("Thanks for the feedback!")
    if isinstance(query.message, Message):
        await query.edit_message_reply_markup(buttons.with_vote(query.message.reply_markup, key, vote))


async def stale_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer a press on a button this bot no longer knows."""
    await update.callback_query.answer(TOO_OLD, show_alert=True)


async def hint_text_only(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Tell someone who sent a sticker, photo or voice note that questions must be typed."""
    if _addressed_to_bot(update.message, context.bot):
        await update.message.reply_text(TEXT_ONLY_HINT)


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Point to /help when a command is not one of ours."""
    await update.message.reply_text(UNKNOWN_COMMAND)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the error and tell the user something went wrong; the bot keeps running."""
    if update is None and isinstance(context.error, NetworkError):  # polling failed; python-telegram-bot retries
        logger.warning("Could not get updates from Telegram (%s); retrying", context.error)
        return
    logger.error("Error while handling an update", exc_info=context.error)
    if not isinstance(update, Update):
        return
    if update.callback_query:
        try:
            await update.callback_query.answer(SORRY, show_alert=True)
            return
        except TelegramError:  # already answered before the error: say it in the chat instead
            pass
    if update.effective_chat:
        with contextlib.suppress(TelegramError):
            await context.bot.send_message(update.effective_chat.id, SORRY)


async def set_commands(application: Application) -> None:
    """Publish the command menu; admins also see /reload in their private chat."""
    await application.bot.set_my_commands(COMMANDS)
    for admin in services_of(application).config.admin_ids:
        try:
            await application.bot.set_my_commands(ADMIN_COMMANDS, scope=BotCommandScopeChat(admin))
        except TelegramError as error:  # the admin has not opened a chat with the bot yet
            logger.warning("Could not show /reload to admin %s: %s", admin, error)


def build_application(
    engine: Engine, config: TelegramConfig, feedback: FeedbackStore | None = None, timeout: float | None = None
) -> Application:
    """The bot with all its handlers, talking to the Bot API at `config.api_base_url`.

    `timeout` (seconds) overrides python-telegram-bot's network timeouts (5 s), e.g. for tests of a hung API.
    """
    builder = ApplicationBuilder()
    if timeout is not None:
        builder = builder.connect_timeout(timeout).read_timeout(timeout).write_timeout(timeout).pool_timeout(timeout)
        builder = builder.get_updates_read_timeout(timeout)
    application = (
        builder.token(config.token)
        .base_url(f"{config.api_base_url}/bot")
        .base_file_url(f"{config.api_base_url}/file/bot")
        .concurrent_updates(True)
        .rate_limiter(RetryingRateLimiter())
        .defaults(Defaults(link_preview_options=LinkPreviewOptions(is_disabled=True)))
        .post_init(set_commands)
        .build()
    )
    application.bot_data["services"] = BotServices(
        engine,
        config,
        feedback or FeedbackStore(config.feedback_file, key=config.token.encode()),
        QuestionLimit(config.questions_per_minute),
    )
    application.add_handler(TypeHandler(Update, check_access), group=-1)
    application.add_handler(CommandHandler(["start", "help"], show_help))
    application.add_handler(CommandHandler("sources", list_sources))
    application.add_handler(CommandHandler("about", show_about))
    application.add_handler(CommandHandler("reload", reload_index))
    application.add_handler(MessageHandler(filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND, answer_question))
    application.add_handler(
        MessageHandler(filters.UpdateType.MESSAGE & filters.COMMAND & filters.ChatType.PRIVATE, unknown_command)
    )
    application.add_handler(
        MessageHandler(filters.UpdateType.MESSAGE & ~filters.TEXT & ~filters.StatusUpdate.ALL, hint_text_only)
    )
    application.add_handler(CallbackQueryHandler(show_more_sources, pattern=buttons.MORE_PATTERN))
    application.add_handler(CallbackQueryHandler(record_vote, pattern=buttons.VOTE_PATTERN))
    application.add_handler(CallbackQueryHandler(stale_button))
    application.add_error_handler(on_error)
    return application


def run(settings: Settings, config: TelegramConfig, log: Callable[[str], None] = logger.info) -> int:
    """Build or update the index, then serve Telegram by long polling or, with a webhook url, as a webhook server."""
    engine = open_engine(settings, log=log)
    info = engine.info()
    application = build_application(engine, config)
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
        logger.error("Telegram rejected the bot token: check TELEGRAM_BOT_TOKEN")
        return 2
    except NetworkError as error:
        logger.error("Cannot reach the Bot API at %s: %s", config.api_base_url, error)
        return 2
    log("Stopped.")
    return 0
