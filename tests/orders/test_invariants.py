"""The database itself refuses an order whose total is not its parts, and a bad stock hold."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from catalog.models import StockHold
from orders.models import Order
from tests import factories

pytestmark = pytest.mark.django_db


def _order(**amounts: Decimal) -> Order:
    return Order.objects.create(
        number=f"INV-{Order.objects.count() + 1}",
        customer=factories.make_customer(),
        placed_at=timezone.now(),
        **amounts,
    )


def test_order_total_must_equal_subtotal_plus_fees_plus_tax():
    order = _order(
        subtotal=Decimal(1000),
        fees_total=Decimal(500),
        tax_10=Decimal(150),
        tax_8=Decimal(0),
        total=Decimal(1650),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Order.objects.filter(pk=order.pk).update(total=Decimal(1649))
    with pytest.raises(IntegrityError), transaction.atomic():
        _order(subtotal=Decimal(1000), total=Decimal(1100))  # tax missing from the parts
    assert Order.objects.get().total == Decimal(1650)


def test_stock_hold_is_one_positive_row_per_order_and_product():
    order = _order(subtotal=Decimal(0), total=Decimal(0))
    product = factories.make_product()
    StockHold.objects.create(order=order, product=product, quantity=5)
    with pytest.raises(IntegrityError), transaction.atomic():
        StockHold.objects.create(order=order, product=product, quantity=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        StockHold.objects.create(order=order, product=factories.make_product(), quantity=0)
    assert list(StockHold.objects.values_list("quantity", flat=True)) == [5]
