"""Dates as news pages write them ("Jun 24, 2024, 01:59 AM EDT", "2024-06-24T05:59:00Z")."""

from __future__ import annotations

import datetime as dt
import re

from dateutil import parser as date_parser

# Short lines that look like a date: a month name or a numeric date, plus a year.
_MONTHS = r"jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec"
_DATE_HINT = re.compile(
    rf"(\b({_MONTHS})[a-z]*\.?\s+\d{{1,2}}\b.*\b(19|20)\d\d\b)"
    rf"|(\b\d{{1,2}}\s+({_MONTHS})[a-z]*\.?,?\s+(19|20)\d\d\b)"
    r"|(\b(19|20)\d\d-\d\d-\d\d\b)"
    r"|(\b\d{1,2}/\d{1,2}/(19|20)\d\d\b)",
    re.IGNORECASE,
)
# US zone names dateutil does not know; only used to parse, the date itself is kept.
_TZINFOS = {name: None for name in ("EDT", "EST", "CDT", "CST", "MDT", "MST", "PDT", "PST", "BST", "CET", "CEST")}


def parse_date(text: str | None) -> dt.date | None:
    """The calendar date in `text`, or None when it holds no recognisable date."""
    if not text:
        return None
    text = text.strip()
    if not text or not _DATE_HINT.search(text):
        return None
    try:
        return date_parser.parse(text, fuzzy=True, tzinfos=_TZINFOS).date()
    except (ValueError, OverflowError):
        return None


def is_date_line(line: str) -> bool:
    """True for a short line that is nothing but a date (a dateline under a headline)."""
    stripped = line.strip()
    if len(stripped) > 60 or not _DATE_HINT.search(stripped):
        return False
    # Prose that mentions a date has many words; a dateline has few.
    return len(re.findall(r"[A-Za-z]{4,}", stripped)) <= 3 and parse_date(stripped) is not None
