"""Build confirmed orders the way checkout does (order, lines, fees, stock hold, outbox row) for ERP tests."""

from __future__ import annotations

import itertools
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from b2bshop.money import line_amount, tax_for
from catalog.models import Product
from catalog.stock import hold_stock
from customers.models import Customer, User
from customers.selectors import default_ship_to
from orders.models import Order, OrderEvent, OrderFee, OrderLine
from orders.outbox import enqueue_order_push
from tests import factories

_seq = itertools.count(1)


def make_confirmed_order(
    *,
    customer: Customer | None = None,
    buyer: User | None = None,
    items: list[tuple[Product, int]] | None = None,
    fee: str | None = "500",
    po_number: str = "",
    placed_at: datetime | None = None,
    push: bool = True,
) -> Order:
    """A confirmed order as checkout leaves it; the outbox row is written in the same transaction."""
    if buyer is None:
        buyer = factories.make_buyer(customer=customer)
    customer = buyer.customer
    if items is None:
        items = [
            (factories.make_product(base_price="120"), 12),
            (factories.make_product(base_price="0.85", tax_rate=8), 100),
        ]
    placed_at = placed_at or timezone.now()
    with transaction.atomic():
        amounts = [
            (product, qty, product.base_price, line_amount(qty, product.base_price)) for product, qty in items
        ]
        subtotal = sum((amount for *_, amount in amounts), Decimal(0))
        fee_amount = Decimal(fee) if fee else Decimal(0)
        base10 = sum((a for p, _, _, a in amounts if p.tax_rate == 10), Decimal(0)) + fee_amount
        base8 = sum((a for p, _, _, a in amounts if p.tax_rate == 8), Decimal(0))
        tax10, tax8 = tax_for(base10, 10), tax_for(base8, 8)
        order = Order.objects.create(
            number=f"B{timezone.localtime(placed_at):%y%m%d}-T{next(_seq):05d}-{customer.pk}",
            customer=customer,
            placed_by=buyer,
            ship_to=default_ship_to(customer=customer),
            po_number=po_number,
            note="午前着希望",
            subtotal=subtotal,
            fees_total=fee_amount,
            tax_10=tax10,
            tax_8=tax8,
            total=subtotal + fee_amount + tax10 + tax8,
            placed_at=placed_at,
        )
        OrderLine.objects.bulk_create(
            [
                OrderLine(
                    order=order,
                    line_no=no,
                    product=p,
                    sku=p.sku,
                    name=p.name,
                    unit=p.unit,
                    quantity=q,
                    unit_price=price,
                    amount=amount,
                    tax_rate=p.tax_rate,
                )
                for no, (p, q, price, amount) in enumerate(amounts, start=1)
            ]
        )
        if fee_amount:
            OrderFee.objects.create(
                order=order,
                kind="small_order_fee",
                amount=fee_amount,
                tax_rate=10,
                rule_code="small-order-fee",
            )
        OrderEvent.objects.create(order=order, type="placed", occurred_at=placed_at, actor=buyer)
        hold_stock(order_id=order.id, items=items)
        if push:
            enqueue_order_push(order=order)
    return order
