"""The numbers on the staff home (dashboard): what needs a person today, each with the filter of its list.

Every figure is one aggregate statement, so the home page costs the same on a quiet day and a busy one.
The filters are admin changelist query parameters, so each number opens exactly the rows it counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.utils import timezone

from billing.selectors import customers_near_credit_limit
from catalog.models import Product
from crm.selectors import review_queue
from customers.models import Customer
from engagement.models import ReminderDigest
from engagement.selectors import UsualProduct, list_favourites
from orders.models import Order, OrderPush
from orders.selectors import list_open_orders

CREDIT_ID_LIMIT = 200
"""At most this many customer ids go into the near-credit-limit link (the count is exact)."""


@dataclass(frozen=True, slots=True)
class ChannelFigure:
    channel: str
    label: str
    count: int
    amount: Decimal
    filters: dict[str, str]


@dataclass(frozen=True, slots=True)
class Figure:
    """One number and the changelist filter that lists the rows it counts."""

    key: str
    count: int
    filters: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Dashboard:
    today_channels: list[ChannelFigure]
    today_count: int
    today_amount: Decimal
    today_filters: dict[str, str]
    figures: dict[str, Figure]


def _day_filters(day_start: datetime) -> dict[str, str]:
    # The admin's own date-hierarchy parameters: the changelist then shows the day as selected.
    return {
        "placed_at__year": str(day_start.year),
        "placed_at__month": str(day_start.month),
        "placed_at__day": str(day_start.day),
    }


def staff_dashboard(*, now: datetime, include: frozenset[str]) -> Dashboard:
    """Today's orders by channel and the queues waiting for staff; ``include`` names the figures to compute.

    Keys: ``orders`` (today's orders, awaiting approval, not accepted in time), ``pushes`` (failed ERP
    pushes), ``leads`` (review queue), ``credit`` (customers near their limit), ``reminders`` (sent today).
    At most one statement per key (two for ``orders``).
    """
    local_now = timezone.localtime(now)
    day_start = local_now.replace(hour=0, minute=0, second=0, microsecond=0)
    channels: list[ChannelFigure] = []
    figures: dict[str, Figure] = {}
    if "orders" in include:
        labels = dict(Order.Channel.choices)
        rows: dict[str, tuple[int, Decimal | None]] = {
            channel: (n, amount)
            for channel, n, amount in Order.objects.filter(
                placed_at__gte=day_start, placed_at__lt=day_start + timedelta(days=1)
            )
            .exclude(status=Order.Status.CANCELLED)
            .values("channel")
            .annotate(n=Count("id"), amount=Sum("total"))
            .values_list("channel", "n", "amount")
        }
        day = _day_filters(day_start)
        for channel, label in labels.items():
            count, amount = rows.get(channel, (0, None))
            channels.append(
                ChannelFigure(
                    channel=channel,
                    label=str(label),
                    count=count,
                    amount=amount or Decimal(0),
                    filters={**day, "channel__exact": channel},
                )
            )
        # Whole minutes, so the link a person opens a moment later lists the same orders.
        accept_cutoff = (local_now - timedelta(hours=settings.ERP_ACCEPT_WITHIN_HOURS)).replace(
            second=0, microsecond=0
        )
        queues = Order.objects.aggregate(
            awaiting=Count("id", filter=Q(status=Order.Status.AWAITING_APPROVAL)),
            late=Count("id", filter=Q(status=Order.Status.CONFIRMED, placed_at__lte=accept_cutoff)),
        )
        figures["awaiting_approval"] = Figure(
            "awaiting_approval", queues["awaiting"], {"status__exact": Order.Status.AWAITING_APPROVAL}
        )
        figures["late_orders"] = Figure(
            "late_orders",
            queues["late"],
            {"status__exact": Order.Status.CONFIRMED, "placed_at__lte": accept_cutoff.isoformat()},
        )
    if "pushes" in include:
        failed = OrderPush.objects.filter(status=OrderPush.Status.FAILED).count()
        figures["failed_pushes"] = Figure("failed_pushes", failed, {"status__exact": OrderPush.Status.FAILED})
    if "leads" in include:
        figures["leads"] = Figure("leads", review_queue().count())
    if "credit" in include:
        ratio = Decimal(str(settings.DASHBOARD_CREDIT_WARNING_RATIO))
        ids = list(customers_near_credit_limit(ratio=ratio).order_by("pk").values_list("pk", flat=True))
        shown = ",".join(str(pk) for pk in ids[:CREDIT_ID_LIMIT]) or "0"
        figures["credit"] = Figure("credit", len(ids), {"id__in": shown})
    if "reminders" in include:
        sent = ReminderDigest.objects.filter(on_date=local_now.date()).count()
        figures["reminders"] = Figure("reminders", sent, {"on_date": local_now.date().isoformat()})
    return Dashboard(
        today_channels=channels,
        today_count=sum(c.count for c in channels),
        today_amount=sum((c.amount for c in channels), Decimal(0)),
        today_filters=_day_filters(day_start),
        figures=figures,
    )


@dataclass(frozen=True, slots=True)
class CustomerPanel:
    """What staff keying in a phone order want beside the form: what the customer usually buys, what is open."""

    usual: list[tuple[Product, UsualProduct]]
    open_orders: list[Order]


def customer_panel(*, customer: Customer, today: date) -> CustomerPanel:
    """Usual products (the buyers' よく買う商品, last 12 months) and open orders. Three queries."""
    favourites = list_favourites(customer_id=customer.pk, since=today - timedelta(days=365), limit=10)
    products = Product.objects.in_bulk([f.product_id for f in favourites])
    return CustomerPanel(
        usual=[(products[f.product_id], f) for f in favourites if f.product_id in products],
        open_orders=list_open_orders(customer=customer),
    )
