"""Closing calendar, due dates and the registration-number check digit (pure functions)."""

from __future__ import annotations

from datetime import date

import pytest

from billing import terms

WEEKDAYS = lambda day: day.weekday() < 5  # noqa: E731
EVERY_DAY = lambda day: True  # noqa: E731


@pytest.mark.parametrize(
    ("closing_day", "year", "month", "expected"),
    [
        (31, 2026, 11, date(2026, 11, 30)),  # 30-day month
        (31, 2026, 12, date(2026, 12, 31)),
        (31, 2027, 2, date(2027, 2, 28)),  # February
        (31, 2028, 2, date(2028, 2, 29)),  # leap year
        (31, 2100, 2, date(2100, 2, 28)),  # century, not a leap year
        (28, 2027, 2, date(2027, 2, 28)),
        (28, 2028, 2, date(2028, 2, 28)),  # the 28th is not month end in a leap February
        (20, 2026, 11, date(2026, 11, 20)),
    ],
)
def test_nominal_closing_date(closing_day, year, month, expected):
    assert terms.nominal_closing_date(closing_day=closing_day, year=year, month=month) == expected


@pytest.mark.parametrize("bad", [0, 29, 30, 32])
def test_closing_day_must_be_1_to_28_or_31(bad):
    with pytest.raises(ValueError):
        terms.nominal_closing_date(closing_day=bad, year=2026, month=1)


def test_february_closes_month_end_and_28th_together_but_not_in_a_leap_year():
    rule = terms.HolidayRule.BEFORE
    assert terms.closings_on(run_date=date(2027, 2, 28), is_business_day=EVERY_DAY, rule=rule) == {
        28: date(2027, 2, 28),
        31: date(2027, 2, 28),
    }
    assert terms.closings_on(run_date=date(2028, 2, 28), is_business_day=EVERY_DAY, rule=rule) == {
        28: date(2028, 2, 28)
    }
    assert terms.closings_on(run_date=date(2028, 2, 29), is_business_day=EVERY_DAY, rule=rule) == {
        31: date(2028, 2, 29)
    }


def test_a_30_day_month_closes_month_end_on_the_30th_and_nothing_on_the_31st():
    assert terms.closings_on(run_date=date(2026, 11, 30), is_business_day=EVERY_DAY, rule="before") == {
        31: date(2026, 11, 30)
    }
    assert terms.closings_on(run_date=date(2026, 12, 30), is_business_day=EVERY_DAY, rule="before") == {}


def test_month_end_on_a_sunday_closes_on_friday_before_or_monday_after():
    # 2027-01-31 is a Sunday.
    assert terms.closings_on(run_date=date(2027, 1, 29), is_business_day=WEEKDAYS, rule="before") == {
        31: date(2027, 1, 31)
    }
    after = terms.closings_on(run_date=date(2027, 2, 1), is_business_day=WEEKDAYS, rule="after")
    assert after == {31: date(2027, 1, 31), 1: date(2027, 2, 1)}
    assert terms.closings_on(run_date=date(2027, 1, 31), is_business_day=WEEKDAYS, rule="before") == {}


def test_a_holiday_closing_day_moves_by_the_setting():
    holiday = date(2026, 11, 23)  # 勤労感謝の日, a Monday
    open_day = lambda day: WEEKDAYS(day) and day != holiday  # noqa: E731
    # 23rd before: back over the weekend to Friday the 20th, which closes 20 and 23 together.
    assert terms.closings_on(run_date=date(2026, 11, 20), is_business_day=open_day, rule="before") == {
        20: date(2026, 11, 20),
        21: date(2026, 11, 21),
        22: date(2026, 11, 22),
        23: date(2026, 11, 23),
    }
    assert terms.closings_on(run_date=date(2026, 11, 24), is_business_day=open_day, rule="after") == {
        21: date(2026, 11, 21),
        22: date(2026, 11, 22),
        23: date(2026, 11, 23),
        24: date(2026, 11, 24),
    }
    assert terms.closings_on(run_date=date(2026, 11, 23), is_business_day=open_day, rule="after") == {}


def test_day_1_on_a_holiday_with_before_closes_in_the_previous_month():
    # 2026-11-01 is a Sunday: with "before" it closes on Friday 2026-10-30.
    due = terms.closings_on(run_date=date(2026, 10, 30), is_business_day=WEEKDAYS, rule="before")
    assert due[1] == date(2026, 11, 1)


@pytest.mark.parametrize(
    ("closing", "kind", "days", "expected"),
    [
        (date(2026, 11, 30), "days", 30, date(2026, 12, 30)),
        (date(2026, 11, 20), "days", 0, date(2026, 11, 20)),
        (date(2026, 11, 30), "next_month_end", 0, date(2026, 12, 31)),  # 翌月末
        (date(2027, 1, 31), "next_month_end", 0, date(2027, 2, 28)),
        (date(2028, 1, 31), "next_month_end", 0, date(2028, 2, 29)),  # leap year
        (date(2026, 12, 31), "month_after_next_end", 0, date(2027, 2, 28)),  # 翌々月末, across the year
        (date(2026, 11, 20), "month_after_next_end", 0, date(2027, 1, 31)),
    ],
)
def test_due_date(closing, kind, days, expected):
    assert terms.due_date(closing_date=closing, terms=kind, days=days) == expected


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("T7000012050002", True),  # 国税庁
        ("T7000012050003", False),  # last digit changed
        ("T8000012050002", False),  # check digit changed
        ("T1234567890123", False),
        ("7000012050002", False),  # no T
        ("T700001205000", False),  # 12 digits
        ("T70000120500０2", False),  # full-width digit
    ],
)
def test_registration_number_check_digit(number, valid):
    assert terms.is_valid_registration_number(number) is valid


def test_check_digit_formula():
    assert terms.registration_check_digit("000012050002") == 7
