"""The order page in admin reads like a document: ¥ amounts, Japanese labels, tables, raw JSON only behind 詳細."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from orders.services.checkout import CheckoutDetails, place_order
from tests import factories
from tests.orders.builders import fill_cart, make_rule

pytestmark = pytest.mark.django_db


def placed_order():
    """A real checkout: 3 bolts at ¥1,200 (10 %) and 10 teas at ¥150 (8 %), below the ¥10,000 small-order line."""
    make_rule(code="small-order-fee", kind="small_order_fee", below="10000", fee="500", tax_rate="10")
    make_rule(code="min-qty-tea", kind="minimum_quantity", quantity=6, scope={"skus": ["TEA-1"]})
    bolt = factories.make_product(sku="BOLT-1", name="六角ボルト M8", base_price="1200")
    tea = factories.make_product(sku="TEA-1", name="緑茶 500ml", base_price="150", tax_rate=8)
    customer = factories.make_customer(name="株式会社見本商事")
    factories.make_ship_to(customer=customer, prefecture="大阪府", is_default=True)
    buyer = factories.make_buyer(customer=customer)
    buyer.full_name = "発注 花子"
    buyer.save()
    fill_cart(buyer, (bolt, 3), (tea, 10))
    return place_order(
        buyer=buyer, idempotency_key="k-1", details=CheckoutDetails(), now=timezone.now()
    ).order


def _visible_text(html: str) -> str:
    """The page without the raw-JSON toggle's body (what a person sees before opening 詳細)."""
    html = re.sub(r"<details class=\"raw-json\">.*?</details>", "", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def test_the_order_page_shows_tables_yen_and_no_raw_json(admin_client):
    order = placed_order()
    html = admin_client.get(f"/admin/orders/order/{order.pk}/change/").content.decode()
    text = _visible_text(html)
    assert "¥3,600" in text and "¥1,500" in text  # line amounts
    assert "¥500" in text and "小口手数料" in text  # the fee by its name, not "small_order_fee"
    assert "small_order_fee" not in text
    assert "¥10,000未満で¥500" in text  # the rule applied, with its values
    assert "6個以上" in text and "TEA-1" in text
    assert f"{order.total:,}" in text.replace("¥", "")
    assert "〒530-0001 大阪府大阪市北区1-1" in text  # the ship-to as an address
    assert "発注 花子" in text
    for english in ["Idempotency key", "Cart fingerprint", "Placed by", "CUSTOMER", "object ("]:
        assert english not in text
    assert '"idempotency_key"' not in text and "{&quot;" not in text
    assert '<details class="raw-json"><summary>詳細</summary>' in html


def test_the_order_list_shows_totals_in_yen(admin_client):
    order = placed_order()
    html = admin_client.get("/admin/orders/order/").content.decode()
    assert f"¥{order.total:,}" in html
    assert "株式会社見本商事" in html


def test_money_columns_in_other_lists_read_in_yen(admin_client):
    product = factories.make_product(sku="YEN-1", base_price="10548")
    factories.make_price(product=product, unit_price="0.85")
    assert "¥10,548" in admin_client.get("/admin/catalog/product/").content.decode()
    assert "¥0.85" in admin_client.get("/admin/catalog/price/").content.decode()


def test_the_order_page_offers_no_save_button(admin_client):
    order = placed_order()
    html = admin_client.get(f"/admin/orders/order/{order.pk}/change/").content.decode()
    assert 'name="_save"' not in html and 'name="_continue"' not in html
