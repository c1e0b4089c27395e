"""よく買う商品: a buyer's frequently bought items, one tap to the cart; quick order takes JAN codes."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from orders.models import Order
from orders.services.quick_order import quick_order
from tests import factories
from tests.orders.erp_builders import make_confirmed_order


def _history(buyer):
    tea = factories.make_product(sku="TEA-1", name="緑茶 500ml", base_price="150")
    pen = factories.make_product(sku="PEN-1", name="ボールペン", base_price="80")
    old = factories.make_product(sku="OLD-1", name="廃番品", base_price="10")
    now = timezone.now()
    for days in (30, 20, 10):
        make_confirmed_order(buyer=buyer, items=[(tea, 24)], placed_at=now - timedelta(days=days), push=False)
    make_confirmed_order(
        buyer=buyer, items=[(pen, 5), (old, 1)], placed_at=now - timedelta(days=5), push=False
    )
    cancelled = make_confirmed_order(
        buyer=buyer, items=[(pen, 9)], placed_at=now - timedelta(days=1), push=False
    )
    Order.objects.filter(pk=cancelled.pk).update(status="cancelled")
    old.active = False
    old.save()
    return tea, pen


@pytest.mark.django_db
def test_favourites_list_most_often_bought_first_with_the_last_quantity(client):
    buyer = factories.make_buyer()
    _history(buyer)
    other = factories.make_buyer()  # another company's history never shows
    make_confirmed_order(buyer=other, push=False)
    client.force_login(buyer)
    html = client.get("/favourites/").content.decode()
    assert html.index("緑茶 500ml") < html.index("ボールペン")
    assert "廃番品" not in html
    assert 'value="24"' in html and 'value="5"' in html  # not the cancelled 9
    assert "3日ご注文" in html


@pytest.mark.django_db
def test_quick_order_accepts_jan_codes():
    buyer = factories.make_buyer()
    product = factories.make_product(sku="JAN-ITEM", jan_code="4901234567894")
    result = quick_order(buyer=buyer, text="4901234567894 6\n4900000000000 1")
    assert [(line.product_id, line.quantity) for line in buyer.cart.lines.all()] == [(product.id, 6)]
    assert len(result.errors) == 1 and "4900000000000" in result.errors[0].message


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_buyer_orders_from_favourites_on_a_phone(live_server, page):
    buyer = factories.make_buyer(password="buyer-pass-123")
    _history(buyer)
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", buyer.email)
    page.fill("#id_password", "buyer-pass-123")
    page.get_by_role("button", name="ログイン").click()

    page.get_by_role("link", name="よく買う商品").click()
    expect(page.locator("#fav-TEA-1")).to_contain_text("緑茶 500ml")
    page.locator("#fav-TEA-1").get_by_role("button").click()  # one tap: the usual 24
    expect(page.get_by_text("カートに追加しました").or_(page.get_by_text("緑茶 500ml").first)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    page.goto(f"{live_server.url}/orders/cart/")
    expect(page.locator("#qty-TEA-1")).to_have_value("24")
    page.get_by_role("link", name="注文手続きへ").click()
    page.get_by_role("button", name="注文を確定する").click()
    expect(page.get_by_role("heading", name="ご注文ありがとうございます")).to_be_visible()
    order = Order.objects.filter(channel="web").order_by("-id").first()
    assert order is not None and [(line.sku, line.quantity) for line in order.lines.all()] == [("TEA-1", 24)]
    assert re.match(r"^B\d{6}-", order.number)


@pytest.mark.django_db
def test_favourites_leave_out_products_hidden_from_the_company_since(client):
    from catalog.services import VisibilityTargets, replace_visibility

    buyer = factories.make_buyer()
    _history(buyer)
    replace_visibility(
        customer_code=buyer.customer.code, hide=VisibilityTargets(skus=("TEA-1",)), allow=VisibilityTargets()
    )
    client.force_login(buyer)
    html = client.get("/favourites/").content.decode()
    assert "緑茶 500ml" not in html and "ボールペン" in html
