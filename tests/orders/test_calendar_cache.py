"""The delivery calendar is cached per process, yet a holiday staff add applies to the next order."""

from __future__ import annotations

from datetime import date

import pytest

from orders.models import Holiday
from orders.services.calendar import earliest_delivery_date

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 12, 7)


def test_a_new_holiday_moves_the_earliest_delivery_day_although_the_calendar_was_cached():
    before = earliest_delivery_date(today=MONDAY, lead_days=1)
    assert before == date(2026, 12, 8)  # Tuesday
    Holiday.objects.create(date=before, name="棚卸")
    assert earliest_delivery_date(today=MONDAY, lead_days=1) == date(2026, 12, 9)
    Holiday.objects.filter(date=before).delete()
    assert earliest_delivery_date(today=MONDAY, lead_days=1) == before


def test_the_cached_calendar_reads_no_holidays_twice(django_assert_num_queries):
    earliest_delivery_date(today=MONDAY, lead_days=2)
    with django_assert_num_queries(1):  # the one versions read; the holidays come from the cache
        earliest_delivery_date(today=MONDAY, lead_days=2)
