"""Date expressions in news resolve against the article's publication date, the way a reader of that day meant them."""

from __future__ import annotations

from datetime import date

import pytest

from embeddings.qa.dates import ResolvedDate, find_dates, resolve

MONDAY = date(2024, 6, 24)  # the article is dated Monday, Jun 24, 2024 (ISO week of Jun 24 - Jun 30)
WEDNESDAY = date(2024, 6, 26)
SUNDAY = date(2024, 6, 23)
JAN_2 = date(2024, 1, 2)  # a Tuesday, just after a year boundary


def span(expression: str, published: date) -> tuple[date, date]:
    found = resolve(expression, published)
    assert found is not None, expression
    return found.first, found.last


def day(expression: str, published: date) -> date:
    found = resolve(expression, published)
    assert found is not None, expression
    assert found.first == found.last and found.granularity == "day", found
    return found.first


# Weeks


def test_last_week_is_the_week_before_the_article() -> None:
    assert span("last week", WEDNESDAY) == (date(2024, 6, 17), date(2024, 6, 23))
    assert resolve("last week", WEDNESDAY).granularity == "week"


def test_this_week_is_the_monday_to_sunday_week_holding_the_date() -> None:
    assert span("this week", WEDNESDAY) == (date(2024, 6, 24), date(2024, 6, 30))
    assert span("this week", SUNDAY) == (date(2024, 6, 17), date(2024, 6, 23))


def test_next_week_is_the_week_after_the_article() -> None:
    assert span("next week", SUNDAY) == (date(2024, 6, 24), date(2024, 6, 30))


def test_earlier_this_week_runs_from_monday_to_the_article_date() -> None:
    assert span("earlier this week", WEDNESDAY) == (date(2024, 6, 24), WEDNESDAY)


def test_last_week_crosses_the_year_boundary() -> None:
    assert span("last week", JAN_2) == (date(2023, 12, 25), date(2023, 12, 31))


# Weekdays


def test_a_bare_weekday_is_the_most_recent_one_on_or_before_the_article() -> None:
    assert day("on Sunday", WEDNESDAY) == SUNDAY
    assert day("Tuesday", WEDNESDAY) == date(2024, 6, 25)
    assert day("Thursday", WEDNESDAY) == date(2024, 6, 20)


def test_a_bare_weekday_naming_the_article_day_is_that_same_day() -> None:
    assert day("on Sunday", SUNDAY) == SUNDAY
    assert day("Wednesday", WEDNESDAY) == WEDNESDAY


def test_last_weekday_is_strictly_before_the_article() -> None:
    assert day("last Sunday", SUNDAY) == date(2024, 6, 16)
    assert day("last Tuesday", WEDNESDAY) == date(2024, 6, 25)


def test_next_weekday_is_strictly_after_the_article() -> None:
    assert day("next Sunday", SUNDAY) == date(2024, 6, 30)
    assert day("next Monday", WEDNESDAY) == date(2024, 7, 1)


def test_this_weekday_is_that_day_of_the_articles_week() -> None:
    assert day("this Sunday", WEDNESDAY) == date(2024, 6, 30)
    assert day("this Monday", WEDNESDAY) == MONDAY


def test_a_weekday_before_a_january_article_falls_in_the_previous_year() -> None:
    assert day("on Friday", JAN_2) == date(2023, 12, 29)


# Days


@pytest.mark.parametrize(
    ("expression", "expected"),
    [("yesterday", date(2024, 6, 23)), ("today", MONDAY), ("tomorrow", date(2024, 6, 25)), ("Yesterday", date(2024, 6, 23))],
)
def test_yesterday_today_and_tomorrow_are_one_day_from_the_article(expression: str, expected: date) -> None:
    assert day(expression, MONDAY) == expected


def test_yesterday_in_a_new_year_article_is_the_previous_year() -> None:
    assert day("yesterday", date(2024, 1, 1)) == date(2023, 12, 31)


# Months and years


def test_this_last_and_next_month_are_whole_calendar_months() -> None:
    assert span("this month", MONDAY) == (date(2024, 6, 1), date(2024, 6, 30))
    assert span("last month", MONDAY) == (date(2024, 5, 1), date(2024, 5, 31))
    assert span("next month", MONDAY) == (date(2024, 7, 1), date(2024, 7, 31))


def test_last_month_in_a_january_article_is_december_of_the_previous_year() -> None:
    assert span("last month", JAN_2) == (date(2023, 12, 1), date(2023, 12, 31))


def test_last_month_from_the_31st_is_the_whole_previous_month() -> None:
    assert span("last month", date(2024, 3, 31)) == (date(2024, 2, 1), date(2024, 2, 29))


def test_this_last_and_next_year_are_whole_calendar_years() -> None:
    assert span("this year", MONDAY) == (date(2024, 1, 1), date(2024, 12, 31))
    assert span("last year", JAN_2) == (date(2023, 1, 1), date(2023, 12, 31))
    assert span("next year", MONDAY) == (date(2025, 1, 1), date(2025, 12, 31))


def test_earlier_this_month_and_year_run_from_the_start_of_the_period_to_the_article_date() -> None:
    assert span("earlier this month", MONDAY) == (date(2024, 6, 1), MONDAY)
    assert span("earlier this year", MONDAY) == (date(2024, 1, 1), MONDAY)
    assert resolve("earlier this month", MONDAY).granularity == "month"


def test_the_last_week_means_the_past_seven_days_and_is_not_resolved_to_a_calendar_week() -> None:
    assert find_dates("Prices rose in the last week.", MONDAY) == []


# N units ago


@pytest.mark.parametrize(
    ("expression", "first", "last"),
    [
        ("two days ago", date(2024, 6, 22), date(2024, 6, 22)),
        ("3 days ago", date(2024, 6, 21), date(2024, 6, 21)),
        ("two weeks ago", date(2024, 6, 10), date(2024, 6, 16)),
        ("three months ago", date(2024, 3, 1), date(2024, 3, 31)),
        ("twelve years ago", date(2012, 1, 1), date(2012, 12, 31)),
        ("a year ago", date(2023, 1, 1), date(2023, 12, 31)),
        ("one month ago", date(2023, 12, 1), date(2023, 12, 31)),
    ],
)
def test_n_units_ago_is_the_whole_period_that_many_units_before(expression: str, first: date, last: date) -> None:
    published = JAN_2 if expression == "one month ago" else MONDAY
    assert span(expression, published) == (first, last)


# Absolute dates


@pytest.mark.parametrize(
    "expression",
    ["June 12, 2022", "June 12 2022", "12 June 2022", "June 12th, 2022", "Jun. 12, 2022", "JUNE 12, 2022"],
)
def test_a_full_date_is_that_day_whatever_the_article_date(expression: str) -> None:
    assert day(expression, MONDAY) == date(2022, 6, 12)


def test_a_month_and_year_is_the_whole_month() -> None:
    assert span("June 2022", MONDAY) == (date(2022, 6, 1), date(2022, 6, 30))
    assert span("Sept. 2021", MONDAY) == (date(2021, 9, 1), date(2021, 9, 30))
    assert resolve("Feb 2024", MONDAY).last == date(2024, 2, 29)


def test_a_year_is_the_whole_year() -> None:
    found = resolve("in 2019", MONDAY)
    assert (found.text, found.first, found.last, found.granularity) == ("2019", date(2019, 1, 1), date(2019, 12, 31), "year")


def test_a_month_and_day_without_a_year_is_in_the_articles_year() -> None:
    assert day("June 12", MONDAY) == date(2024, 6, 12)
    assert day("Aug. 20", MONDAY) == date(2024, 8, 20)  # within two months after the article: still this year


def test_a_month_and_day_more_than_two_months_after_the_article_is_the_previous_year() -> None:
    assert day("December 28", JAN_2) == date(2023, 12, 28)
    assert day("Sept. 3", MONDAY) == date(2023, 9, 3)


@pytest.mark.parametrize("abbreviation", ["Jan.", "Feb.", "Mar.", "Apr.", "Aug.", "Sep.", "Sept.", "Oct.", "Nov.", "Dec.", "Jan"])
def test_month_abbreviations_are_read(abbreviation: str) -> None:
    assert resolve(f"{abbreviation} 5, 2020", MONDAY).first.year == 2020


def test_impossible_days_are_not_dates() -> None:
    assert resolve("February 30", MONDAY) is None
    assert resolve("February 29", date(2023, 6, 1)) is None  # no Feb 29 in 2023 or 2022


# Not dates


@pytest.mark.parametrize(
    "text",
    [
        "About 1,000 people attended.",
        "The deal was worth $2019.",
        "Turnout was 2019% of the estimate.",
        "A record 1850 entries and 2150 more.",
        "Revenue hit 3,2019.5 units.",
        "In FY2019 the firm grew.",
        "The 1990s were calmer.",
        "The pact was signed.",
        "Section 3 applies to 12 members.",
        "Sundays are quiet.",
        "Shares may 12 percent higher.",
    ],
)
def test_numbers_and_words_that_are_not_dates_are_not_matched(text: str) -> None:
    assert find_dates(text, MONDAY) == []


def test_a_month_and_day_followed_by_a_year_outside_range_is_not_guessed() -> None:
    assert find_dates("It was founded on June 12, 1850.", MONDAY) == []


# find_dates and resolve


def test_find_dates_returns_every_expression_in_order_with_its_position() -> None:
    text = "Talks began last week, stalled on Sunday and resumed earlier this week, after the June 12, 2022 accord."
    found = find_dates(text, MONDAY)
    assert [d.text for d in found] == ["last week", "Sunday", "earlier this week", "June 12, 2022"]
    assert all(text[d.start : d.end] == d.text for d in found)


def test_the_longest_expression_wins_where_they_overlap() -> None:
    assert [d.text for d in find_dates("earlier this week; 12 June 2022; last Sunday", MONDAY)] == [
        "earlier this week",
        "12 June 2022",
        "last Sunday",
    ]


def test_matching_ignores_case() -> None:
    assert span("LAST WEEK", WEDNESDAY) == span("last week", WEDNESDAY)
    assert day("MAY 12", MONDAY) == day("May 12", MONDAY) == date(2024, 5, 12)


def test_resolve_reads_a_short_answer() -> None:
    found = resolve("last week", date(2024, 6, 24))
    assert found == ResolvedDate("last week", 0, 9, date(2024, 6, 17), date(2024, 6, 23), "week")


def test_resolve_returns_none_for_an_answer_without_a_date() -> None:
    assert resolve("the pact", MONDAY) is None


# describe()


@pytest.mark.parametrize(
    ("expression", "words"),
    [
        ("yesterday", "Jun 23, 2024"),
        ("June 5", "Jun 5, 2024"),
        ("last week", "the week of Jun 17, 2024"),
        ("last month", "May 2024"),
        ("earlier this month", "June 2024"),
        ("last year", "2023"),
        ("in 2019", "2019"),
        ("September 2021", "September 2021"),
    ],
)
def test_describe_names_what_the_expression_resolved_to(expression: str, words: str) -> None:
    assert resolve(expression, MONDAY).describe() == words
