"""Who may ask, how often, and which messages are meant for the bot.

The allow-list check, a per-user questions-per-minute limit, and the rules that tell a question to the bot from
chatter in a group: in private chats every text is a question; in groups only a mention or a reply to the bot.
"""

from __future__ import annotations

import re
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterable

from telegram import Bot, Message, MessageEntity
from telegram.constants import ChatType


def is_allowed(allowed_ids: frozenset[int], ids: Iterable[int | None]) -> bool:
    """True when there is no allow-list, or the user or the chat is on it."""
    return not allowed_ids or any(identifier in allowed_ids for identifier in ids if identifier is not None)


class QuestionLimit:
    """At most `per_minute` questions per user in any 60-second window."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self._clock = clock
        self._asked: defaultdict[int, deque[float]] = defaultdict(deque)

    def wait(self, user_id: int) -> float:
        """0 when the user may ask now (the question is counted), else the seconds until they may."""
        now = self._clock()
        asked = self._asked[user_id]
        while asked and now - asked[0] >= 60:
            asked.popleft()
        if len(asked) >= self.per_minute:
            return 60 - (now - asked[0])
        asked.append(now)
        return 0.0


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


def addressed_to_bot(message: Message, bot: Bot) -> bool:
    """True for any message the bot should react to: private, a command, a reply to the bot or a mention of it."""
    replied = message.reply_to_message
    return (
        message.chat.type == ChatType.PRIVATE
        or (message.text or "").startswith("/")
        or bool(replied and replied.from_user and replied.from_user.id == bot.id)
        or question_text(message, bot) is not None
    )
