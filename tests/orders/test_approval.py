"""Approval (contract section 5): orders above a buyer's spending limit wait for an approver or admin."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from catalog.models import Stock, StockHold
from mail.models import OutgoingEmail
from orders.models import Order, OrderEvent, OrderPush
from orders.services import approval
from orders.services.checkout import CheckoutDetails, place_order, place_proxy_order
from tests import factories
from tests.orders.builders import api_client_for, fill_cart
from tests.orders.test_concurrency import _race

pytestmark = pytest.mark.django_db


@pytest.fixture
def company():
    """A company with a buyer limited to ¥10,000 per order, an approver and an admin; a ¥1,000 product."""
    customer = factories.make_customer()
    product = factories.make_product(sku="APP-1", base_price="1000", on_hand=100)
    buyer = factories.make_buyer(customer=customer, email="buyer@a.example.jp")
    buyer.spending_limit = Decimal(10000)
    buyer.save()
    approver = factories.make_buyer(customer=customer, email="approver@a.example.jp", role="approver")
    approver.full_name = "承認 太郎"
    approver.save()
    admin = factories.make_buyer(customer=customer, email="admin@a.example.jp", role="admin")
    return {"customer": customer, "product": product, "buyer": buyer, "approver": approver, "admin": admin}


def _place(user, product, quantity, *, key="k1", now=None):
    fill_cart(user, (product, quantity))
    return place_order(
        buyer=user, idempotency_key=key, details=CheckoutDetails(), now=now or timezone.now()
    ).order


def _checkout_api(api, key="k1"):
    return api.post("/api/v1/store/checkout", {}, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_an_order_above_the_limit_waits_with_stock_held_and_nothing_pushed(
    company, django_capture_on_commit_callbacks
):
    api = api_client_for(company["buyer"])
    api.put("/api/v1/store/cart/items/APP-1", {"quantity": 10}, format="json")  # ¥11,000 with tax
    with django_capture_on_commit_callbacks(execute=True):
        response = _checkout_api(api)
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "awaiting_approval"
    order = Order.objects.get()
    assert order.status == Order.Status.AWAITING_APPROVAL
    assert not OrderPush.objects.exists()
    assert Stock.objects.get(product=company["product"]).held == 10
    # the approver and the admin are asked; the buyer gets the confirmation saying it waits
    requests = OutgoingEmail.objects.filter(kind="approval_request", ref=f"order:{order.number}")
    asked = {m.to_email for m in requests if "承認" in m.subject}
    assert asked == {"approver@a.example.jp", "admin@a.example.jp"}
    # the buyer's confirmation goes through the e-mail outbox (sent by a worker) and says it waits
    (to_buyer,) = OutgoingEmail.objects.filter(to_email="buyer@a.example.jp", kind="order_confirmation")
    assert "承認" in to_buyer.body_text and "承認" in to_buyer.body_html
    # the ERP cannot see it either
    erp = api_client_for(factories.make_integration_user())
    assert erp.get("/api/v1/erp/orders").json()["results"] == []
    assert erp.get(f"/api/v1/erp/orders/{order.number}").status_code == 404


def test_within_the_limit_or_without_one_the_order_is_confirmed_at_once(company):
    within = _place(company["buyer"], company["product"], 9, key="a")  # ¥9,900 with tax
    assert within.status == Order.Status.CONFIRMED
    assert OrderPush.objects.filter(order=within).exists()
    unlimited = factories.make_buyer(customer=company["customer"])
    assert _place(unlimited, company["product"], 50, key="b").status == Order.Status.CONFIRMED


@pytest.mark.parametrize("role", ["approver", "admin"])
def test_an_approvers_or_admins_own_order_never_waits(company, role):
    user = company[role]
    user.spending_limit = Decimal(1)
    user.save()
    assert _place(user, company["product"], 20).status == Order.Status.CONFIRMED


def test_staff_proxy_orders_never_wait(company):
    order = place_proxy_order(
        staff=factories.make_staff(),
        customer=company["customer"],
        items=[(company["product"], 50)],
        idempotency_key="proxy",
        details=CheckoutDetails(),
        now=timezone.now(),
        channel=Order.Channel.PHONE,
    ).order
    assert order.status == Order.Status.CONFIRMED


@pytest.mark.parametrize("role", ["approver", "admin"])
def test_approve_confirms_and_pushes_and_the_timeline_says_who(
    company, role, django_capture_on_commit_callbacks
):
    order = _place(company["buyer"], company["product"], 20)
    api = api_client_for(company[role])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = api.post(f"/api/v1/store/orders/{order.number}/approve", {}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "confirmed"
    decided = body["timeline"][-1]
    assert decided["type"] == "approved"
    assert decided["actor"] == (company[role].full_name or company[role].email)
    assert decided["occurred_at"]
    push = OrderPush.objects.get(order=order)
    assert push.status == OrderPush.Status.PENDING
    assert len(callbacks) == 2  # the push task and the buyer's e-mail, both after commit
    assert Stock.objects.get(product=company["product"]).held == 20  # still held until the ERP absorbs it


def test_reject_cancels_and_releases_the_stock_at_once(company, django_capture_on_commit_callbacks):
    order = _place(company["buyer"], company["product"], 20)
    api = api_client_for(company["approver"])
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            f"/api/v1/store/orders/{order.number}/reject", {"reason": "予算超過です"}, format="json"
        )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "cancelled"
    assert body["timeline"][-1] | {"occurred_at": None} == {
        "type": "rejected",
        "occurred_at": None,
        "tracking_number": "",
        "actor": "承認 太郎",
        "reason": "予算超過です",
    }
    stock = Stock.objects.get(product=company["product"])
    assert (stock.on_hand, stock.held, stock.available) == (100, 0, 100)
    assert StockHold.objects.get(order=order).released_at is not None
    assert not OrderPush.objects.exists()
    (to_buyer,) = [
        m
        for m in OutgoingEmail.objects.filter(kind="approval_decision", to_email="buyer@a.example.jp")
        if "却下" in m.subject
    ]
    assert "予算超過です" in to_buyer.body_text and "予算超過です" in to_buyer.body_html


def test_nobody_else_can_decide_not_even_the_buyer(company):
    order = _place(company["buyer"], company["product"], 20)
    other_company_admin = factories.make_buyer(role="admin")
    colleague = factories.make_buyer(customer=company["customer"])
    for user in (company["buyer"], colleague, other_company_admin):
        api = api_client_for(user)
        for action in ("approve", "reject"):
            response = api.post(f"/api/v1/store/orders/{order.number}/{action}", {}, format="json")
            assert response.status_code == 404, (user, action, response.content)
            assert response.json()["code"] == "order_not_found"
    order.refresh_from_db()
    assert order.status == Order.Status.AWAITING_APPROVAL


def test_deciding_twice_is_harmless_and_a_contrary_decision_is_a_conflict(company):
    order = _place(company["buyer"], company["product"], 20)
    api = api_client_for(company["approver"])
    first = api.post(f"/api/v1/store/orders/{order.number}/approve", {}, format="json")
    again = api_client_for(company["admin"]).post(f"/api/v1/store/orders/{order.number}/approve")
    assert first.status_code == again.status_code == 200
    assert OrderPush.objects.filter(order=order).count() == 1
    assert OrderEvent.objects.filter(order=order, type="approved").count() == 1
    contrary = api.post(f"/api/v1/store/orders/{order.number}/reject", {}, format="json")
    assert contrary.status_code == 409
    assert contrary.json()["code"] == "not_awaiting_approval"
    confirmed = _place(company["approver"], company["product"], 1, key="own")
    assert api.post(f"/api/v1/store/orders/{confirmed.number}/approve").status_code == 409


def test_a_reason_too_long_is_refused_and_changes_nothing(company):
    order = _place(company["buyer"], company["product"], 20)
    api = api_client_for(company["approver"])
    response = api.post(f"/api/v1/store/orders/{order.number}/reject", {"reason": "x" * 501}, format="json")
    assert response.status_code == 400
    order.refresh_from_db()
    assert order.status == Order.Status.AWAITING_APPROVAL


def test_orders_not_decided_in_time_are_cancelled_and_their_stock_released(company, settings):
    settings.ORDER_APPROVAL_EXPIRY_DAYS = 3
    placed_at = timezone.now()
    order = _place(company["buyer"], company["product"], 20, now=placed_at)
    assert approval.cancel_expired_approvals(now=placed_at + timedelta(days=2, hours=23)) == 0
    assert approval.cancel_expired_approvals(now=placed_at + timedelta(days=3, minutes=1)) == 1
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert order.events.last().type == "approval_expired"
    assert Stock.objects.get(product=company["product"]).held == 0
    assert approval.cancel_expired_approvals(now=placed_at + timedelta(days=30)) == 0


@pytest.mark.django_db(transaction=True)
def test_approve_and_reject_racing_decide_once(company):
    order = _place(company["buyer"], company["product"], 20)
    now = timezone.now()
    results = _race(
        [
            lambda: approval.approve_order(approver=company["approver"], number=order.number, now=now),
            lambda: approval.reject_order(approver=company["admin"], number=order.number, now=now),
        ]
    )
    outcomes = sorted(type(r).__name__ for r in results)
    assert outcomes == ["NotAwaitingApproval", "Order"], results
    order.refresh_from_db()
    decided = OrderEvent.objects.filter(order=order, type__in=["approved", "rejected"]).count()
    assert decided == 1
    if order.status == Order.Status.CONFIRMED:
        assert OrderPush.objects.filter(order=order).count() == 1
        assert Stock.objects.get(product=company["product"]).held == 20
    else:
        assert not OrderPush.objects.exists()
        assert Stock.objects.get(product=company["product"]).held == 0


def test_an_awaiting_order_counts_against_the_credit_limit(company):
    from orders.selectors import credit_available

    customer = company["customer"]
    customer.credit_limit = Decimal(100000)
    customer.save()
    order = _place(company["buyer"], company["product"], 20)
    assert credit_available(customer=customer) == Decimal(100000) - order.total


def test_checkout_above_the_limit_stays_within_the_statement_budget(company, assert_max_statements):
    api = api_client_for(company["buyer"])
    for n in range(5):
        factories.make_product(sku=f"APP-X{n}", base_price="5000")
        api.put(f"/api/v1/store/cart/items/APP-X{n}", {"quantity": 1}, format="json")
    with assert_max_statements(20):
        response = _checkout_api(api)
    assert response.json()["status"] == "awaiting_approval"


def test_approve_stays_within_a_small_statement_budget(company, assert_max_statements):
    order = _place(company["buyer"], company["product"], 20)
    api = api_client_for(company["approver"])
    with assert_max_statements(16):
        response = api.post(f"/api/v1/store/orders/{order.number}/approve")
    assert response.status_code == 200


# ---------------------------------------------------------------- storefront pages


def test_the_approvals_page_lists_waiting_orders_for_approvers_only(client, company):
    order = _place(company["buyer"], company["product"], 20)
    client.force_login(company["approver"])
    page = client.get("/orders/approvals/")
    assert page.status_code == 200
    assert order.number in page.content.decode()
    assert "承認待ち" in client.get("/").content.decode()
    client.force_login(company["buyer"])
    assert client.get("/orders/approvals/").status_code == 404
    assert client.post(f"/orders/history/{order.number}/approve/").status_code == 404
    detail = client.get(f"/orders/history/{order.number}/").content.decode()
    assert "承認者の承認後" in detail
    assert f"/orders/history/{order.number}/approve/" not in detail


def test_an_approver_approves_from_the_order_page(client, company):
    order = _place(company["buyer"], company["product"], 20)
    client.force_login(company["admin"])
    detail = client.get(f"/orders/history/{order.number}/").content.decode()
    assert f"/orders/history/{order.number}/approve/" in detail
    response = client.post(f"/orders/history/{order.number}/approve/")
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == Order.Status.CONFIRMED
    detail = client.get(f"/orders/history/{order.number}/").content.decode()
    assert "承認済み" in detail and "admin@a.example.jp" in detail


def test_another_companys_approver_gets_404_on_the_pages(client, company):
    order = _place(company["buyer"], company["product"], 20)
    client.force_login(factories.make_buyer(role="approver"))
    assert client.post(f"/orders/history/{order.number}/reject/").status_code == 404
    assert order.number not in client.get("/orders/approvals/").content.decode()


# ---------------------------------------------------------------- create_buyer --spending-limit


def test_create_buyer_sets_and_keeps_the_spending_limit(capsys):
    customer = factories.make_customer(code="C-LIM")
    args = ["--customer", "C-LIM", "--email", "lim@example.jp", "--password", "long-enough-1"]
    call_command("create_buyer", *args, "--spending-limit", "50,000")
    user = customer.buyers.get()
    assert user.spending_limit == Decimal(50000)
    assert "¥50,000" in capsys.readouterr().out
    call_command("create_buyer", *args, "--role", "buyer")
    user.refresh_from_db()
    assert user.spending_limit == Decimal(50000)
    call_command("create_buyer", *args, "--spending-limit", "")
    user.refresh_from_db()
    assert user.spending_limit is None


@pytest.mark.parametrize("bad", ["-1", "12.5", "abc", "1e30"])
def test_create_buyer_refuses_a_bad_spending_limit(bad, english):
    factories.make_customer(code="C-BAD")
    with pytest.raises(CommandError, match="spending limit"):
        call_command(
            "create_buyer",
            "--customer",
            "C-BAD",
            "--email",
            "bad@example.jp",
            "--password",
            "long-enough-1",
            "--spending-limit",
            bad,
        )


def test_the_approvals_api_lists_waiting_orders_for_approvers_and_admins_only(company):
    waiting = _place(company["buyer"], company["product"], 20, key="big")
    _place(company["buyer"], company["product"], 2, key="small")  # within the limit: confirmed at once
    elsewhere = factories.make_buyer()
    elsewhere.spending_limit = Decimal(1)
    elsewhere.save()
    _place(elsewhere, company["product"], 20, key="other")  # another company's waiting order
    for role in ("approver", "admin"):
        response = api_client_for(company[role]).get("/api/v1/store/approvals")
        assert response.status_code == 200, response.content
        (row,) = response.json()["results"]
        assert row["number"] == waiting.number
        assert (row["status"], row["total"]) == ("awaiting_approval", "22000")
        assert (row["placed_by"], row["placed_by_email"]) == ("buyer@a.example.jp", "buyer@a.example.jp")
    other_approver = factories.make_buyer(customer=elsewhere.customer, role="approver")
    (row,) = api_client_for(other_approver).get("/api/v1/store/approvals").json()["results"]
    assert row["placed_by_email"] == elsewhere.email
    response = api_client_for(company["buyer"]).get("/api/v1/store/approvals")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_the_order_api_timeline_says_who_decided(company):
    order = _place(company["buyer"], company["product"], 20)
    approval.reject_order(
        approver=company["approver"], number=order.number, now=timezone.now(), reason="高い"
    )
    body = api_client_for(company["buyer"]).get(f"/api/v1/store/orders/{order.number}").json()
    assert body["timeline"][-1]["actor"] == "承認 太郎"
    assert body["timeline"][-1]["reason"] == "高い"
