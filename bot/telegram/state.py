"""What the bot keeps between updates: each chat's recent answers and questions, and the services all handlers share."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from telegram.ext import Application, ContextTypes

from bot.telegram import buttons
from bot.telegram.access import QuestionLimit
from bot.telegram.config import TelegramConfig
from bot.telegram.feedback import FeedbackStore
from embeddings import Answer, Engine

ANSWERS_KEPT = 20  # per chat: the answers whose buttons still work
HISTORY_KEPT = 5  # per chat: earlier questions, for follow-ups


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


def remember(context: ContextTypes.DEFAULT_TYPE, answer: Answer, shown: int) -> str:
    """Keep the answer for its buttons; returns the key the buttons carry."""
    recent: OrderedDict[str, RecentAnswer] = context.chat_data.setdefault("answers", OrderedDict())
    key = buttons.new_key()
    recent[key] = RecentAnswer(answer, shown)
    while len(recent) > ANSWERS_KEPT:
        recent.popitem(last=False)
    return key


def recent(context: ContextTypes.DEFAULT_TYPE, key: str) -> RecentAnswer | None:
    return context.chat_data.get("answers", {}).get(key)
