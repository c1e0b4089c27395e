"""Orders written straight to the tables, so each test controls amounts, channels and dates exactly."""

from __future__ import annotations

import itertools
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from catalog.models import Product
from customers.models import Customer
from orders.models import Order, OrderFee, OrderLine

TOKYO = ZoneInfo("Asia/Tokyo")
_numbers = itertools.count(1)


def at(day: str, hour: int = 12) -> datetime:
    """A Tokyo noon on ``day`` (YYYY-MM-DD)."""
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=TOKYO)


def make_order(
    *,
    customer: Customer,
    day: str,
    lines: list[tuple[Product, int, str]],
    channel: str = "web",
    fees: str = "0",
    status: str = "confirmed",
    prefecture: str | None = None,
) -> Order:
    amounts = [(product, qty, Decimal(price), int(qty * Decimal(price))) for product, qty, price in lines]
    subtotal = sum((Decimal(a) for *_, a in amounts), Decimal(0))
    fee = Decimal(fees)
    order = Order.objects.create(
        number=f"T{next(_numbers):07d}",
        customer=customer,
        channel=channel,
        status=status,
        ship_to={"prefecture": prefecture or customer.prefecture},
        subtotal=subtotal,
        fees_total=fee,
        total=subtotal + fee,
        placed_at=at(day),
    )
    OrderLine.objects.bulk_create(
        [
            OrderLine(
                order=order, line_no=i, product=product, sku=product.sku, name=product.name,
                unit=product.unit, quantity=qty, unit_price=price, amount=amount, tax_rate=product.tax_rate,
            )
            for i, (product, qty, price, amount) in enumerate(amounts, start=1)
        ]
    )  # fmt: skip
    if fee:
        OrderFee.objects.create(order=order, kind="small_order_fee", amount=fee)
    return order


def order_of(customer: Customer, product: Product, day: str, amount: int, **kwargs) -> Order:
    """One line of ``amount`` units at ¥1, so the subtotal is ``amount``."""
    return make_order(customer=customer, day=day, lines=[(product, amount, "1")], **kwargs)
