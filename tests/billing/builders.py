"""Orders as the ERP leaves them before the closing run: confirmed, accepted, shipped."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from catalog.models import Product
from customers.models import Customer
from orders.events import record_erp_event
from orders.models import Order
from tests import factories
from tests.orders.erp_builders import make_confirmed_order


def at(day: date, hour: int = 12) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def billing_customer(*, closing_day: int = 31, credit_limit: str | None = None, **terms: object) -> Customer:
    customer = factories.make_customer(credit_limit=credit_limit)
    customer.closing_day = closing_day
    for name, value in terms.items():
        setattr(customer, name, value)
    customer.save()
    return customer


def order_for(
    customer: Customer,
    *,
    shipped_on: date | None,
    items: list[tuple[Product, int]] | None = None,
    fee: str | None = None,
    status: str = "shipped",
) -> Order:
    """An order of ``customer`` taken to ``status`` through the real event service (shipped on ``shipped_on``)."""
    day = shipped_on or timezone.localdate()
    order = make_confirmed_order(
        customer=customer, items=items, fee=fee, placed_at=at(day - timedelta(days=1), 9), push=False
    )
    steps = {"confirmed": [], "accepted": ["accepted"], "shipped": ["accepted", "shipped"]}[status]
    for step in steps:
        when = at(day, 10) if step == "shipped" else at(day - timedelta(days=1), 11)
        record_erp_event(number=order.number, event_type=step, occurred_at=when, actor=None, now=when)
    order.refresh_from_db()
    return order


def product(price: str, *, tax_rate: int = 10) -> Product:
    return factories.make_product(base_price=price, tax_rate=tax_rate, on_hand=100_000)


def yen(value: str | int) -> Decimal:
    return Decimal(value)
