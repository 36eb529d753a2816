"""The Telegram front end: `python -m bot telegram`.

Importing this package (or `bot.telegram.cli`, `bot.telegram.config`) does not import python-telegram-bot, so the
other commands of `python -m bot` start fast; `bot.telegram.app` does, when the bot really starts.
"""
