"""One handler per thing a user does; bot.telegram.app wires them to updates.

Handlers call the engine through its typed API and render with bot.telegram.html. The engine's work is CPU-bound,
so it runs in threads: one slow question never stalls the other chats (updates are handled concurrently).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import math

from telegram import Message, Update
from telegram.error import NetworkError, TelegramError
from telegram.ext import ApplicationHandlerStop

from bot.telegram import buttons
from bot.telegram.access import addressed_to_bot, is_allowed, question_text
from bot.telegram.answers import RecentAnswer
from bot.telegram.delivery import reply_plain, send_messages
from bot.telegram.html import about_html, answer_messages, articles_messages, help_html, more_sources_messages
from bot.telegram.queued import ToldInChat, deliver, wait_for_turn
from bot.telegram.refresh import refresh_html
from bot.telegram.state import BotContext

logger = logging.getLogger(__name__)

SORRY = "Sorry, something went wrong while answering. Please try again in a moment."
REFUSAL = "Sorry, this bot is private and only answers the people its owner has allowed."
TEXT_ONLY_HINT = "I can only read text. Type your question, for example: who signed the pact?"
EMPTY_HINT = "Please ask a question, for example: who signed the pact?"
UNKNOWN_COMMAND = "I don't know that command. Send /help to see what I can do."
ADMINS_ONLY = "Only the bot's admins can run /reload."
TOO_OLD = "That answer is too old for this button. Please ask again."


async def check_access(update: Update, context: BotContext) -> None:
    """Let allowed users and chats through; tell anyone else once, politely, and nothing more."""
    served = context.services
    user, chat = update.effective_user, update.effective_chat
    if is_allowed(served.config.allowed_ids, [user and user.id, chat and chat.id]):
        return
    if update.callback_query:
        await update.callback_query.answer()
    elif update.message and addressed_to_bot(update.message, context.bot):
        someone = user.id if user else update.message.chat_id
        if someone not in served.refused:
            served.refused.add(someone)
            logger.info("Refused user %s in chat %s: not in TELEGRAM_ALLOWED_IDS", someone, update.message.chat_id)
            await update.message.reply_text(REFUSAL)
    raise ApplicationHandlerStop


async def show_help(update: Update, context: BotContext) -> None:
    """Tell the user what the bot knows and how to ask, with an example."""
    articles = await asyncio.to_thread(context.services.engine.articles)
    user = update.effective_user
    await update.message.reply_html(help_html(articles, user.language_code if user else None))


async def list_sources(update: Update, context: BotContext) -> None:
    """List the indexed articles: title, outlet, date and how many passages each has."""
    articles = await asyncio.to_thread(context.services.engine.articles)
    for text in articles_messages(articles):
        await update.message.reply_html(text)


async def show_about(update: Update, context: BotContext) -> None:
    """Describe the index: its size, the embedding model, when it was built, and the feeds it follows."""
    await update.message.reply_html(about_html(context.services.engine.info()) + refresh_html(context.services))


async def answer_question(update: Update, context: BotContext) -> None:
    """Reply with the short answer and the quoted sources, with buttons for more sources and feedback."""
    message = update.message
    question = question_text(message, context.bot)
    if question is None:
        return
    if not question.strip():
        await reply_plain(context.bot, message, EMPTY_HINT)
        return
    served = context.services
    wait = served.limit.wait(update.effective_user.id if update.effective_user else message.chat_id)
    if wait:  # replies to the question it refuses, so someone who sent several can tell which
        await reply_plain(
            context.bot, message, f"You're asking faster than I can read. Please wait {math.ceil(wait)} seconds and ask again."
        )
        return
    chat = context.chat_data
    user_id = update.effective_user.id if update.effective_user else message.chat_id
    ask = functools.partial(served.engine.ask, question, served.config.max_sources, tuple(chat.history))
    quiet = functools.partial(served.scheduler.told_to_wait, message.chat_id)
    async with served.typing(message.chat, quiet):  # the question takes a fair turn: chats with backlogs do not hold it up
        answer, notice = await wait_for_turn(served.scheduler, context.bot, message, user_id, ask, SORRY)
    chat.asked(question)
    shown = served.config.sources_per_page
    keyboard = None
    if not answer.abstained:
        key = await asyncio.to_thread(served.answers.remember, message.chat_id, answer, shown)
        keyboard = buttons.keyboard(buttons.more_row(key, len(answer.sources), shown, answer.language), buttons.vote_row(key))
    # Each answer replies to its question: when a user sends several at once, they can tell which is which.
    await deliver(context.bot, message.chat_id, answer_messages(answer, shown), message.message_id, keyboard, notice)


async def _pressed_answer(update: Update, context: BotContext) -> tuple[str, str, RecentAnswer] | None:
    """(key, argument, answer) for a button under an answer; None, after telling the user, when it is forgotten."""
    query = update.callback_query
    key, argument = buttons.parse(query.data)
    chat = update.effective_chat
    answered = await asyncio.to_thread(context.services.answers.recent, chat.id, key) if chat else None
    if answered is None:
        await query.answer(TOO_OLD, show_alert=True)
        return None
    return key, argument, answered


async def show_more_sources(update: Update, context: BotContext) -> None:
    """Send the next sources of an earlier answer, moving its "More sources" button under them."""
    query = update.callback_query
    pressed = await _pressed_answer(update, context)
    if pressed is None:
        return
    key, start_text, answered = pressed
    # CallbackQueries need to be answered, even if no notification to the user is needed
    await query.answer()
    start = int(start_text)
    end = start + context.services.config.sources_per_page
    answered.shown = max(answered.shown, min(end, len(answered.answer.sources)))
    await asyncio.to_thread(context.services.answers.update, update.effective_chat.id, key, answered)
    if isinstance(query.message, Message):
        await query.edit_message_reply_markup(buttons.without_more(query.message.reply_markup))
    keyboard = buttons.keyboard(buttons.more_row(key, len(answered.answer.sources), end, answered.answer.language))
    texts = more_sources_messages(answered.answer, start, end - start)
    await send_messages(context.bot, update.effective_chat.id, texts, None, keyboard)


async def record_vote(update: Update, context: BotContext) -> None:
    """Store a 👍 or 👎 on an answer, with the question and the sources shown, and thank the user."""
    query = update.callback_query
    pressed = await _pressed_answer(update, context)
    if pressed is None:
        return
    key, vote, answered = pressed
    if answered.vote == vote:
        await query.answer("Already noted, thank you!")
        return
    user_id = update.effective_user.id if update.effective_user else None
    shown = answered.answer.sources[: answered.shown]
    await asyncio.to_thread(context.services.feedback.record, answered.answer, shown, vote, user_id)
    answered.vote = vote
    await asyncio.to_thread(context.services.answers.update, update.effective_chat.id, key, answered)
    await query.answer("Thanks for the feedback!")
    if isinstance(query.message, Message):
        await query.edit_message_reply_markup(buttons.with_vote(query.message.reply_markup, key, vote))


async def stale_button(update: Update, context: BotContext) -> None:
    """Tell someone who pressed a button this bot no longer knows that the answer is too old."""
    await update.callback_query.answer(TOO_OLD, show_alert=True)


async def hint_text_only(update: Update, context: BotContext) -> None:
    """Tell someone who sent a sticker, photo or voice note that questions must be typed."""
    if addressed_to_bot(update.message, context.bot):
        await update.message.reply_text(TEXT_ONLY_HINT)


async def unknown_command(update: Update, context: BotContext) -> None:
    """Point to /help when a command is not one of ours."""
    await update.message.reply_text(UNKNOWN_COMMAND)


async def on_error(update: object, context: BotContext) -> None:
    """Log the error and tell the user something went wrong; the bot keeps running."""
    if update is None and isinstance(context.error, NetworkError):  # polling failed; python-telegram-bot retries
        logger.warning("Could not get updates from Telegram (%s); retrying", context.error)
        return
    logger.error("Error while handling an update", exc_info=context.error)
    if not isinstance(update, Update) or isinstance(context.error, ToldInChat):  # its "queued" notice now says sorry
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
