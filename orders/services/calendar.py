"""Delivery days: business days only (no weekends, no Holiday rows), after a lead time."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.utils.formats import date_format
from django.utils.translation import gettext

from b2bshop.errors import ValidationFailed
from b2bshop.versions import cached
from orders.models import Holiday

_HORIZON_DAYS = 366


def _all_closed_days() -> frozenset[date]:
    # The holiday list is small and rarely changes: cached per process behind its table version
    # (a trigger bumps it with every change), so checkout and its e-mail read no holidays.
    return cached(Holiday._meta.db_table, lambda: frozenset(Holiday.objects.values_list("date", flat=True)))


def _closed_days(*, start: date, end: date) -> set[date]:
    return {day for day in _all_closed_days() if start <= day <= end}


def is_business_day(day: date, closed: set[date]) -> bool:
    return day.weekday() < 5 and day not in closed


def earliest_delivery_date(*, today: date, lead_days: int | None = None) -> date:
    """The first day a new order can be delivered: ``lead_days`` business days after ``today``."""
    lead = settings.ORDER_LEAD_TIME_DAYS if lead_days is None else lead_days
    closed = _closed_days(start=today, end=today + timedelta(days=lead * 3 + 30))
    day, counted = today, 0
    while counted < max(lead, 0) or not is_business_day(day, closed):
        day += timedelta(days=1)
        if is_business_day(day, closed):
            counted += 1
    return day


def check_delivery_date(*, requested: date | None, today: date) -> None:
    """None is fine (as soon as possible). Raises ValidationFailed with the earliest possible day."""
    if requested is None:
        return
    earliest = earliest_delivery_date(today=today)
    shown = date_format(earliest, "DATE_FORMAT")
    if requested < today:
        message = gettext("The delivery date is in the past. The earliest possible date is %(date)s.")
    elif requested < earliest:
        message = gettext("The delivery date is too early. The earliest possible date is %(date)s.")
    elif requested > today + timedelta(days=_HORIZON_DAYS):
        message = gettext("The delivery date is more than a year ahead.")
    elif not is_business_day(requested, _closed_days(start=requested, end=requested)):
        message = gettext(
            "We do not deliver on weekends or holidays. The earliest possible date is %(date)s."
        )
    else:
        return
    raise ValidationFailed(
        message % {"date": shown},
        code="invalid_delivery_date",
        details={"requested_delivery_date": [message % {"date": shown}]},
    )
