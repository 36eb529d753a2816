"""What admins (TELEGRAM_ADMIN_IDS) do: /reload the index, /add an article by its address or by sending a file.

Each saves into the corpus first (embeddings.feeds), then rebuilds through the one rebuild path (rebuild.py): a child
process, so answers to other chats keep flowing; the admin's status message turns into what was indexed, or why not.
Everyone else gets a polite refusal.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import Message, Update
from telegram.error import TelegramError

from bot.render import display_date
from bot.telegram.handlers import ADMINS_ONLY
from bot.telegram.html import MESSAGE_LIMIT, plural
from bot.telegram.rebuild import RebuildFailed, Rebuilt
from bot.telegram.state import BotContext
from embeddings.feeds.fetch import UPLOAD_SUFFIXES, Added, add_page, save_upload
from embeddings.feeds.web import FetchError, PoliteClient
from embeddings.ingest.parsing import UnreadableFile

logger = logging.getLogger(__name__)

ADD_ADMINS_ONLY = "Sorry, only the bot's admins can add articles. You can still ask me about the ones I have."
ADD_USAGE = (
    "Send /add and an article's address, e.g. /add https://www.example.com/news/story, "
    "or send me the article as an .html, .txt or .md file."
)
MAX_UPLOAD_BYTES = 2_000_000
RELOADING = "Rebuilding the index from the corpus…"
RELOAD_QUEUED = "A reload is already running; I'll rebuild once more when it ends."
STILL_OLD = "still answering from the old index"


def _is_admin(update: Update, context: BotContext) -> bool:
    return update.effective_user is not None and update.effective_user.id in context.services.config.admin_ids


async def reload_index(update: Update, context: BotContext) -> None:
    """An admin sees "Rebuilding…" turn into the build summary (or why it failed); others, that /reload is for admins."""
    if not _is_admin(update, context):
        await update.message.reply_text(ADMINS_ONLY)
        return
    rebuilder = context.services.rebuilder
    status = await update.message.reply_text(RELOAD_QUEUED if rebuilder.running else RELOADING)
    try:
        rebuilt = await rebuilder.rebuild()
    except RebuildFailed as error:
        logger.error("Reload asked by %s failed: %s", update.effective_user.id, error)
        await status.edit_text(f"Reload failed; {STILL_OLD}. {error}"[: MESSAGE_LIMIT // 2])
        return
    logger.info("Reloaded the index: %s", rebuilt.output.replace("\n", "; "))
    await status.edit_text(f"Reloaded. {rebuilt.output}"[: MESSAGE_LIMIT // 2])  # many skipped files make it long


def _indexed_text(added: Added) -> str:
    when = display_date(added.date.isoformat()) if added.date else "undated"
    return f"Indexed “{added.title}” ({when}): {plural(added.passages, 'passage')}. You can ask about it now."


async def _index(status: Message, context: BotContext, added: Added) -> None:
    """Rebuild with the saved article and tell the admin what was indexed, or that indexing failed."""
    await status.edit_text(f"Saved “{added.title}” as {added.file}; indexing…")
    try:
        rebuilt: Rebuilt = await context.services.rebuilder.rebuild()
    except RebuildFailed as error:
        logger.error("Indexing %s failed: %s", added.file, error)
        await status.edit_text(f"Saved {added.file}, but indexing failed ({STILL_OLD}): {error}"[: MESSAGE_LIMIT // 2])
        return
    logger.info("Added %s and rebuilt in %.1f s", added.file, rebuilt.seconds)
    await status.edit_text(_indexed_text(added))


def _fetch_page(url: str, context: BotContext) -> Added:
    with PoliteClient() as client:
        return add_page(url, context.services.engine.settings.corpus, client)


async def add_article(update: Update, context: BotContext) -> None:
    """/add URL: the admin sees "Fetching…" turn into the indexed article's title, date and passages, or why not."""
    if not _is_admin(update, context):
        await update.message.reply_text(ADD_ADMINS_ONLY)
        return
    if len(context.args or []) != 1:
        await update.message.reply_text(ADD_USAGE)
        return
    url = context.args[0]
    status = await update.message.reply_text(f"Fetching {url}…")
    try:
        added = await asyncio.to_thread(_fetch_page, url, context)
    except FetchError as error:
        logger.info("/add %s refused: %s", url, error)
        await status.edit_text(f"Could not add {url}: {error}"[: MESSAGE_LIMIT // 2])
        return
    await _index(status, context, added)


async def add_document(update: Update, context: BotContext) -> None:
    """A file sent to the bot: an admin's .html/.txt/.md article is saved and indexed; anything else is refused, saying why."""
    message = update.message
    if not _is_admin(update, context):
        await message.reply_text(ADD_ADMINS_ONLY)
        return
    document = message.document
    name = document.file_name or "unnamed file"
    if not name.lower().endswith(UPLOAD_SUFFIXES):
        await message.reply_text(f"I can't add {name}: only .html, .txt and .md files are articles I can read.")
        return
    if (document.file_size or 0) > MAX_UPLOAD_BYTES:
        await message.reply_text(f"I can't add {name}: it is larger than {MAX_UPLOAD_BYTES // 1_000_000} MB.")
        return
    status = await message.reply_text(f"Reading {name}…")
    try:
        data = bytes(await (await document.get_file()).download_as_bytearray())
        if len(data) > MAX_UPLOAD_BYTES:
            raise UnreadableFile(f"{name}: larger than {MAX_UPLOAD_BYTES // 1_000_000} MB")
        added = await asyncio.to_thread(save_upload, name, data, context.services.engine.settings.corpus)
    except TelegramError as error:
        await status.edit_text(f"I couldn't download {name} from Telegram ({error}). Please send it again.")
        return
    except UnreadableFile as error:
        logger.info("Upload %s refused: %s", name, error)
        await status.edit_text(f"I can't add {name}: {str(error).removeprefix(name + ': ')}"[: MESSAGE_LIMIT // 2])
        return
    await _index(status, context, added)
