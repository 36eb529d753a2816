"""Follow-up questions: "and when was it signed?" means nothing alone; it borrows the previous question's words."""

from __future__ import annotations

import re
from collections.abc import Sequence

# A question that leans on the previous one: opening with "and", "what about"..., or naming something by a pronoun.
_FOLLOW_UP = re.compile(
    r"^(and|but|also|so|what about|how about|then)\b|\b(he|she|it|they|them|his|her|its|their|that|this|those|these)\b",
    re.IGNORECASE,
)


def is_follow_up(question: str) -> bool:
    return bool(_FOLLOW_UP.search(question))


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
