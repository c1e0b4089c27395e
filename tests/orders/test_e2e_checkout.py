"""The buyer journey on a phone in a real browser: below MOQ, fix it, see the fee and hint, order, see it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from orders.models import Order
from tests import factories
from tests.orders.builders import make_rule


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_buyer_journey_on_a_phone(live_server, page):
    make_rule(
        code="case-units", kind="order_multiple", use_case_quantity=True, scope={"categories": ["DRINK"]}
    )
    make_rule(code="small-order-fee", kind="small_order_fee", below="10000", fee="500", tax_rate="10")
    factories.make_product(
        sku="DRI-1",
        name="緑茶 500ml",
        base_price="150",
        case_quantity=12,
        category=factories.make_category(code="DRINK"),
        tax_rate=8,
    )
    buyer = factories.make_buyer(password="buyer-pass-123")
    page.set_viewport_size({"width": 375, "height": 812})

    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", buyer.email)
    page.fill("#id_password", "buyer-pass-123")
    page.get_by_role("button", name="ログイン").click()

    page.goto(f"{live_server.url}/orders/quick/")
    page.get_by_label("品番と数量 (1行に1商品)").fill("DRI-1 10")
    page.get_by_role("button", name="カートに入れる").click()
    expect(page).to_have_url(re.compile(r"/orders/cart/$"))
    line = page.locator("#line-DRI-1")
    expect(line.get_by_text("12個単位でご注文ください (現在 10個)")).to_be_visible()
    expect(page.get_by_role("button", name="注文手続きへ")).to_be_disabled()

    line.get_by_role("button", name="12増やす").click()  # the stepper jumps to the next whole case
    expect(page.locator("#qty-DRI-1")).to_have_value("12")
    expect(page.get_by_text("12個単位でご注文ください")).to_have_count(0)
    expect(page.locator("tr.fee")).to_contain_text("小口手数料")
    expect(page.locator("tr.fee")).to_contain_text("¥500")
    expect(page.get_by_text("あと¥8,200のご注文で小口手数料¥500が不要になります")).to_be_visible()

    page.get_by_role("link", name="注文手続きへ").click()
    page.get_by_label("貴社発注番号").fill("PO-E2E")
    page.get_by_role("button", name="注文を確定する").click()
    expect(page.get_by_role("heading", name="ご注文ありがとうございます")).to_be_visible()
    number = Order.objects.get().number
    expect(page.get_by_text(number).first).to_be_visible()

    page.get_by_role("link", name="注文履歴").first.click()
    expect(page.get_by_role("link", name=number)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
