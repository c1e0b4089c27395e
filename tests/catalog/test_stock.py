"""Stock holds: hold on checkout, release only on a later ERP figure, stale figures ignored."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from catalog.models import Stock, StockHold
from catalog.stock import (
    InsufficientStock,
    StockFigure,
    apply_stock_figures,
    hold_stock,
    mark_holds_releasable,
    stock_batch_lane,
)
from orders.models import Order
from tests import factories

pytestmark = pytest.mark.django_db


def _order(customer):
    return Order.objects.create(
        number=f"T-{Order.objects.count() + 1}",
        customer=customer,
        subtotal=0,
        total=0,
        placed_at=timezone.now(),
    )


def _available(product):
    return Stock.objects.get(product=product).available


def test_hold_reduces_available_and_refuses_more_than_available():
    customer = factories.make_customer()
    a = factories.make_product(on_hand=10)
    b = factories.make_product(on_hand=3)
    with transaction.atomic():
        hold_stock(order_id=_order(customer).id, items=[(a, 4), (b, 3)])
    assert (_available(a), _available(b)) == (6, 0)
    with pytest.raises(InsufficientStock) as exc, transaction.atomic():
        hold_stock(order_id=_order(customer).id, items=[(a, 6), (b, 1)])
    assert exc.value.details["lines"] == [{"sku": b.sku, "requested": 1, "available": 0}]
    assert (_available(a), _available(b)) == (6, 0)


def test_hold_is_released_only_by_a_figure_taken_after_acceptance():
    customer = factories.make_customer()
    p = factories.make_product(on_hand=10)
    order = _order(customer)
    with transaction.atomic():
        hold_stock(order_id=order.id, items=[(p, 4)])
    t0 = timezone.now()
    # A figure taken before the ERP accepted the order does not include it: the hold stays.
    apply_stock_figures(figures=[StockFigure(p.id, 10, t0)], received_at=t0)
    assert _available(p) == 6
    accepted_at = t0 + timedelta(minutes=1)
    mark_holds_releasable(order_id=order.id, at=accepted_at)
    apply_stock_figures(
        figures=[StockFigure(p.id, 10, accepted_at - timedelta(seconds=1))], received_at=accepted_at
    )
    assert _available(p) == 6
    # The ERP's figure after acceptance already subtracts the 4 units: release the hold, count them once.
    result = apply_stock_figures(
        figures=[StockFigure(p.id, 6, accepted_at + timedelta(seconds=5))],
        received_at=accepted_at + timedelta(seconds=6),
    )
    assert result.released_holds == 1
    assert _available(p) == 6
    assert StockHold.objects.get(order=order).released_at is not None


def test_stale_figures_are_ignored_and_counted():
    p = factories.make_product(on_hand=10)
    now = timezone.now()
    assert apply_stock_figures(figures=[StockFigure(p.id, 50, now)], received_at=now).updated == 1
    result = apply_stock_figures(figures=[StockFigure(p.id, 5, now - timedelta(hours=1))], received_at=now)
    assert (result.updated, result.stale) == (0, 1)
    assert Stock.objects.get(product=p).on_hand == 50


def test_bulk_stock_update_query_count_is_constant(django_assert_max_num_queries):
    products = [factories.make_product(on_hand=1) for _ in range(60)]
    now = timezone.now()
    for size in (5, 60):
        with django_assert_max_num_queries(6):
            apply_stock_figures(
                figures=[StockFigure(p.id, 7, None) for p in products[:size]], received_at=now
            )
    assert _available(products[-1]) == 7


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the lane is a PostgreSQL advisory lock")
def test_parallel_erp_stock_batches_apply_one_at_a_time(erp):
    """A second batch, even for other SKUs, waits until the first commits, then applies: no 5xx."""
    first_sku, other_sku = factories.make_product(on_hand=5), factories.make_product(on_hand=5)
    first_holds_lane, release_first = threading.Event(), threading.Event()
    answers: dict[str, int] = {}

    def first() -> None:
        try:
            with stock_batch_lane():
                apply_stock_figures(figures=[StockFigure(first_sku.id, 11, None)], received_at=timezone.now())
                first_holds_lane.set()
                release_first.wait(10)
        finally:
            connection.close()

    def second() -> None:
        try:
            body = {"items": [{"sku": other_sku.sku, "on_hand": 22}]}
            answers["second"] = erp.post("/api/v1/erp/stock", body, format="json").status_code
        finally:
            connection.close()

    holder = threading.Thread(target=first)
    holder.start()
    assert first_holds_lane.wait(10)
    waiter = threading.Thread(target=second)
    waiter.start()
    waiter.join(0.7)
    assert waiter.is_alive(), "the second batch must wait for the first one's commit"
    assert _available(other_sku) == 5
    release_first.set()
    holder.join(10)
    waiter.join(10)
    assert answers == {"second": 200}
    assert (_available(first_sku), _available(other_sku)) == (11, 22)
