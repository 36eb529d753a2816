"""The Telegram bot's settings in one typed place: read once from flags and the environment, then passed down."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from embeddings import DEFAULT_TOP_K

DEFAULT_API_BASE_URL = "https://api.telegram.org"
API_BASE_URL_FORMS = "the server root (https://api.telegram.org, http://127.0.0.1:8081) or that root followed by /bot"
DEFAULT_QUESTIONS_PER_MINUTE = 10
SOURCE_PAGES = 3  # "More sources" pages through up to this many pages of sources
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


class ConfigError(ValueError):
    """A setting is missing or malformed; the message says which and how to fix it."""


@dataclass(frozen=True)
class TelegramConfig:
    """How the bot talks to Telegram and whom it serves.

    `allowed_ids` holds user and chat ids; empty means everyone may ask. `admin_ids` are the users who may
    `/reload`. `webhook_url` set means webhook mode (listening on `listen`:`port`), otherwise long polling.
    """

    token: str
    feedback_file: Path
    answers_file: Path | None = None  # the answers behind buttons; None: answers.sqlite3 beside the feedback file
    api_base_url: str = DEFAULT_API_BASE_URL
    allowed_ids: frozenset[int] = frozenset()
    admin_ids: frozenset[int] = frozenset()
    questions_per_minute: int = DEFAULT_QUESTIONS_PER_MINUTE
    sources_per_page: int = DEFAULT_TOP_K  # the engine's default number of sources
    webhook_url: str | None = None
    listen: str = "127.0.0.1"
    port: int = 8443
    secret: str | None = None

    @property
    def answers_path(self) -> Path:
        """Where the answers behind buttons are kept: `answers_file`, else answers.sqlite3 beside the feedback file."""
        return self.answers_file or self.feedback_file.parent / "answers.sqlite3"

    @property
    def max_sources(self) -> int:
        """How many sources to ask the engine for, so "More sources" has some to show."""
        return self.sources_per_page * SOURCE_PAGES

    def __repr__(self) -> str:  # never show the token or the webhook secret, even in a traceback
        return f"TelegramConfig(api_base_url={self.api_base_url!r}, webhook_url={self.webhook_url!r}, ...)"


def parse_ids(text: str | None, name: str) -> frozenset[int]:
    """'123, -100456 789' as a set of Telegram ids (users are positive, groups negative)."""
    ids: set[int] = set()
    for part in re.split(r"[\s,;]+", text or ""):
        if not part:
            continue
        try:
            ids.add(int(part))
        except ValueError:
            raise ConfigError(f"{name} must list numeric Telegram ids separated by commas, not {part!r}") from None
    return frozenset(ids)


def api_base_url_root(url: str) -> str:
    """The Bot API server's root from --api-base-url: the root itself or python-telegram-bot's `<root>/bot` form.

    'http://127.0.0.1:8081/bot/' -> 'http://127.0.0.1:8081'; the bot adds /bot<token>/ and /file/bot<token>/ itself.
    """
    parts = urlsplit(url.strip())
    if parts.scheme not in ("https", "http") or not parts.netloc or parts.query or parts.fragment:
        raise ConfigError(f"--api-base-url (TELEGRAM_API_BASE_URL) must be {API_BASE_URL_FORMS}")
    path = parts.path.rstrip("/").removesuffix("/bot").rstrip("/")
    return f"{parts.scheme}://{parts.netloc}{path}"


def load_config(
    env: Mapping[str, str],
    index: Path,
    *,
    api_base_url: str | None = None,
    feedback: str | None = None,
    answers: str | None = None,
    questions_per_minute: int | None = None,
    sources_per_page: int | None = None,
    webhook_url: str | None = None,
    listen: str | None = None,
    port: int | None = None,
    secret: str | None = None,
) -> TelegramConfig:
    """Flags first, then the environment, then defaults. Raises ConfigError with a fix.

    The environment: TELEGRAM_BOT_TOKEN, TELEGRAM_API_BASE_URL, TELEGRAM_ALLOWED_IDS, TELEGRAM_ADMIN_IDS,
    TELEGRAM_QUESTIONS_PER_MINUTE, TELEGRAM_WEBHOOK_URL, TELEGRAM_WEBHOOK_SECRET, and NEWSQA_FEEDBACK (the feedback
    file; default feedback.jsonl beside the index) and NEWSQA_ANSWERS (the answers behind buttons; default
    answers.sqlite3 beside the feedback file).
    """
    token = env.get("TELEGRAM_BOT_TOKEN", "").strip()
    if not token:
        raise ConfigError("set TELEGRAM_BOT_TOKEN to the token @BotFather gave you (see docs/telegram.md)")
    limit = questions_per_minute if questions_per_minute is not None else env.get("TELEGRAM_QUESTIONS_PER_MINUTE")
    try:
        limit = int(limit) if limit not in (None, "") else DEFAULT_QUESTIONS_PER_MINUTE
    except ValueError:
        raise ConfigError(f"TELEGRAM_QUESTIONS_PER_MINUTE must be a number, not {limit!r}") from None
    if limit < 1:
        raise ConfigError("the questions-per-minute limit must be at least 1")
    webhook_url = webhook_url or env.get("TELEGRAM_WEBHOOK_URL") or None
    secret = secret or env.get("TELEGRAM_WEBHOOK_SECRET") or None
    if secret is not None and not _SECRET.fullmatch(secret):
        raise ConfigError("the webhook secret must be 1-256 characters from A-Z, a-z, 0-9, _ and -")
    if webhook_url and not webhook_url.startswith(("https://", "http://")):
        raise ConfigError(f"--webhook-url must be an http(s) address, not {webhook_url!r}")
    feedback_file = feedback or env.get("NEWSQA_FEEDBACK") or str(index.resolve().parent / "feedback.jsonl")
    answers_file = answers or env.get("NEWSQA_ANSWERS") or None
    return TelegramConfig(
        token=token,
        feedback_file=Path(feedback_file),
        answers_file=Path(answers_file) if answers_file else None,
        api_base_url=api_base_url_root(api_base_url or env.get("TELEGRAM_API_BASE_URL") or DEFAULT_API_BASE_URL),
        allowed_ids=parse_ids(env.get("TELEGRAM_ALLOWED_IDS"), "TELEGRAM_ALLOWED_IDS"),
        admin_ids=parse_ids(env.get("TELEGRAM_ADMIN_IDS"), "TELEGRAM_ADMIN_IDS"),
        questions_per_minute=limit,
        sources_per_page=sources_per_page or DEFAULT_TOP_K,
        webhook_url=webhook_url,
        listen=listen or "127.0.0.1",
        port=port or 8443,
        secret=secret,
    )


def from_environment(index: Path, **flags: object) -> TelegramConfig:
    """load_config() over this process's environment."""
    return load_config(os.environ, index, **flags)  # type: ignore[arg-type]
