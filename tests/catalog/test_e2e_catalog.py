"""Browser journey on a phone: log in, search in hiragana, open a product, see this company's own price."""

from __future__ import annotations

import pytest

from tests import factories

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_context_args(browser_context_args):
    """A Japanese phone: ja-JP Accept-Language, 375×812 CSS pixels, touch."""
    return {
        **browser_context_args,
        "locale": "ja-JP",
        "viewport": {"width": 375, "height": 812},
        "has_touch": True,
        "is_mobile": True,
    }


def test_buyer_on_a_phone_searches_and_sees_their_own_price(live_server, page):
    customer = factories.make_customer(name="株式会社テスト商事")
    other = factories.make_customer()
    pen = factories.make_product(
        sku="PEN-00042", name="ボールペン 青", base_price="120", on_hand=500, moq=10, order_multiple=10
    )
    factories.make_product(sku="TAP-00001", name="布テープ", base_price="300")
    factories.make_price(product=pen, customer=customer, unit_price="98")
    factories.make_price(product=pen, customer=other, unit_price="50")  # someone else's deal: never shown
    factories.make_buyer(customer=customer, email="buyer@example.jp", password="buyer-pass-123")

    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(live_server.url + "/")
    assert "/login/" in page.url  # closed catalog
    page.get_by_label("メールアドレス").fill("buyer@example.jp")
    page.get_by_label("パスワード").fill("buyer-pass-123")
    page.get_by_role("button", name="ログイン").click()

    page.get_by_label("商品を検索").fill("ぼーるぺん")
    page.get_by_role("button", name="検索", exact=True).click()
    page.wait_for_url("**/products/?q=*")
    results = page.locator(".product-row")
    assert results.count() == 1
    assert "¥98" in results.first.inner_text()

    page.get_by_role("link", name="ボールペン 青").click()
    page.wait_for_url("**/products/PEN-00042/")
    price = page.get_by_test_id("unit-price").inner_text()
    assert "¥98" in price and "¥120" not in price and "¥50" not in price
    assert page.get_by_text("在庫あり").is_visible()
    quantity = page.get_by_label("数量（個）")
    assert quantity.get_attribute("min") == "10" and quantity.get_attribute("step") == "10"
    assert page.get_by_role("button", name="カートに入れる").is_visible()
    # Mobile-first: nothing overflows a 375 px screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
