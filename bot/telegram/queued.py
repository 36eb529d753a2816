"""A question waiting its turn: "typing…" meanwhile, and past a few seconds one short "queued" notice that the
answer later replaces (an edit, so the chat gets no extra message).

"typing…" is one loop per chat, however many of its questions wait: every sendChatAction counts against the bot's
~30 requests a second, and a loop per question spent that budget five times over in a burst of five-question chats.

Only the question its chat gets answered next shows a notice, and a chat sees one notice per backlog: a chat with
five questions waiting sees one "queued, N ahead" line, which becomes an answer; the rest come as usual.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

from telegram import Bot, Chat, InlineKeyboardMarkup, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError

from bot.messages import words
from bot.telegram.delivery import _refusal, reply_plain, send_messages, typing
from bot.telegram.html import MESSAGE_LIMIT, text_pieces, visible_text
from bot.telegram.scheduler import Scheduler

logger = logging.getLogger(__name__)

NOTICE_AFTER = 3.0  # seconds a question waits before its chat is told it is queued
CHECK_EVERY = 0.5  # seconds between looks at a waiting question's place


class ChatTyping:
    """Shows "typing…" in a chat while any of its questions waits or is answered: one loop per chat."""

    def __init__(self) -> None:
        self._chats: dict[int, tuple[int, contextlib.AbstractAsyncContextManager]] = {}

    @contextlib.asynccontextmanager
    async def __call__(self, chat: Chat, quiet: Callable[[], bool] = lambda: False) -> AsyncIterator[None]:
        """Typing shows while a question of the chat waits or is answered, but not while `quiet()` (the chat was
        told it is queued and nothing of it is being answered: the notice says it, and requests are scarce)."""
        count, shown = self._chats.get(chat.id, (0, None))
        if shown is None:
            shown = typing(chat, quiet)
            await shown.__aenter__()
        self._chats[chat.id] = (count + 1, shown)
        try:
            yield
        finally:
            count, shown = self._chats.pop(chat.id)
            if count > 1:
                self._chats[chat.id] = (count - 1, shown)
            else:
                await shown.__aexit__(None, None, None)


class ToldInChat(Exception):
    """The question failed after its notice was shown; the notice now says so (no second error message needed)."""


async def wait_for_turn(
    scheduler: Scheduler,
    bot: Bot,
    message: Message,
    user_id: int,
    work: Callable[[], Any],
    sorry: str,
    notice_after: float | None = None,
) -> tuple[Any, Message | None]:
    """Run `work` in the question's fair turn; returns its result and the notice shown meanwhile (None if none).

    If `work` fails after a notice was shown, the notice is edited to `sorry` and ToldInChat is raised.
    """
    notice_after = NOTICE_AFTER if notice_after is None else notice_after
    ticket = await scheduler.submit(message.chat_id, user_id, work)
    began = time.monotonic()
    notice: Message | None = None
    try:
        while not ticket.future.done():
            await asyncio.wait([ticket.future], timeout=CHECK_EVERY)
            if notice is not None or ticket.future.done() or time.monotonic() - began < notice_after:
                continue
            notice = await _maybe_notice(scheduler, bot, message, ticket)
        result = ticket.future.result()
    except Exception as error:
        if notice is None:
            raise
        with contextlib.suppress(TelegramError):
            await notice.edit_text(sorry)
        raise ToldInChat(str(error)) from error
    return result, notice


async def _maybe_notice(scheduler: Scheduler, bot: Bot, message: Message, ticket: Any) -> Message | None:
    """Send the notice when this question is its chat's next and the chat shows no other notice."""
    if message.chat_id in scheduler.noticed or not ticket.next_in_chat():
        return None
    ahead = ticket.ahead()
    if not ahead:
        return None
    scheduler.noticed.add(message.chat_id)
    try:
        language = message.from_user.language_code if message.from_user else None
        return await reply_plain(bot, message, words(language).queued.format(ahead=ahead))
    except TelegramError as error:  # the answer will come as a message of its own
        logger.warning("Could not send the queued notice: %s", error)
        scheduler.noticed.discard(message.chat_id)
        return None


async def _edit(notice: Message, text: str, keyboard: InlineKeyboardMarkup | None, html: bool) -> None:
    """Edit the notice's text; "not modified" (a retried edit that had already landed) counts as done."""
    try:
        await notice.edit_text(text, parse_mode=ParseMode.HTML if html else None, reply_markup=keyboard)
    except BadRequest as error:
        if "not modified" not in str(error).lower():
            raise


async def deliver(
    bot: Bot,
    chat_id: int,
    texts: Sequence[str],
    reply_to: int | None,
    keyboard: InlineKeyboardMarkup | None,
    notice: Message | None,
) -> None:
    """Send the answer's messages; with a notice, the first message replaces the notice's text.

    If Telegram refuses the HTML or the length, the notice gets the plain text (its first piece; the rest follow).
    If the notice cannot be edited at all (deleted meanwhile), the answer is sent as new messages.
    """
    if notice is None or not texts:
        await send_messages(bot, chat_id, texts, reply_to, keyboard)
        return
    rest = list(texts[1:])
    try:
        await _edit(notice, texts[0], None if rest else keyboard, html=True)
    except BadRequest as error:
        refusal = _refusal(error)
        if refusal is None:
            logger.warning("Could not edit the queued notice (%s); sending the answer anew", error)
            await send_messages(bot, chat_id, texts, reply_to, keyboard)
            return
        plain = visible_text(texts[0])
        budget = MESSAGE_LIMIT // 2 if refusal == "long" else MESSAGE_LIMIT
        pieces = [plain[start:end] for start, end in text_pieces(plain, budget)] or [plain]
        await _edit(notice, pieces[0], None if rest or len(pieces) > 1 else keyboard, html=False)
        for number, piece in enumerate(pieces[1:], start=2):
            last = number == len(pieces) and not rest
            await bot.send_message(chat_id, piece, reply_markup=keyboard if last else None)
    if rest:
        await send_messages(bot, chat_id, rest, None, keyboard)
