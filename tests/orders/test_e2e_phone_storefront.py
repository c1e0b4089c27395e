"""Issue 16 on a 375 × 812 phone in Chromium: what a buyer sees matches what the cart enforces.

Each journey also runs axe-core (vendored, tests/assets/) on the pages it visits: zero serious
or critical violations. With UPDATE_SCREENSHOTS=1 the screenshots land in docs/img/.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from customers.models import ShipTo
from orders.models import CartLine, Order
from tests import factories
from tests.orders.builders import fill_cart, make_rule
from tests.phone import PHONE_CONTEXT, assert_accessible, log_in, page_width, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ACCENT = "rgb(11, 92, 173)"


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, **PHONE_CONTEXT}


def test_product_page_and_cart_state_the_same_limits_for_overlapping_rules(live_server, page, tmp_path):
    bolts = factories.make_category(code="BOLT", name="ボルト")
    factories.make_product(sku="BOL-1", name="六角ボルト M8", category=bolts, moq=50, on_hand=10000)
    make_rule(code="moq-bolts", kind="minimum_quantity", quantity=100, scope={"categories": ["BOLT"]})
    make_rule(code="bolt-boxes", kind="order_multiple", quantity=121, scope={"skus": ["BOL-1"]})
    buyer = factories.make_buyer()
    log_in(page, live_server.url, buyer.email, "buyer-pass-123")

    page.goto(f"{live_server.url}/products/BOL-1/")
    on_product_page = page.get_by_test_id("limits").inner_text()
    assert on_product_page == "ご注文は121個以上、121個単位で"
    expect(page.get_by_label("数量（個）")).to_have_value("121")
    assert_accessible(page)
    screenshot(page, "phone-1-product", tmp_path)

    page.goto(f"{live_server.url}/orders/quick/")
    page.get_by_label("品番と数量 (1行に1商品)").fill("BOL-1 50")
    page.get_by_role("button", name="カートに入れる").click()
    expect(page).to_have_url(re.compile(r"/orders/cart/$"))
    line = page.locator("#line-BOL-1")
    assert line.get_by_test_id("limits").inner_text() == on_product_page
    # One instruction for the three rules, not "最低50個" plus three separate violations.
    expect(line.locator(".violation")).to_have_count(1)
    expect(line.locator(".violation")).to_have_text("121個以上、121個単位でご注文ください (現在 50個)")
    assert_accessible(page)
    screenshot(page, "phone-2-cart", tmp_path)


def test_bad_quantities_are_refused_next_to_the_field_and_change_nothing(live_server, page):
    product = factories.make_product(sku="TAP-1", name="布テープ", base_price="300")
    buyer = factories.make_buyer()
    fill_cart(buyer, (product, 10))
    log_in(page, live_server.url, buyer.email, "buyer-pass-123")
    page.goto(f"{live_server.url}/orders/cart/")

    for typed, message in [
        ("-1", "数量は1以上の整数で入力してください"),
        ("abc", "数量は整数で入力してください"),
        ("99999999", "数量が大きすぎます"),
    ]:
        field = page.locator("#qty-TAP-1")
        field.fill(typed)
        page.locator("#line-TAP-1").get_by_role("button", name="更新").click()
        error = page.locator("#line-TAP-1").get_by_test_id("quantity-error")
        expect(error).to_contain_text(message)
        expect(page.locator("#qty-TAP-1")).to_have_value(typed)  # what the buyer typed stays
        expect(page.locator("#qty-TAP-1")).to_have_attribute("aria-invalid", "true")
        assert CartLine.objects.get().quantity == 10  # nothing changed
    assert_accessible(page)

    page.goto(f"{live_server.url}/products/")
    expect(page.locator(".messages")).to_have_count(0)  # no stale error on the next page


def test_a_disabled_checkout_looks_disabled_and_says_why(live_server, page, tmp_path):
    make_rule(code="min-amount", kind="minimum_order_amount", amount="3000")
    product = factories.make_product(sku="PEN-1", name="ボールペン 青", base_price="100")
    buyer = factories.make_buyer()
    fill_cart(buyer, (product, 10))
    log_in(page, live_server.url, buyer.email, "buyer-pass-123")

    page.goto(f"{live_server.url}/orders/cart/")
    proceed = page.get_by_role("button", name="注文手続きへ")
    expect(proceed).to_be_disabled()
    assert proceed.evaluate("b => getComputedStyle(b).backgroundColor") != ACCENT
    assert proceed.evaluate("b => getComputedStyle(b).cursor") == "not-allowed"
    expect(page.get_by_text("最低ご注文金額は¥3,000です")).to_be_visible()
    expect(page.locator("#checkout-blocked")).to_be_visible()

    page.goto(f"{live_server.url}/orders/checkout/")
    place = page.get_by_role("button", name="注文を確定する")
    expect(place).to_be_disabled()
    assert place.evaluate("b => getComputedStyle(b).backgroundColor") != ACCENT
    reason = page.get_by_test_id("checkout-blocked")
    expect(reason).to_contain_text("最低ご注文金額は¥3,000です")
    expect(reason.get_by_role("link", name="カートで修正する")).to_be_visible()
    assert_accessible(page)
    reason.scroll_into_view_if_needed()
    screenshot(page, "phone-3-checkout-blocked", tmp_path)


def test_add_to_cart_from_the_list_with_the_stepper(live_server, page, tmp_path):
    customer = factories.make_customer()
    pen = factories.make_product(
        sku="PEN-1", name="ボールペン 青", base_price="120", moq=10, order_multiple=10, on_hand=500
    )
    factories.make_price(product=pen, customer=customer, unit_price="98")
    factories.make_product(sku="TEA-1", name="緑茶 500ml", unit="本", moq=24, order_multiple=24, on_hand=5)
    buyer = factories.make_buyer(customer=customer)
    log_in(page, live_server.url, buyer.email, "buyer-pass-123")

    page.goto(f"{live_server.url}/products/")
    header = page.locator(".site-header").bounding_box()
    assert header is not None and header["height"] <= 60  # brand, search and cart on one line
    expect(page.get_by_test_id("result-count")).to_contain_text("2件")
    row = page.locator("#product-PEN-1")
    expect(row).to_contain_text("あなたの価格")
    expect(row.get_by_test_id("unit-price")).to_have_text("¥98")
    expect(row.locator(".list-price")).to_contain_text("¥120")
    expect(row.get_by_label("数量（個）")).to_have_value("10")
    row.get_by_role("button", name="10増やす").click()
    expect(row.get_by_label("数量（個）")).to_have_value("20")
    row.get_by_role("button", name="カートに入れる").click()
    expect(row.locator(".added")).to_contain_text("カート")
    expect(page.locator("#cart-count")).to_have_text("1")
    assert CartLine.objects.get().quantity == 20

    # 5 left of a product sold by 24: the badge says so and the button is off, with the reason.
    tea = page.locator("#product-TEA-1")
    expect(tea.get_by_role("button", name="カートに入れる")).to_be_disabled()
    expect(tea.get_by_test_id("limits-help")).to_contain_text("在庫は5本")
    expect(tea.locator(".badge")).to_have_text("最低ご注文数に満たない在庫")
    assert page_width(page) <= 375
    assert_accessible(page)
    screenshot(page, "phone-0-list", tmp_path)


def test_postal_code_fills_prefecture_and_address_for_a_new_ship_to(live_server, page):
    admin = factories.make_buyer(role="admin")
    log_in(page, live_server.url, admin.email, "buyer-pass-123")
    page.goto(f"{live_server.url}/company/")
    page.get_by_label("納品先名").fill("浦和倉庫")
    page.get_by_label("郵便番号").fill("330-0061")
    expect(page.get_by_label("都道府県")).to_have_value("埼玉県")
    expect(page.get_by_label("住所")).to_have_value("さいたま市浦和区常盤")
    page.get_by_label("住所").fill("さいたま市浦和区常盤1-2-3")
    assert_accessible(page)
    page.get_by_role("button", name="追加する").click()
    expect(page.get_by_text("〒330-0061 埼玉県さいたま市浦和区常盤1-2-3")).to_be_visible()
    assert ShipTo.objects.get(customer=admin.customer).prefecture == "埼玉県"


def test_a_long_po_number_does_not_widen_the_page(live_server, page, tmp_path):
    product = factories.make_product(sku="PEN-1", name="ボールペン 青", base_price="100")
    buyer = factories.make_buyer()
    fill_cart(buyer, (product, 10))
    log_in(page, live_server.url, buyer.email, "buyer-pass-123")
    page.goto(f"{live_server.url}/orders/checkout/")
    po = "PO" + "7" * 62
    page.get_by_label("貴社発注番号").fill(po)
    assert page_width(page) <= 375
    page.get_by_role("button", name="注文を確定する").click()
    expect(page.get_by_role("heading", name="ご注文ありがとうございます")).to_be_visible()
    expect(page.get_by_text(po)).to_be_visible()
    assert page_width(page) == 375
    # Left on "as soon as possible": the confirmation names the day.
    expect(page.get_by_test_id("delivery-date")).to_have_text(re.compile(r"\d{4}年\d{1,2}月\d{1,2}日"))
    assert Order.objects.get().po_number == po
    assert_accessible(page)
    screenshot(page, "phone-4-placed", tmp_path)

    # The other main pages: history (searchable), home, quick order; none wider than the phone.
    for path in ("/orders/history/?q=PO", "/", "/orders/quick/"):
        page.goto(live_server.url + path)
        assert page_width(page) <= 375, path
        assert_accessible(page)
    page.goto(live_server.url + "/orders/history/")
    expect(page.get_by_text(po)).to_be_visible()
    screenshot(page, "phone-5-history", tmp_path)


def test_an_english_session_sees_english_names_and_finds_them(live_server, page):
    bolts = factories.make_category(code="BOLT", name="ボルト")
    bolts.name_en = "Bolts"
    bolts.save()
    factories.make_product(sku="BOL-1", name="六角ボルト M8", name_en="Hex bolt M8", category=bolts)
    buyer = factories.make_buyer()
    log_in(page, live_server.url, buyer.email, "buyer-pass-123")
    page.goto(f"{live_server.url}/products/")
    page.locator("#lang-select").select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.get_by_role("searchbox", name="Search the shop").fill("hex bolt")
    page.get_by_role("searchbox", name="Search the shop").press("Enter")
    row = page.locator("#product-BOL-1")
    expect(row.get_by_role("link", name="Hex bolt M8")).to_be_visible()
    expect(row).to_contain_text("/ pcs")
    row.get_by_role("link", name="Hex bolt M8").click()
    expect(page.get_by_role("heading", name="Hex bolt M8")).to_be_visible()
    expect(page.get_by_role("link", name="Bolts")).to_be_visible()
    assert_accessible(page)
