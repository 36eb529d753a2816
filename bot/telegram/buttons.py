"""The inline buttons under answers, "More sources (n)" and 👍/👎, and their callback data.

Telegram limits callback data to 64 bytes, so a button carries a short key to the answer (kept by the bot for
the chat's recent answers) plus what to do: `more:<key>:<first source to show>` or `vote:<key>:up|down`.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.messages import words

MORE_PATTERN = r"^more:[\w-]+:\d+$"
VOTE_PATTERN = r"^vote:[\w-]+:(up|down)$"
Row = Sequence[InlineKeyboardButton]


def new_key() -> str:
    """A short random key for an answer: 8 characters, unguessable, unlike a counter reset by a restart."""
    return secrets.token_urlsafe(6)


def parse(data: str) -> tuple[str, str]:
    """(key, argument) of a button's callback data."""
    _, key, argument = data.split(":")
    return key, argument


def more_row(key: str, total: int, start: int, language: str = "en") -> list[InlineKeyboardButton]:
    """A "More sources" button for sources `start` onwards, if there are any (labelled in the answer's language)."""
    left = total - start
    label = words(language).more_sources.format(count=left)
    return [InlineKeyboardButton(label, callback_data=f"more:{key}:{start}")] if left > 0 else []


def vote_row(key: str, chosen: str | None = None) -> list[InlineKeyboardButton]:
    """👍 and 👎, the chosen one ticked."""
    return [
        InlineKeyboardButton("👍" + (" ✓" if chosen == "up" else ""), callback_data=f"vote:{key}:up"),
        InlineKeyboardButton("👎" + (" ✓" if chosen == "down" else ""), callback_data=f"vote:{key}:down"),
    ]


def keyboard(*rows: Row) -> InlineKeyboardMarkup | None:
    """The non-empty rows as an inline keyboard, or None when there is nothing to press."""
    kept = tuple(row for row in rows if row)
    return InlineKeyboardMarkup(kept) if kept else None


def _is_more(button: InlineKeyboardButton) -> bool:
    return isinstance(button.callback_data, str) and button.callback_data.startswith("more:")


def _rows(markup: InlineKeyboardMarkup | None) -> tuple[Row, ...]:
    return tuple(markup.inline_keyboard) if markup else ()


def without_more(markup: InlineKeyboardMarkup | None) -> InlineKeyboardMarkup | None:
    """The keyboard minus its "More sources" button, once that page has been sent."""
    return keyboard(*([button for button in row if not _is_more(button)] for row in _rows(markup)))


def with_vote(markup: InlineKeyboardMarkup | None, key: str, vote: str) -> InlineKeyboardMarkup | None:
    """The keyboard with `vote` ticked, keeping a "More sources" button that is still there."""
    more = [button for row in _rows(markup) for button in row if _is_more(button)]
    return keyboard(more, vote_row(key, vote))
