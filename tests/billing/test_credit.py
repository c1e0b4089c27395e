"""Credit at checkout (contract section 8): open invoices + uninvoiced orders + this order ≤ limit."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from billing import selectors, services
from orders.models import Order
from orders.services.checkout import CheckoutDetails, RulesViolated, place_order
from tests import factories
from tests.billing.builders import at, billing_customer, order_for, product
from tests.orders.builders import fill_cart

pytestmark = pytest.mark.django_db


def _cart(client):
    response = client.get("/api/v1/store/cart", HTTP_ACCEPT_LANGUAGE="ja")
    assert response.status_code == 200
    return response.json()


def test_exposure_counts_unpaid_invoices_and_uninvoiced_orders_until_paid(client):
    customer = billing_customer(closing_day=31, credit_limit="10000")
    item = product("1000")  # 1 unit = ¥1,100 with tax
    order_for(customer, shipped_on=date(2026, 11, 5), items=[(item, 4)])  # ¥4,400, will be invoiced
    services.close_invoices(run_date=date(2026, 11, 30), now=at(date(2026, 11, 30)))
    order_for(customer, shipped_on=None, items=[(item, 3)], status="confirmed")  # ¥3,300, not invoiced
    assert selectors.credit_exposure(customer_id=customer.pk) == 7700  # the invoiced order still counts

    buyer = factories.make_buyer(customer=customer)
    client.force_login(buyer)
    fill_cart(buyer, (item, 2))  # ¥2,200 → 9,900: fits
    assert _cart(client)["can_checkout"] is True
    fill_cart(buyer, (item, 1))  # ¥3,300 → 11,000: over by 1,000
    cart = _cart(client)
    (violation,) = [v for v in cart["violations"] if v["code"] == "credit_limit"]
    assert violation["message"] == "ご注文金額 ¥3,300 がご利用可能額 ¥2,300 を¥1,000超えています"
    response = client.post(
        "/api/v1/store/checkout", {}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1"
    )
    assert response.status_code == 422
    assert [v["code"] for v in response.json()["violations"]] == ["credit_limit"]

    services.record_payment(
        customer_code=customer.code,
        amount=Decimal(4400),
        received_on=date(2026, 12, 1),
        reference="P",
        actor=None,
    )
    assert _cart(client)["can_checkout"] is True
    response = client.post(
        "/api/v1/store/checkout", {}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k2"
    )
    assert response.status_code == 201, response.content


def test_cancelled_and_erp_invoiced_orders_do_not_count():
    customer = billing_customer(credit_limit="100000")
    order = order_for(customer, shipped_on=None, status="confirmed")
    assert selectors.credit_exposure(customer_id=customer.pk) == order.total
    Order.objects.filter(pk=order.pk).update(status="cancelled")
    assert selectors.credit_exposure(customer_id=customer.pk) == 0


def test_no_limit_means_no_credit_check():
    customer = billing_customer()
    assert selectors.credit_available(customer=customer) is None


@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_checkouts_near_the_limit_never_exceed_it():
    customer = billing_customer(credit_limit="10000")
    item = product("1000")
    buyers = [factories.make_buyer(customer=customer) for _ in range(10)]
    for buyer in buyers:
        fill_cart(buyer, (item, 2))  # ¥2,200 each: four fit (¥8,800), the fifth would make ¥11,000
    now = timezone.now()
    barrier = threading.Barrier(len(buyers))
    results: list = [None] * len(buyers)

    def run(index, buyer):
        try:
            barrier.wait(timeout=30)
            results[index] = place_order(
                buyer=buyer, idempotency_key=f"k{index}", details=CheckoutDetails(), now=now
            )
        except Exception as exc:  # noqa: BLE001 - every outcome is inspected
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, b)) for i, b in enumerate(buyers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a checkout hung"
    placed = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert all(isinstance(r, RulesViolated) for r in refused), refused
    assert all([v.code for v in r.violations] == ["credit_limit"] for r in refused)
    assert len(placed) == 4
    total = sum(o.total for o in Order.objects.filter(customer=customer))
    assert total == 8800 <= customer.credit_limit
