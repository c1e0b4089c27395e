"""Real threads, each with its own PostgreSQL connection, racing for the last units."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.utils import timezone

from catalog.models import Stock, StockHold
from catalog.stock import InsufficientStock
from orders.models import Order
from orders.services.checkout import CheckoutDetails, place_order
from tests import factories
from tests.orders.builders import fill_cart


def _race(workers):
    barrier = threading.Barrier(len(workers))
    results: list = [None] * len(workers)

    def run(index, work):
        try:
            barrier.wait(timeout=30)
            results[index] = work()
        except Exception as exc:  # noqa: BLE001 - the test inspects every outcome
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, w)) for i, w in enumerate(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a checkout hung (deadlock?)"
    return results


@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_checkouts_for_the_last_ten_units():
    product = factories.make_product(on_hand=10, base_price="100")
    buyers = [factories.make_buyer() for _ in range(20)]
    for buyer in buyers:
        fill_cart(buyer, (product, 1))
    now = timezone.now()
    results = _race(
        [
            lambda buyer=buyer: place_order(
                buyer=buyer, idempotency_key="race", details=CheckoutDetails(), now=now
            )
            for buyer in buyers
        ]
    )
    placed = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(placed) == 10
    assert len(refused) == 10 and all(isinstance(r, InsufficientStock) for r in refused), refused
    stock = Stock.objects.get(product=product)
    assert (stock.on_hand, stock.held, stock.available) == (10, 10, 0)
    assert Order.objects.count() == 10
    assert sum(StockHold.objects.values_list("quantity", flat=True)) == 10


@pytest.mark.django_db(transaction=True)
def test_double_submit_with_the_same_key_in_parallel_places_one_order():
    product = factories.make_product(on_hand=100)
    buyer = factories.make_buyer()
    colleague = factories.make_buyer(customer=buyer.customer)
    fill_cart(buyer, (product, 3))
    fill_cart(colleague, (product, 3))
    now = timezone.now()
    workers = [
        lambda user=user: place_order(buyer=user, idempotency_key="same", details=CheckoutDetails(), now=now)
        for user in (buyer, buyer, buyer, colleague)
    ]
    results = _race(workers)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert len({r.order.number for r in results}) == 1
    assert sum(r.created for r in results) == 1
    assert Order.objects.count() == 1
    assert Stock.objects.get(product=product).held == 3
