"""What the bot keeps between updates, typed: each chat's recent questions, and the shared services.

The answers behind buttons live on disk (bot.telegram.answers), so the buttons still work after a restart.

python-telegram-bot makes `context.chat_data` a ChatData per chat and `context.bot_data` one BotData
(CONTEXT_TYPES, given to the ApplicationBuilder), so handlers read attributes instead of string keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from telegram.ext import CallbackContext, ContextTypes, ExtBot

from bot.telegram.access import QuestionLimit
from bot.telegram.answers import AnswerStore
from bot.telegram.config import TelegramConfig
from bot.telegram.feedback import FeedbackStore
from bot.telegram.queued import ChatTyping
from bot.telegram.rebuild import Rebuilder, build_command
from bot.telegram.refresh import FeedSchedule
from bot.telegram.scheduler import Scheduler
from embeddings import Engine

HISTORY_KEPT = 5  # per chat: earlier questions, for follow-ups


@dataclass
class ChatData:
    """One chat's memory (`context.chat_data`): the earlier questions, for follow-ups."""

    history: list[str] = field(default_factory=list)

    def asked(self, question: str) -> None:
        """Note a question as context for the follow-ups after it (the last HISTORY_KEPT are kept)."""
        self.history.append(question)
        del self.history[:-HISTORY_KEPT]


@dataclass
class BotServices:
    """What the handlers share: the engine, the settings, the feedback file, the answers behind buttons, the limits, the
    rebuilds (one child process at a time) and the feeds followed."""

    engine: Engine
    config: TelegramConfig
    feedback: FeedbackStore
    limit: QuestionLimit
    answers: AnswerStore
    refused: set[int] = field(default_factory=set)  # users already told they may not ask
    rebuilder: Rebuilder = None  # type: ignore[assignment]  # None: one that runs `python -m embeddings build` (see __post_init__)
    feeds: FeedSchedule | None = None  # the feeds the bot follows (--feeds, --refresh-minutes), if any
    scheduler: Scheduler = field(default_factory=Scheduler)  # questions take fair turns at the engine
    typing: ChatTyping = field(default_factory=ChatTyping)  # one "typing…" per chat, however many questions wait

    def __post_init__(self) -> None:
        if self.rebuilder is None:
            settings = self.engine.settings
            self.rebuilder = Rebuilder(self.engine, build_command(settings))


class BotData:
    """The bot's shared data (`context.bot_data`): the services, set by build_application() before the bot starts."""

    services: BotServices


class BotContext(CallbackContext[ExtBot, dict, ChatData, BotData]):
    """The context every handler gets: `chat_data` is a ChatData, `bot_data` a BotData."""

    @property
    def services(self) -> BotServices:
        return self.bot_data.services


CONTEXT_TYPES = ContextTypes(context=BotContext, chat_data=ChatData, bot_data=BotData)
