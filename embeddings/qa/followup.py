"""Follow-up questions: "and when was it signed?" means nothing alone; it borrows the previous question's words."""

from __future__ import annotations

import re
from collections.abc import Sequence

# A question that leans on the previous one: opening with "and", "what about"..., or naming something by a pronoun.
_FOLLOW_UP = re.compile(
    r"^(and|but|also|so|what about|how about|then)\b|\b(he|she|it|they|them|his|her|its|their|that|this|those|these)\b",
    re.IGNORECASE,
)


# A question made only of these words ("where?", "and why?", "when was that?") names no topic of its own.
_NO_TOPIC = frozenset(
    "and but so then what who whom whose which when where why how much many long is are was were did does do has "
    "have had will would could can that this there else exactly about again".split()
)
_WORD = re.compile(r"[\w’']+")


def is_follow_up(question: str) -> bool:
    """Does the question lean on the previous one: an opening "and ...", a pronoun, or no topic word at all ("where?")."""
    return bool(_FOLLOW_UP.search(question)) or names_no_topic(question)


def names_no_topic(question: str) -> bool:
    """Is the question made of question words alone ("where?", "and when?", "how much?"): it asks for a kind of
    answer about the conversation's topic and says nothing the passages could match."""
    return all(word.lower() in _NO_TOPIC for word in _WORD.findall(question))


def with_context(question: str, history: Sequence[str]) -> str:
    """The text to retrieve with: a follow-up question is prefixed by the conversation's last self-contained question.

    Walking back past earlier follow-ups keeps the topic in a chain ("who signed the pact?" -> "and when?" ->
    "where was it?") without stacking every turn into the query.
    """
    if not history or not is_follow_up(question):
        return question
    for previous in reversed(history):
        previous = " ".join(previous.split())
        if previous and not is_follow_up(previous):
            return f"{previous} {question}"
    return f"{' '.join(history[-1].split())} {question}"
