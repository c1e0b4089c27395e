"""Approval end to end on a phone: a buyer over their limit orders, the approver approves, the ERP gets it."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from orders import outbox
from orders.models import Order, OrderPush
from tests import factories


def _login(page, base_url, email, password):
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", password)
    page.get_by_role("button", name="ログイン").click()


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_buyer_over_limit_then_approver_on_a_phone_then_the_erp(live_server, page, httpserver, erp_url):
    factories.make_product(sku="APP-1", name="業務用コピー用紙 A4", base_price="1000", on_hand=100)
    customer = factories.make_customer()
    buyer = factories.make_buyer(customer=customer, email="buyer@e2e.example.jp", password="buyer-pass-123")
    buyer.spending_limit = Decimal(10000)
    buyer.save()
    approver = factories.make_buyer(
        customer=customer, email="boss@e2e.example.jp", password="boss-pass-123", role="approver"
    )
    httpserver.expect_request("/orders", method="POST").respond_with_json({}, status=201)
    page.set_viewport_size({"width": 375, "height": 812})

    _login(page, live_server.url, buyer.email, "buyer-pass-123")
    page.goto(f"{live_server.url}/orders/quick/")
    page.get_by_label("品番と数量 (1行に1商品)").fill("APP-1 20")
    page.get_by_role("button", name="カートに入れる").click()
    page.get_by_role("link", name="注文手続きへ").click()
    page.get_by_role("button", name="注文を確定する").click()
    expect(page.get_by_text("貴社の承認者の承認後に手配されます")).to_be_visible()
    order = Order.objects.get()
    assert order.status == Order.Status.AWAITING_APPROVAL
    assert not OrderPush.objects.exists()
    page.get_by_role("button", name="ログアウト").click()

    _login(page, live_server.url, approver.email, "boss-pass-123")
    page.get_by_role("link", name="承認待ち").click()
    card = page.locator(f"#approval-{order.number}")
    expect(card).to_contain_text("¥22,000")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    card.get_by_role("button", name="承認する").click()
    expect(page.get_by_text(f"注文 {order.number} を承認しました")).to_be_visible()
    expect(page.get_by_text("承認待ちの注文はありません")).to_be_visible()

    page.goto(f"{live_server.url}/orders/history/{order.number}/")
    expect(page.locator(".timeline")).to_contain_text("承認済み")
    expect(page.locator(".timeline")).to_contain_text(approver.email)

    # The outbox drained by the push function itself, as the Celery task would.
    push = OrderPush.objects.get(order=order)
    assert outbox.deliver_order_push(outbox_id=push.id, now=timezone.now()).outcome == "sent"
    (request, _response), *_ = httpserver.log
    assert request.headers["Idempotency-Key"] == order.number
    body = json.loads(request.get_data())
    assert body["number"] == order.number
    assert body["lines"][0]["quantity"] == 20
    assert re.fullmatch(r"\d+", body["total"]) and body["total"] == "22000"
