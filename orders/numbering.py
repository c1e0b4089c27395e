"""Human-friendly, unique order numbers: B + yymmdd + '-' + a database sequence value."""

from __future__ import annotations

from datetime import datetime

from django.db import connection
from django.db.models import Max
from django.utils import timezone


def next_order_number(*, now: datetime) -> str:
    """E.g. 'B261126-001234'. PostgreSQL uses a sequence; the SQLite demo falls back to max(id)+1."""
    local = timezone.localtime(now)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval('orders_order_number_seq')")
            value = cursor.fetchone()[0]
    else:  # single-process demo database only
        from orders.models import Order

        value = (Order.objects.aggregate(m=Max("id"))["m"] or 0) + 1000 + 1
    return f"B{local:%y%m%d}-{value:06d}"
