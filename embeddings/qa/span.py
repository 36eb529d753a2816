"""The answer span inside the answering sentence, for the question types where a pattern finds it reliably.

A "when / what year" question wants a date, "how many / how much" a quantity, "what percentage" a percentage.
The span is returned only when the sentence holds exactly one candidate of that type that the question does not
already mention; otherwise the caller shows the whole sentence. "Who" and "where" questions get no span: without
a named-entity model the candidates (every capitalised phrase) are too many to pick from reliably, and the
measured precision did not earn one (docs/quality.md). `whole_words` widens a span read in word pieces (the span
head's) to the words it cuts.
"""

from __future__ import annotations

import re

_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan\.|Feb\.|Aug\.|Sept?\.|Oct\.|Nov\.|Dec\.)"
)
_YEAR = r"(?:1[0-9]{3}|20[0-9]{2})"
DATE = re.compile(
    rf"\b(?:{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+{_YEAR}|\d{{1,2}}\s+{_MONTH}\s+{_YEAR}|{_MONTH}\s+{_YEAR}"
    rf"|{_YEAR}s?(?:\s*(?:–|-|to)\s*{_YEAR})?|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?)\b"
    r"|\b(?:the\s+)?(?:early\s+|late\s+|mid-)?\d{1,2}(?:st|nd|rd|th)\s+century\b",
)
_NUMBER_WORD = (
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty"
    r"|hundred|thousand|dozen)"
)
QUANTITY = re.compile(
    rf"(?:[$£€]\s?)?\b(?:\d[\d,]*(?:\.\d+)?|{_NUMBER_WORD}(?:[- ]{_NUMBER_WORD})*)\b"
    r"(?:\s?(?:%|percent|million|billion|trillion))?",
    re.IGNORECASE,
)
PERCENT = re.compile(r"\b\d[\d,]*(?:\.\d+)?\s?(?:%|percent\b)", re.IGNORECASE)

_ASKS_DATE = re.compile(r"^\s*(?:when\b|(?:in |during )?(?:what|which) (?:year|date|decade|century|month|day)\b)", re.I)
_ASKS_PERCENT = re.compile(r"\b(?:what|which) (?:percentage|percent|share|proportion)\b", re.I)
_ASKS_QUANTITY = re.compile(r"\bhow (?:many|much)\b", re.I)


def question_type(question: str) -> str | None:
    """ "date", "percent", "quantity", or None when no pattern answers this kind of question."""
    if _ASKS_PERCENT.search(question):
        return "percent"
    if _ASKS_DATE.search(question):
        return "date"
    if _ASKS_QUANTITY.search(question):
        return "quantity"
    return None


_PATTERNS = {"date": DATE, "percent": PERCENT, "quantity": QUANTITY}


def answer_span(question: str, sentence: str) -> tuple[int, int] | None:
    """(start, end) of the answer inside `sentence`, or None when not sure (then the whole sentence is the answer)."""
    kind = question_type(question)
    if kind is None:
        return None
    asked = question.lower()
    candidates = [
        match.span()
        for match in _PATTERNS[kind].finditer(sentence)
        if match.group().strip() and match.group().lower().strip() not in asked
    ]
    if len(candidates) != 1:
        return None
    return candidates[0]


def whole_words(text: str, start: int, end: int) -> tuple[int, int]:
    """start..end widened to whole words, a hyphenated word whole ("28-year" -> "28-year-old")."""

    def inside(k: int) -> bool:  # is text[k] part of the word that touches it?
        return text[k].isalnum() or (text[k] == "-" and 0 < k < len(text) - 1 and text[k - 1].isalnum() and text[k + 1].isalnum())

    while start > 0 and inside(start - 1):
        start -= 1
    while end < len(text) and inside(end):
        end += 1
    return start, end
