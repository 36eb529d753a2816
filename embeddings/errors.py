"""One base class for every error a user can act on, so front ends catch one thing and show its message."""


class NewsQAError(Exception):
    """An error whose message tells the user what is wrong and what to do; front ends print it, not a traceback."""
