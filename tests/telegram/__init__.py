"""Tests of the Telegram front end (bot/telegram), against a fake Bot API on 127.0.0.1, and its load and latency tools."""
