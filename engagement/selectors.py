"""Set-based reads for reminders: who is due for what, who usually orders, what they usually order.

Everything here runs in PostgreSQL (window functions, percentile_cont) and streams its rows, so
the worker's memory does not grow with the number of customers.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import DateTimeField, Exists, ExpressionWrapper, OuterRef, QuerySet

from customers.models import User
from engagement.models import EmailOptOut, ReminderDigest

FETCH_SIZE = 2000


@dataclass(frozen=True, slots=True)
class DueItem:
    """One (customer, product) whose usual reorder interval has run out."""

    customer_id: int
    product_id: int
    last_date: date
    purchases: int
    median_gap_days: Decimal
    due_date: date


# Purchases are days: several orders of one item on one day count once (a zero gap is no rhythm).
# Rather than de-duplicating 3M lines first, zero gaps are dropped inside the aggregates
# (NULLIF: percentile_cont skips NULLs), which spares PostgreSQL one hash aggregate over all lines.
REORDER_DUE_SQL = """
WITH gaps AS (
  SELECT o.customer_id, l.product_id, (o.placed_at AT TIME ZONE %(tz)s)::date AS d,
         (o.placed_at AT TIME ZONE %(tz)s)::date
           - lag((o.placed_at AT TIME ZONE %(tz)s)::date)
             OVER (PARTITION BY o.customer_id, l.product_id ORDER BY o.placed_at) AS gap
  FROM orders_orderline l JOIN orders_order o ON o.id = l.order_id
  WHERE l.product_id IS NOT NULL AND o.status <> 'cancelled' AND o.placed_at < %(before)s {customer_filter}
), per_item AS (
  SELECT customer_id, product_id, max(d) AS last_d,
         count(*) FILTER (WHERE gap IS NULL OR gap <> 0) AS n,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY NULLIF(gap, 0)) AS med_gap
  FROM gaps GROUP BY customer_id, product_id
)
SELECT i.customer_id, i.product_id, i.last_d, i.n, round(i.med_gap::numeric, 1),
       i.last_d + greatest(floor(i.med_gap)::int - %(lead)s, 0)
FROM per_item i
JOIN catalog_product p ON p.id = i.product_id AND p.active
JOIN customers_customer c ON c.id = i.customer_id AND c.ec_enabled
WHERE i.n >= %(min_purchases)s AND (%(on)s::date - i.last_d) > i.med_gap - %(lead)s
ORDER BY i.customer_id, i.product_id
"""


def day_start(day: date) -> datetime:
    """Midnight in the shop's time zone (Asia/Tokyo) as an aware datetime."""
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))


def reorder_due(
    *,
    on: date,
    lead_days: int | None = None,
    min_purchases: int = 3,
    customer_ids: Sequence[int] | None = None,
) -> Iterator[DueItem]:
    """Every (customer, product) due on `on`, ordered by customer (contract section 9).

    Due: bought on at least `min_purchases` days, an active product, a customer with web ordering,
    and (on - last purchase) > median gap - lead days. Orders placed after `on` are ignored, so a
    past date gives the answer that day would have given. Streams through a server-side cursor.
    """
    lead = settings.REMINDER_LEAD_DAYS if lead_days is None else lead_days
    params: dict[str, Any] = {
        "tz": settings.TIME_ZONE,
        "before": day_start(on + timedelta(days=1)),
        "on": on,
        "lead": lead,
        "min_purchases": min_purchases,
    }
    customer_filter = ""
    if customer_ids is not None:
        customer_filter = "AND o.customer_id = ANY(%(customers)s)"
        params["customers"] = list(customer_ids)
    sql = REORDER_DUE_SQL.format(customer_filter=customer_filter)
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(FETCH_SIZE):
            for row in rows:
                yield DueItem(*row)


def usual_buyers(*, customer_ids: Sequence[int], topic: str) -> dict[int, int]:
    """customer id -> the active buyer who placed most of its orders and still takes `topic` e-mail.

    A buyer who unsubscribed, or whose address bounced, is passed over for the next one.
    """
    if not customer_ids:
        return {}
    sql = f"""
    SELECT DISTINCT ON (o.customer_id) o.customer_id, o.placed_by_id
    FROM orders_order o JOIN {User._meta.db_table} u ON u.id = o.placed_by_id
    WHERE o.customer_id = ANY(%(ids)s) AND o.status <> 'cancelled'
      AND u.is_active AND u.email <> '' AND u.customer_id = o.customer_id
      AND NOT EXISTS (SELECT 1 FROM {EmailOptOut._meta.db_table} x WHERE x.user_id = u.id AND x.topic = %(topic)s)
      AND NOT EXISTS (SELECT 1 FROM mail_suppression s WHERE s.email = lower(u.email))
    GROUP BY o.customer_id, o.placed_by_id
    ORDER BY o.customer_id, count(*) DESC, max(o.placed_at) DESC, o.placed_by_id
    """  # noqa: S608 - table names from model metadata, values bound
    with connection.cursor() as cursor:
        cursor.execute(sql, {"ids": list(customer_ids), "topic": topic})
        return dict(cursor.fetchall())


def last_quantities(*, pairs: Sequence[tuple[int, int]], before: datetime) -> dict[tuple[int, int], int]:
    """(customer id, product id) -> the quantity of its latest purchase (that day's total)."""
    if not pairs:
        return {}
    sql = """
    WITH wanted(customer_id, product_id) AS (SELECT * FROM unnest(%(c)s::bigint[], %(p)s::bigint[])),
    days AS (
      SELECT o.customer_id, l.product_id, (o.placed_at AT TIME ZONE %(tz)s)::date AS d, sum(l.quantity) AS q
      FROM wanted w
      JOIN orders_order o ON o.customer_id = w.customer_id AND o.status <> 'cancelled' AND o.placed_at < %(before)s
      JOIN orders_orderline l ON l.order_id = o.id AND l.product_id = w.product_id
      GROUP BY 1, 2, 3
    )
    SELECT DISTINCT ON (customer_id, product_id) customer_id, product_id, q
    FROM days ORDER BY customer_id, product_id, d DESC
    """
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            {
                "c": [c for c, _ in pairs],
                "p": [p for _, p in pairs],
                "tz": settings.TIME_ZONE,
                "before": before,
            },
        )
        return {(c, p): int(q) for c, p, q in cursor.fetchall()}


def latest_digest_for(*, customer_id: int, since: date) -> ReminderDigest | None:
    """The newest reminder e-mail of a customer since `since` (the storefront banner shows it)."""
    return (
        ReminderDigest.objects.filter(customer_id=customer_id, on_date__gte=since, email__isnull=False)
        .order_by("-on_date", "-id")
        .first()
    )


def with_conversion(queryset: QuerySet[ReminderDigest]) -> QuerySet[ReminderDigest]:
    """Annotate `converted`: the customer placed a (not cancelled) order within 14 days of the e-mail."""
    from orders.models import Order

    window = Order.objects.filter(
        customer_id=OuterRef("customer_id"),
        placed_at__gte=OuterRef("created_at"),
        placed_at__lt=ExpressionWrapper(
            OuterRef("created_at") + timedelta(days=settings.REMINDER_CONVERSION_DAYS),
            output_field=DateTimeField(),
        ),
    ).exclude(status="cancelled")
    return queryset.annotate(converted=Exists(window))


def conversion_rate(*, since: date) -> tuple[int, int]:
    """(reminder e-mails since `since`, how many were followed by an order within the window)."""
    digests = with_conversion(ReminderDigest.objects.filter(on_date__gte=since, email__isnull=False))
    total = digests.count()
    return total, digests.filter(converted=True).count()  # type: ignore[misc]  # annotated by with_conversion


@dataclass(frozen=True, slots=True)
class UsualProduct:
    """An item a customer buys often (よく買う商品): on how many days and orders, how much, how many last time.

    The one definition of "usual products": the storefront favourites, the small-order hint, the staff
    proxy-order panel, the dormant-customer list and the insights customer page all read it.
    """

    customer_id: int
    product_id: int
    sku: str
    name: str
    purchase_days: int
    orders: int
    quantity: int
    revenue: Decimal
    last_date: date
    last_ordered_at: datetime
    last_quantity: int


USUAL_PRODUCTS_SQL = """
WITH days AS (
  SELECT o.customer_id, l.product_id, (o.placed_at AT TIME ZONE %(tz)s)::date AS d,
         sum(l.quantity) AS q, sum(l.amount) AS amount, count(DISTINCT o.id) AS n_orders, max(o.placed_at) AS at
  FROM orders_order o JOIN orders_orderline l ON l.order_id = o.id
  WHERE o.customer_id = ANY(%(ids)s) AND o.status <> 'cancelled' AND o.placed_at >= %(since)s
    AND l.product_id IS NOT NULL
  GROUP BY 1, 2, 3
), products AS (
  SELECT d.customer_id, d.product_id, count(*)::int AS n_days, sum(d.n_orders)::int AS n_orders,
         sum(d.q)::int AS q, sum(d.amount) AS amount, max(d.d) AS last_d, max(d.at) AS last_at,
         (array_agg(d.q ORDER BY d.d DESC))[1]::int AS last_q
  FROM days d JOIN catalog_product p ON p.id = d.product_id AND (p.active OR NOT %(active_only)s)
  GROUP BY 1, 2
), ranked AS (
  SELECT *, row_number() OVER (
    PARTITION BY customer_id ORDER BY n_days DESC, last_d DESC, product_id) AS r
  FROM products
)
SELECT r.customer_id, r.product_id, p.sku, p.name, r.n_days, r.n_orders, r.q, r.amount, r.last_d, r.last_at, r.last_q
FROM ranked r JOIN catalog_product p ON p.id = r.product_id
WHERE r.r <= %(limit)s ORDER BY r.customer_id, r.r
"""


def usual_products(
    *, customer_ids: Sequence[int], since: date, limit: int = 30, active_only: bool = True
) -> dict[int, list[UsualProduct]]:
    """customer id -> the products it bought on most days since `since`, most frequent first. One query.

    Ties go to the most recently bought. `active_only` leaves out products no longer sold (what a buyer
    can order again); reports about the past keep them.
    """
    if not customer_ids:
        return {}
    result: dict[int, list[UsualProduct]] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            USUAL_PRODUCTS_SQL,
            {
                "tz": settings.TIME_ZONE,
                "ids": list(customer_ids),
                "since": day_start(since),
                "limit": limit,
                "active_only": active_only,
            },
        )
        for row in cursor.fetchall():  # columns in UsualProduct's field order
            result.setdefault(row[0], []).append(UsualProduct(*row))
    return result


def list_favourites(*, customer_id: int, since: date, limit: int = 30) -> list[UsualProduct]:
    """One customer's usual products that are still sold (what the buyer can order again)."""
    return usual_products(customer_ids=[customer_id], since=since, limit=limit).get(customer_id, [])
