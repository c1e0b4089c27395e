"""Cross-sell ("customers who buy this also buy") and the small-order hint with usual items."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalog.services import VisibilityTargets, replace_visibility
from engagement import cross_sell, services
from engagement.models import CrossSell
from mail.models import OutgoingEmail
from orders.models import Order
from tests import factories
from tests.orders.builders import fill_cart, make_rule
from tests.orders.erp_builders import make_confirmed_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop():
    """Tea is bought with cups by three companies, with sugar by two, with a drill by two, with a lid by one."""
    tools = factories.make_category(code="TOOLS", name="工具")
    tea = factories.make_product(sku="TEA", name="緑茶", base_price="100")
    cups = factories.make_product(sku="CUP", name="紙コップ", base_price="300")
    sugar = factories.make_product(sku="SUG", name="砂糖", base_price="200")
    drill = factories.make_product(sku="DRL", name="電動ドリル", base_price="5000", category=tools)
    lid = factories.make_product(sku="LID", name="フタ", base_price="50")
    for _i in range(3):
        make_confirmed_order(items=[(tea, 10), (cups, 5)], push=False)
    for _i in range(2):
        make_confirmed_order(items=[(tea, 10), (sugar, 1), (drill, 1)], push=False)
    make_confirmed_order(items=[(tea, 10), (lid, 1)], push=False)
    cancelled = make_confirmed_order(items=[(tea, 1), (lid, 1)], push=False)
    Order.objects.filter(pk=cancelled.pk).update(status=Order.Status.CANCELLED)
    return {"tea": tea, "cups": cups, "sugar": sugar, "drill": drill, "lid": lid}


def _skus(suggestions) -> list[str]:
    return [s.product.sku for s in suggestions]


def _for(customer, *products) -> list[str]:
    now = timezone.now()
    return _skus(
        cross_sell.cross_sell_for(
            customer=customer, product_ids=[p.id for p in products], on=timezone.localdate(now), now=now
        )
    )


def test_pairs_bought_together_by_enough_customers_are_stored_most_customers_first(shop):
    run = cross_sell.compute_cross_sell(now=timezone.now())
    pairs = dict(
        CrossSell.objects.filter(product=shop["tea"])
        .values_list("related__sku", "customers")
        .order_by("rank")
    )
    assert pairs == {"CUP": 3, "SUG": 2, "DRL": 2}  # the lid: one customer (and one cancelled order)
    assert run.pairs == CrossSell.objects.count()
    again = cross_sell.compute_cross_sell(now=timezone.now())  # rebuilt, not added to
    assert again.pairs == run.pairs == CrossSell.objects.count()


def test_dry_run_counts_and_stores_nothing(shop, capsys):
    call_command("compute_cross_sell", "--dry-run")
    assert "would store" in capsys.readouterr().out
    assert not CrossSell.objects.exists()
    call_command("compute_cross_sell")
    assert CrossSell.objects.filter(product=shop["tea"]).count() == 3


def test_a_new_customer_sees_what_others_buy_with_the_product(shop):
    cross_sell.compute_cross_sell(now=timezone.now())
    assert _for(factories.make_customer(), shop["tea"]) == ["CUP", "SUG", "DRL"]


def test_what_the_customer_already_buys_is_left_out(shop):
    cross_sell.compute_cross_sell(now=timezone.now())
    buyer = factories.make_buyer()
    make_confirmed_order(buyer=buyer, items=[(shop["cups"], 1)], push=False)
    assert _for(buyer.customer, shop["tea"]) == ["SUG", "DRL"]
    assert _for(buyer.customer, shop["tea"], shop["sugar"]) == ["DRL"]  # cart lines are never suggested


def test_a_price_group_sees_only_its_products_at_its_prices(shop):
    cross_sell.compute_cross_sell(now=timezone.now())
    group = factories.make_price_group(code="RETAIL")
    factories.make_price(product=shop["cups"], price_group=group, unit_price="240")
    replace_visibility(
        price_group_code="RETAIL", hide=VisibilityTargets(categories=("TOOLS",)), allow=VisibilityTargets()
    )
    customer = factories.make_customer(price_group=group)
    now = timezone.now()
    found = cross_sell.cross_sell_for(
        customer=customer, product_ids=[shop["tea"].id], on=timezone.localdate(now), now=now
    )
    assert [(s.product.sku, s.unit_price) for s in found] == [
        ("CUP", Decimal("240")),
        ("SUG", Decimal("200")),
    ]
    assert _for(factories.make_customer(), shop["tea"]) == ["CUP", "SUG", "DRL"]  # other groups unchanged


def test_deactivated_products_are_not_suggested(shop):
    cross_sell.compute_cross_sell(now=timezone.now())
    shop["cups"].active = False
    shop["cups"].save()
    assert _for(factories.make_customer(), shop["tea"]) == ["SUG", "DRL"]


def test_the_product_page_fragment_shows_suggestions_and_hides_hidden_products(shop, client):
    cross_sell.compute_cross_sell(now=timezone.now())
    group = factories.make_price_group(code="RETAIL")
    replace_visibility(
        price_group_code="RETAIL", hide=VisibilityTargets(categories=("TOOLS",)), allow=VisibilityTargets()
    )
    buyer = factories.make_buyer(customer=factories.make_customer(price_group=group))
    client.force_login(buyer)
    page = client.get("/products/TEA/").content.decode()
    assert 'hx-get="/cross-sell/?product=TEA"' in page
    html = client.get("/cross-sell/", {"product": "TEA"}).content.decode()
    assert "この商品を買った会社はこちらも購入しています" in html
    assert "紙コップ" in html and "砂糖" in html and "電動ドリル" not in html
    assert client.get("/cross-sell/", {"product": "DRL"}).status_code == 404  # hidden: 404, not 403


def _usual(buyer, product, quantity, *days_ago):
    now = timezone.now()
    for days in days_ago:
        make_confirmed_order(
            buyer=buyer, items=[(product, quantity)], placed_at=now - timedelta(days=days), push=False
        )


def test_the_small_order_hint_suggests_usual_items_that_lift_the_order_above_the_fee(client):
    make_rule(code="small-order-fee", kind="small_order_fee", below="10000", fee="500", tax_rate="10")
    buyer = factories.make_buyer()
    paper = factories.make_product(sku="PAPER", name="コピー用紙", base_price="300")
    clips = factories.make_product(sku="CLIP", name="クリップ", base_price="100")
    hidden = factories.make_product(sku="HID", name="非表示品", base_price="1000")
    pens = factories.make_product(sku="PEN", name="ボールペン", base_price="100")
    _usual(buyer, paper, 10, 40, 20)  # usually 10 × ¥300 = ¥3,000
    _usual(buyer, clips, 2, 40, 20, 10)  # usually 2 × ¥100 = ¥200: too small to help
    _usual(buyer, hidden, 5, 30)
    replace_visibility(
        customer_code=buyer.customer.code, hide=VisibilityTargets(skus=("HID",)), allow=VisibilityTargets()
    )
    fill_cart(buyer, (pens, 80))  # ¥8,000: ¥2,000 short of ¥10,000
    client.force_login(buyer)
    assert "engagement/_cross_sell.html" in [t.name for t in client.get("/orders/cart/").templates]
    html = client.get("/cross-sell/").content.decode()
    assert 'id="hint-PAPER"' in html and "¥3,000" in html
    assert 'id="hint-CLIP"' not in html and "非表示品" not in html
    assert "小口手数料¥500" in html

    response = client.post("/orders/cart/add/", {"sku": "PAPER", "quantity": "10", "next": "/orders/cart/"})
    assert response.status_code == 302
    assert 'id="hint-PAPER"' not in client.get("/cross-sell/").content.decode()  # ¥11,000: no fee, no hint


def test_the_hint_follows_the_rule_threshold_not_a_fixed_number():
    make_rule(code="small-order-fee", kind="small_order_fee", below="20000", fee="800", tax_rate="10")
    buyer = factories.make_buyer()
    paper = factories.make_product(sku="PAPER", base_price="300")
    pens = factories.make_product(sku="PEN", base_price="100")
    _usual(buyer, paper, 10, 40, 20)
    fill_cart(buyer, (pens, 80))  # ¥12,000 short: ¥3,000 of paper is not enough
    from orders.services.cart import buyer_cart

    hint = cross_sell.small_order_suggestions(
        state=buyer_cart(buyer=buyer, on=timezone.localdate()), on=timezone.localdate()
    )
    assert hint is not None and (hint.missing, hint.fee, hint.suggestions) == (
        Decimal(12000),
        Decimal(800),
        [],
    )


def test_reminder_emails_carry_what_goes_with_the_due_items(shop):
    cross_sell.compute_cross_sell(now=timezone.now())
    buyer = factories.make_buyer()
    _usual(buyer, shop["tea"], 10, 30, 20, 10)
    run = services.send_reminders(on=timezone.localdate(), now=timezone.now())
    assert run.emails == 1
    email = OutgoingEmail.objects.get(kind="reorder_reminder")
    assert "こちらも購入" in email.body_text and "紙コップ" in email.body_text
    assert "紙コップ" in email.body_html


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_buyer_sees_cross_sell_on_the_product_page_and_the_usual_item_hint_in_the_cart(live_server, page):
    from playwright.sync_api import expect

    make_rule(code="small-order-fee", kind="small_order_fee", below="10000", fee="500", tax_rate="10")
    tea = factories.make_product(sku="TEA", name="緑茶", base_price="100")
    cups = factories.make_product(sku="CUP", name="紙コップ", base_price="300")
    for _i in range(2):
        make_confirmed_order(items=[(tea, 10), (cups, 5)], push=False)
    cross_sell.compute_cross_sell(now=timezone.now())
    buyer = factories.make_buyer(password="buyer-pass-123")
    paper = factories.make_product(sku="PAPER", name="コピー用紙", base_price="1000")
    _usual(buyer, paper, 10, 40, 20)  # usually ¥10,000: enough to lift one tea (¥100) above ¥10,000
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", buyer.email)
    page.fill("#id_password", "buyer-pass-123")
    page.get_by_role("button", name="ログイン").click()

    page.goto(f"{live_server.url}/products/TEA/")
    expect(page.locator("#xs-CUP")).to_contain_text("紙コップ")
    page.locator("form.add-to-cart button[type=submit]").click()
    page.goto(f"{live_server.url}/orders/cart/")
    expect(page.locator("#hint-PAPER")).to_contain_text("コピー用紙")
    page.locator("#hint-PAPER").get_by_role("button").click()
    expect(page.locator("#qty-PAPER")).to_have_value("10")
    expect(page.locator("#hint-PAPER")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_cross_sell_reads_a_fixed_number_of_statements_whatever_the_cart(shop):
    cross_sell.compute_cross_sell(now=timezone.now())
    customer = factories.make_customer()
    now = timezone.now()
    counts = []
    for products in ([shop["tea"]], [shop["tea"], shop["cups"], shop["sugar"], shop["lid"]]):
        with CaptureQueriesContext(connection) as queries:
            cross_sell.cross_sell_for(
                customer=customer, product_ids=[p.id for p in products], on=timezone.localdate(now), now=now
            )
        counts.append(len(queries))
    # 3 reads plus the cache-version read (b2bshop.versions) of the cached visibility check.
    assert counts[0] == counts[1] <= 4
