"""Front ends on the engine: the console, `ask`, and the Telegram bot; plus answer rendering."""
