"""Date expressions in answers, resolved against the article's publication date.

News is written relative to the day it appears: "last week", "on Sunday", "earlier this month", "two days ago",
"June 12". An answer that says only "last week" is useless to a reader who does not know when the article ran,
so the bot shows what the expression means: "last week" in an article dated Jun 24, 2024 is the week of
Jun 17, 2024. Absolute dates ("June 12, 2022", "2019") are found too, so a "when" answer is read the same way
whether the article wrote the date out or not.

The rules follow news usage: a bare weekday is the most recent such day on or before the publication date, weeks
are ISO weeks (Monday to Sunday), and a month and day without a year is in the article's year unless that would
put it more than two months after the article, in which case it is the year before.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass

from dateutil.relativedelta import FR, MO, SA, SU, TH, TU, WE, relativedelta

from embeddings.qa.results import AnswerDate

_MONTHS = ("january", "february", "march", "april", "may", "june")
_MONTHS += ("july", "august", "september", "october", "november", "december")
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAY_RULES = (MO, TU, WE, TH, FR, SA, SU)
_NUMBERS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve")

# Full month names, then abbreviations ("Jan.", "Sept", "Sep.") — full names first so "June" is not read as "Jun".
# Matching ignores case except for "May", so the verb in "shares may 12 percent" is not a month.
_MONTH_NAMES = "|".join(name for name in _MONTHS if name != "may") + "|(?-i:May|MAY)"
_MONTH = rf"(?P<month>{_MONTH_NAMES}|(?:jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)\b\.?)"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?\b"
# A year is four digits in 1900-2099 standing alone: not "$2019", "2019%", "1990s", "FY2019", nor part of "3,2019.5".
_YEAR = r"(?<![\w$£€])(?<!\d[,.])(?P<year>(?:19|20)\d{2})(?![\w%]|[.,]\d)"
_UNIT = r"(?P<unit>day|week|month|year)"

Resolution = tuple[datetime.date, datetime.date, str]  # first, last, granularity


def format_day(day: datetime.date) -> str:
    """A date the way answers show it: "Jun 24, 2024"."""
    return f"{day:%b} {day.day}, {day.year}"


@dataclass(frozen=True)
class ResolvedDate:
    text: str  # the expression as written, e.g. "last week"
    start: int  # its character range in the text searched
    end: int
    first: datetime.date  # the earliest day it can mean
    last: datetime.date  # the latest day it can mean (== first for one day)
    granularity: str  # "day", "week", "month", "year"

    def describe(self) -> str:
        """Human words for what it resolved to: "Jun 17, 2024", "the week of Jun 17, 2024", "June 2024", "2023"."""
        if self.granularity == "week":
            return f"the week of {format_day(self.first)}"
        if self.granularity == "month":
            return f"{self.first:%B} {self.first.year}"
        if self.granularity == "year":
            return str(self.first.year)
        return format_day(self.first)


def _period(unit: str, day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The day, ISO week, month or year holding `day`."""
    if unit == "week":
        monday = day + relativedelta(weekday=MO(-1))
        return monday, monday + relativedelta(days=6)
    if unit == "month":
        return day + relativedelta(day=1), day + relativedelta(day=31)
    if unit == "year":
        return datetime.date(day.year, 1, 1), datetime.date(day.year, 12, 31)
    return day, day


def _shifted(unit: str, published: datetime.date, count: int) -> Resolution:
    """The whole period `count` units away from the one holding the publication date (negative: before it)."""
    first, last = _period(unit, published + relativedelta(**{unit + "s": count}))
    return first, last, unit


def _month_number(match: re.Match[str]) -> int:
    name = match["month"].lower().rstrip(".")
    return next(number for number, month in enumerate(_MONTHS, 1) if month.startswith(name))


def _full_date(match: re.Match[str], published: datetime.date) -> Resolution | None:
    try:
        day = datetime.date(int(match["year"]), _month_number(match), int(match["day"]))
    except ValueError:  # "February 30, 2022"
        return None
    return day, day, "day"


def _month_day(match: re.Match[str], published: datetime.date) -> Resolution | None:
    """A month and day ("June 12"): in the article's year, or the year before when that is over two months ahead."""
    month, day = _month_number(match), int(match["day"])
    for year in (published.year, published.year - 1):
        try:
            candidate = datetime.date(year, month, day)
        except ValueError:  # "February 30", or February 29 outside a leap year
            continue
        if candidate <= published + relativedelta(months=2):
            return candidate, candidate, "day"
    return None


def _month_year(match: re.Match[str], published: datetime.date) -> Resolution:
    first, last = _period("month", datetime.date(int(match["year"]), _month_number(match), 1))
    return first, last, "month"


def _year(match: re.Match[str], published: datetime.date) -> Resolution:
    first, last = _period("year", datetime.date(int(match["year"]), 1, 1))
    return first, last, "year"


def _near_day(match: re.Match[str], published: datetime.date) -> Resolution:
    return _shifted("day", published, {"yesterday": -1, "today": 0, "tomorrow": 1}[match["word"].lower()])


def _this_last_next(match: re.Match[str], published: datetime.date) -> Resolution:
    return _shifted(match["unit"].lower(), published, {"last": -1, "this": 0, "next": 1}[match["which"].lower()])


def _earlier_this(match: re.Match[str], published: datetime.date) -> Resolution:
    unit = match["unit"].lower()
    return _period(unit, published)[0], published, unit


def _ago(match: re.Match[str], published: datetime.date) -> Resolution:
    count = match["count"].lower()
    number = int(count) if count.isdigit() else 1 if count in ("a", "an") else _NUMBERS.index(count) + 1
    return _shifted(match["unit"].lower(), published, -number)


def _weekday(match: re.Match[str], published: datetime.date) -> Resolution:
    """Bare: on or before the article's date. "last": strictly before; "next": strictly after; "this": in its week."""
    rule = _WEEKDAY_RULES[_WEEKDAYS.index(match["weekday"].lower())]
    which = (match["which"] or "").lower()
    if which == "last":
        day = published + relativedelta(days=-1, weekday=rule(-1))
    elif which == "next":
        day = published + relativedelta(days=1, weekday=rule(+1))
    elif which == "this":
        day = _period("week", published)[0] + relativedelta(weekday=rule(+1))
    else:
        day = published + relativedelta(weekday=rule(-1))
    return day, day, "day"


_Handler = Callable[[re.Match[str], datetime.date], Resolution | None]
_PATTERNS: tuple[tuple[str, _Handler], ...] = (
    (rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}", _full_date),
    (rf"\b{_DAY}\s+{_MONTH}\s+{_YEAR}", _full_date),
    (rf"\b{_MONTH}\s+{_YEAR}", _month_year),
    # A month and day not followed by a year; one outside 1900-2099 ("June 12, 1850") leaves it unresolved.
    (rf"\b{_MONTH}\s+{_DAY}(?!,?\s*\d{{4}}\b)", _month_day),
    (_YEAR, _year),
    (r"\b(?P<word>yesterday|today|tomorrow)\b", _near_day),
    # "the last week" / "the next year" mean the seven days / twelve months around the date, not a calendar period.
    (rf"(?<!\bthe\s)\b(?P<which>this|last|next)\s+{_UNIT}\b", _this_last_next),
    (rf"\bearlier\s+this\s+{_UNIT}\b", _earlier_this),
    (rf"\b(?P<count>\d{{1,3}}|{'|'.join(_NUMBERS)}|an?)\s+{_UNIT}s?\s+ago\b", _ago),
    (rf"\b(?:(?P<which>last|next|this)\s+)?(?P<weekday>{'|'.join(_WEEKDAYS)})\b", _weekday),
)
_RULES = [(re.compile(pattern, re.IGNORECASE), handler) for pattern, handler in _PATTERNS]


def find_dates(text: str, published: datetime.date) -> list[ResolvedDate]:
    """Every date expression in `text` (relative or absolute) resolved against the article's date, in order.

    Where expressions overlap ("earlier this week" holds "this week", "June 12, 2022" holds "2022"), the one that
    starts first wins, then the longer.
    """
    candidates = []
    for pattern, handler in _RULES:
        for match in pattern.finditer(text):
            resolution = handler(match, published)
            if resolution is not None:
                candidates.append(ResolvedDate(match[0], match.start(), match.end(), *resolution))
    found: list[ResolvedDate] = []
    for candidate in sorted(candidates, key=lambda c: (c.start, -c.end)):
        if not found or candidate.start >= found[-1].end:
            found.append(candidate)
    return found


def resolve(expression: str, published: datetime.date) -> ResolvedDate | None:
    """The one date expression `expression` (e.g. the short answer itself), or None when it holds none."""
    found = find_dates(expression, published)
    return found[0] if found else None


_HAS_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


def relative_date(answer: str, article_date: str | None) -> AnswerDate | None:
    """The first date in `answer` that needs the article's date to be understood ("last week", "on Sunday", "June
    12"), resolved against it; None when the answer holds none, states its year, or the article is undated."""
    if not article_date:
        return None
    try:
        published = datetime.date.fromisoformat(article_date)
    except ValueError:
        return None
    for found in find_dates(answer, published):
        if not _HAS_YEAR.search(found.text):
            return AnswerDate(found.text, found.first.isoformat(), found.last.isoformat(), found.describe(), article_date)
    return None
