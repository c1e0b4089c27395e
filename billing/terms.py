"""Billing calendar and terms (締め日・支払条件), and the registration-number check digit.

Pure functions: no ORM, no clock. The closing run (billing.services) passes in the holidays and
the setting; tests cover month ends, February, leap years and holiday shifts here.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from datetime import date, timedelta
from enum import StrEnum

_DIGITS_12 = re.compile(r"[0-9]{12}")
_REGISTRATION = re.compile(r"T[0-9]{13}")

MONTH_END = 31
"""closing_day 31 means the last day of the month (月末締め)."""


class PaymentTerms(StrEnum):
    """How the due date follows from the closing date (支払条件)."""

    DAYS = "days"  # closing date + N days
    NEXT_MONTH_END = "next_month_end"  # 翌月末
    MONTH_AFTER_NEXT_END = "month_after_next_end"  # 翌々月末


class HolidayRule(StrEnum):
    """What a closing day that falls on a holiday does (INVOICE_HOLIDAY_CLOSING)."""

    BEFORE = "before"  # close on the last business day before it
    AFTER = "after"  # close on the first business day after it


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _add_months(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def nominal_closing_date(*, closing_day: int, year: int, month: int) -> date:
    """The calendar closing date of ``closing_day`` in a month (31 = month end, 30 Nov, 28/29 Feb)."""
    if not (1 <= closing_day <= 28 or closing_day == MONTH_END):
        raise ValueError(f"closing day must be 1-28 or 31, not {closing_day}")
    day = _last_day(year, month) if closing_day == MONTH_END else closing_day
    return date(year, month, day)


def shift_for_holiday(day: date, *, is_business_day: Callable[[date], bool], rule: HolidayRule) -> date:
    """``day`` itself when it is a business day, else the nearest one before or after (per ``rule``)."""
    step = timedelta(days=-1 if rule == HolidayRule.BEFORE else 1)
    for _ in range(31):
        if is_business_day(day):
            return day
        day += step
    raise ValueError("no business day within 31 days")


def closings_on(
    *,
    run_date: date,
    is_business_day: Callable[[date], bool],
    rule: HolidayRule,
) -> dict[int, date]:
    """Which closing days close on ``run_date``: {closing_day: nominal closing date}.

    A nominal date on a holiday moves to ``run_date`` from the month before or after too
    (day 1 on a Sunday with BEFORE closes on the Friday of the previous month).
    """
    due: dict[int, date] = {}
    for months in (-1, 0, 1):
        year, month = _add_months(run_date.year, run_date.month, months)
        for closing_day in (*range(1, 29), MONTH_END):
            nominal = nominal_closing_date(closing_day=closing_day, year=year, month=month)
            if shift_for_holiday(nominal, is_business_day=is_business_day, rule=rule) == run_date:
                due[closing_day] = nominal
    return due


def due_date(*, closing_date: date, terms: PaymentTerms | str, days: int) -> date:
    """The payment due date (お支払期限) for an invoice closed on ``closing_date``."""
    terms = PaymentTerms(terms)
    if terms == PaymentTerms.DAYS:
        return closing_date + timedelta(days=days)
    months = 1 if terms == PaymentTerms.NEXT_MONTH_END else 2
    year, month = _add_months(closing_date.year, closing_date.month, months)
    return date(year, month, _last_day(year, month))


def registration_check_digit(base12: str) -> int:
    """The check digit of a 13-digit 法人番号 / 適格請求書発行事業者登録番号 (its first digit).

    9 − (Σ Pn × Qn mod 9), Pn the n-th digit of the 12-digit base counted from the right,
    Qn = 1 for odd n and 2 for even n (法人番号の指定等に関する省令 第2条).
    """
    if not _DIGITS_12.fullmatch(base12):
        raise ValueError("the base must be 12 digits")
    total = sum(int(digit) * (1 if n % 2 else 2) for n, digit in enumerate(reversed(base12), start=1))
    return 9 - total % 9


def is_valid_registration_number(value: str) -> bool:
    """True for 'T' + 13 digits whose first digit is the check digit of the other twelve."""
    if not _REGISTRATION.fullmatch(value):  # ASCII only: str.isdigit() would accept "０"
        return False
    return int(value[1]) == registration_check_digit(value[2:])
