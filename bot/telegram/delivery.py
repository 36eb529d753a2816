"""Getting answers to Telegram through a network that fails: retries, and fallbacks when Telegram refuses HTML.

python-telegram-bot's AIORateLimiter already waits out Telegram's flood limits (429 with retry_after); it does not
retry a 5xx reply, a timeout or a dropped connection, so RetryingRateLimiter adds that, with exponential backoff.
Telegram refusing a message ("can't parse entities", "message is too long") is not worth retrying as is: the
message goes out again as plain text, cut smaller when it was too long. Either way the user gets the answer once.
While the engine works, `typing()` keeps "typing…" showing in the chat.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from typing import Any

from telegram import Bot, Chat, InlineKeyboardMarkup, Message, ReplyParameters
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest, NetworkError, TelegramError
from telegram.ext import AIORateLimiter

from bot.telegram.html import MESSAGE_LIMIT, text_pieces, visible_text
from bot.telegram.send_turns import SendTurns

logger = logging.getLogger(__name__)

NETWORK_RETRIES = 4  # 0.5 + 1 + 2 + 4 seconds of backoff: rides out a short outage
FLOOD_RETRIES = 3  # AIORateLimiter's retries after a 429, each waiting what Telegram asked
TYPING_REFRESH = 4.5  # Telegram shows "typing…" for 5 seconds per sendChatAction
QUIET_CHECK = 0.5  # seconds between looks at whether a quiet chat's answer has begun (typing resumes then)


class RetryingRateLimiter(AIORateLimiter):
    """AIORateLimiter that also retries calls failing with a 5xx reply, a timeout or a dropped connection, and lets
    chats' requests into it in fair turns (send_turns.py) rather than in arrival order.

    Telegram's refusals (BadRequest) are not retried: the same request would be refused again. getUpdates never
    comes here; python-telegram-bot's polling loop retries it by itself.
    """

    def __init__(
        self, network_retries: int = NETWORK_RETRIES, backoff: float = 0.5, turns: SendTurns | None = None, **kwargs: Any
    ) -> None:
        super().__init__(max_retries=kwargs.pop("max_retries", FLOOD_RETRIES), **kwargs)
        self.network_retries = network_retries
        self.backoff = backoff
        self.turns = turns or SendTurns()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        attempt = 0
        chat = data.get("chat_id")
        lane = chat if chat is not None else object()  # a request for no chat (answerCallbackQuery) waits for none
        while True:
            try:
                async with self.turns.turn(lane):  # fair turns between chats (send_turns.py); none held while backing off
                    return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
            except BadRequest:
                raise
            except NetworkError as error:
                if attempt >= self.network_retries:
                    raise
                delay = self.backoff * 2**attempt
                attempt += 1
                logger.warning("%s failed (%s); retry %d of %d in %.1f s", endpoint, error, attempt, self.network_retries, delay)
                await asyncio.sleep(delay)


def _refusal(error: BadRequest) -> str | None:
    """'parse' or 'long' when Telegram refused the message's HTML or its length; None for other refusals."""
    why = str(error).lower()
    if "can't parse entities" in why or "can't find end tag" in why or "unsupported start tag" in why:
        return "parse"
    if "message is too long" in why or "message_too_long" in why:
        return "long"
    return None


async def send_html(
    bot: Bot,
    chat_id: int,
    text: str,
    reply_to: int | None = None,
    keyboard: InlineKeyboardMarkup | None = None,
) -> list[Message]:
    """Send one HTML message; if Telegram refuses the HTML or the length, send the same words as plain text.

    The first message replies to `reply_to` (if that message still exists), the keyboard goes under the last.
    """
    reply = ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to else None
    try:
        return [await bot.send_message(chat_id, text, parse_mode=ParseMode.HTML, reply_parameters=reply, reply_markup=keyboard)]
    except BadRequest as error:
        refusal = _refusal(error)
        if refusal is None:
            raise
        logger.warning("Telegram refused a message (%s); sending it as plain text", error)
    plain = visible_text(text)
    budget = MESSAGE_LIMIT // 2 if refusal == "long" else MESSAGE_LIMIT
    pieces = [plain[start:end] for start, end in text_pieces(plain, budget)] or [plain]
    sent = []
    for number, piece in enumerate(pieces, start=1):
        sent.append(
            await bot.send_message(
                chat_id,
                piece,
                reply_parameters=reply if number == 1 else None,
                reply_markup=keyboard if number == len(pieces) else None,
            )
        )
    return sent


async def reply_plain(bot: Bot, message: Message, text: str) -> Message:
    """A short plain-text reply to a user's message (still sent if they deleted it meanwhile)."""
    reply = ReplyParameters(message.message_id, allow_sending_without_reply=True)
    return await bot.send_message(message.chat_id, text, reply_parameters=reply)


async def send_messages(
    bot: Bot,
    chat_id: int,
    texts: Sequence[str],
    reply_to: int | None = None,
    keyboard: InlineKeyboardMarkup | None = None,
) -> list[Message]:
    """Send an answer made of several HTML messages: the first replies to the question, the last has the buttons."""
    sent: list[Message] = []
    for number, text in enumerate(texts, start=1):
        last = number == len(texts)
        sent += await send_html(bot, chat_id, text, reply_to if number == 1 else None, keyboard if last else None)
    return sent


@contextlib.asynccontextmanager
async def typing(chat: Chat, quiet: Callable[[], bool] = lambda: False) -> AsyncIterator[None]:
    """Show "typing…" in the chat until the block ends, except while `quiet()` says the chat was told to wait."""

    async def keep_typing() -> None:
        while True:
            if quiet():
                await asyncio.sleep(QUIET_CHECK)
                continue
            with contextlib.suppress(TelegramError):
                await chat.send_action(ChatAction.TYPING)
            await asyncio.sleep(TYPING_REFRESH)

    task = asyncio.create_task(keep_typing())
    try:
        yield
    finally:
        task.cancel()
