"""Dormant customers: the gap since the last order is far beyond the customer's own rhythm.

Not one global number of days: a customer ordering weekly is dormant after a few weeks, one
ordering quarterly only after most of a year. Ranked by past revenue, so inside sales call the
customers worth most first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse

from crm.selectors import key_persons_to_call
from customers.models import Customer, User
from engagement import selectors
from engagement.models import EmailOptOut
from engagement.services import unsubscribe_token
from mail.models import OutgoingEmail
from mail.services import enqueue_email, language_for

DORMANT_SQL = """
WITH days AS (
  SELECT o.customer_id, (o.placed_at AT TIME ZONE %(tz)s)::date AS d, sum(o.total) AS revenue
  FROM orders_order o
  WHERE o.status <> 'cancelled' AND o.placed_at < %(before)s
  GROUP BY 1, 2
), gaps AS (
  SELECT customer_id, d, revenue, d - lag(d) OVER (PARTITION BY customer_id ORDER BY d) AS gap FROM days
), per_customer AS (
  SELECT customer_id, max(d) AS last_d, count(*) AS n, sum(revenue) AS revenue,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY gap) AS med_gap
  FROM gaps GROUP BY customer_id HAVING count(*) >= %(min_orders)s
)
SELECT customer_id, last_d, n, revenue, round(med_gap::numeric, 1), %(on)s::date - last_d
FROM per_customer
WHERE (%(on)s::date - last_d) > greatest(med_gap * %(factor)s, med_gap + %(min_extra)s)
ORDER BY revenue DESC, customer_id
LIMIT %(limit)s
"""


@dataclass(frozen=True, slots=True)
class DormantCustomer:
    customer: Customer
    last_order_date: date
    order_days: int
    revenue: Decimal
    usual_gap_days: Decimal
    days_since: int
    usual_products: list[str]
    call_name: str
    call_phone: str


def list_dormant_customers(*, on: date, limit: int = 200) -> list[DormantCustomer]:
    """Customers whose silence exceeds DORMANT_FACTOR × their median gap (and that gap + DORMANT_MIN_EXTRA_DAYS)."""
    with connection.cursor() as cursor:
        cursor.execute(
            DORMANT_SQL,
            {
                "tz": settings.TIME_ZONE,
                "before": selectors.day_start(on + timedelta(days=1)),
                "on": on,
                "factor": settings.DORMANT_FACTOR,
                "min_extra": settings.DORMANT_MIN_EXTRA_DAYS,
                "min_orders": 3,
                "limit": limit,
            },
        )
        rows = cursor.fetchall()
    ids = [row[0] for row in rows]
    customers = Customer.objects.in_bulk(ids)
    contacts = key_persons_to_call(customer_ids=ids)
    # Past purchases, so products no longer sold still count; five names per customer.
    usual = selectors.usual_products(
        customer_ids=ids, since=on - timedelta(days=730), limit=5, active_only=False
    )
    result = []
    for customer_id, last_d, n, revenue, gap, days_since in rows:
        contact = contacts.get(customer_id)
        result.append(
            DormantCustomer(
                customer=customers[customer_id],
                last_order_date=last_d,
                order_days=n,
                revenue=Decimal(revenue),
                usual_gap_days=gap,
                days_since=days_since,
                usual_products=[p.name for p in usual.get(customer_id, [])],
                call_name=contact.name if contact else "",
                call_phone=contact.phone if contact else customers[customer_id].phone,
            )
        )
    return result


def send_reactivation_emails(*, customer_ids: list[int], on: date, now: datetime) -> int:
    """A "we miss you" e-mail with the usual products to each dormant customer's usual buyer.

    Once per dormant spell (the dedupe key carries the last order date); buyers who unsubscribed
    from these or bounced are skipped. Returns how many were queued.
    """
    dormant = {
        d.customer.pk: d for d in list_dormant_customers(on=on, limit=10_000) if d.customer.pk in customer_ids
    }
    recipients = selectors.usual_buyers(customer_ids=list(dormant), topic=EmailOptOut.Topic.REACTIVATION)
    users = User.objects.in_bulk(list(recipients.values()))
    queued = 0
    with transaction.atomic():
        for customer_id, user_id in recipients.items():
            item, user = dormant[customer_id], users[user_id]
            key = f"reactivation:{customer_id}:{item.last_order_date.isoformat()}"
            before = OutgoingEmail.objects.filter(dedupe_key=key).exists()
            unsubscribe_url = settings.SITE_URL + reverse(
                "engagement:unsubscribe",
                args=[unsubscribe_token(user_id=user.id, topic=EmailOptOut.Topic.REACTIVATION)],
            )
            enqueue_email(
                kind="reactivation",
                template="engagement/email/reactivation",
                context={
                    "customer": item.customer,
                    "user": user,
                    "products": item.usual_products,
                    "shop_url": settings.SITE_URL + reverse("engagement:favourites"),
                    "unsubscribe_url": unsubscribe_url,
                },
                to=user.email,
                language=language_for(user),
                reason=f"dormant: {item.days_since} days since the last order, usually every {item.usual_gap_days}",
                ref=f"customer:{item.customer.code}",
                recipient_id=user.id,
                headers={
                    "List-Unsubscribe": f"<{unsubscribe_url}>",
                    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                },
                dedupe_key=key,
                now=now,
            )
            queued += int(not before)
    return queued
