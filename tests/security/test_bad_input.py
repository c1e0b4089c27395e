"""Hand-made hostile requests (issue 14, "bad input found from outside"): each is a 4xx with the
contract's error body and changes nothing; none is a 500."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import override_settings
from django.utils import timezone

from catalog.models import Price, Product, Stock
from integration.models import ApiCallLog
from tests import factories

pytestmark = pytest.mark.django_db

PRODUCT = {
    "name": "六角ボルト",
    "unit": "個",
    "base_price": "12.50",
    "tax_rate": "10",
    "active": True,
}


def assert_error_shape(response, status):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) >= {"code", "message", "details"}
    assert body["message"]
    return body


# ---------------------------------------------------------------- NUL bytes
@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/store/products?search=%00",
        "/api/v1/store/orders/X%00",
        "/api/v1/store/cart/items/A%00B",
        "/api/v1/store/orders?page=%00",
    ],
)
def test_nul_in_store_api_is_a_json_400(store, url):
    assert_error_shape(store.get(url), 400)


@pytest.mark.parametrize(
    "url", ["/api/v1/erp/customers/X%00", "/api/v1/erp/orders/X%00", "/api/v1/erp/orders?updated_since=%00"]
)
def test_nul_in_erp_api_is_a_json_400_and_the_call_is_logged(erp, url):
    assert_error_shape(erp.get(url), 400)
    logged = ApiCallLog.objects.get()
    assert logged.status_code == 400
    assert "\x00" not in logged.path + logged.query
    assert "%00" in logged.path + logged.query


def test_nul_in_a_page_address_is_a_404(buyer_client):
    assert buyer_client.get("/products/?q=%00").status_code == 404
    assert buyer_client.get("/orders/X%00/").status_code == 404


def test_a_nul_in_a_json_string_is_a_field_error(erp):
    response = erp.put("/api/v1/erp/products/NUL-1", {**PRODUCT, "name": "a\x00b"}, format="json")
    body = assert_error_shape(response, 400)
    assert "name" in body["details"]
    assert not Product.objects.exists()


# ---------------------------------------------------------------- JSON parser
def deep(levels):
    return "[" * levels + "]" * levels


@pytest.mark.parametrize("url", ["/api/v1/erp/stock", "/api/v1/erp/products/bulk", "/api/v1/erp/prices/bulk"])
def test_json_nested_a_thousand_levels_is_a_400(erp, url):
    response = erp.post(url, data='{"items": ' + deep(1000) + "}", content_type="application/json")
    body = assert_error_shape(response, 400)
    assert body["code"] == "malformed"


def test_deep_nesting_on_the_store_api_is_a_400(store):
    response = store.post("/api/v1/store/checkout", data=deep(100_000), content_type="application/json")
    assert_error_shape(response, 400)


def test_ordinary_nesting_still_parses(erp):
    factories.make_product(sku="OK-1")
    response = erp.post("/api/v1/erp/stock", {"items": [{"sku": "OK-1", "on_hand": 5}]}, format="json")
    assert response.status_code == 200, response.content


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_a_body_over_the_size_limit_is_a_json_413(erp):
    factories.make_product(sku="BIG-1")
    items = [{"sku": "BIG-1", "on_hand": n} for n in range(100)]
    response = erp.post("/api/v1/erp/stock", {"items": items}, format="json")
    body = assert_error_shape(response, 413)
    assert body["code"] == "too_large"
    assert Stock.objects.get(product__sku="BIG-1").on_hand == 1000  # the factory's figure, unchanged


@pytest.mark.parametrize("charset", ["latin-1", "iso-8859-1", "shift_jis"])
def test_json_in_another_charset_is_refused(erp, charset):
    body = json.dumps({**PRODUCT, "name": "ボルト"}, ensure_ascii=False).encode("utf-8")
    response = erp.put(
        "/api/v1/erp/products/CS-1", data=body, content_type=f"application/json; charset={charset}"
    )
    assert_error_shape(response, 415)
    assert not Product.objects.exists()


def test_utf8_json_with_a_bom_is_accepted(erp):
    body = "\ufeff".encode() + json.dumps({**PRODUCT, "name": "ボルト"}, ensure_ascii=False).encode()
    response = erp.put(
        "/api/v1/erp/products/BOM-1", data=body, content_type="application/json; charset=UTF-8"
    )
    assert response.status_code == 201, response.content
    assert Product.objects.get(sku="BOM-1").name == "ボルト"


# ---------------------------------------------------------------- stock as_of
def test_stock_as_of_far_in_the_future_is_refused_and_changes_nothing(erp):
    factories.make_product(sku="FUT-1")
    response = erp.post(
        "/api/v1/erp/stock",
        {"items": [{"sku": "FUT-1", "on_hand": 7, "as_of": "9999-12-31T00:00:00Z"}]},
        format="json",
    )
    body = assert_error_shape(response, 400)
    assert "as_of" in body["errors"][0]["errors"]
    stock = Stock.objects.get(product__sku="FUT-1")
    assert (stock.on_hand, stock.as_of) == (1000, None)  # the factory's figure, unchanged


def test_stock_as_of_within_the_clock_skew_is_accepted(erp):
    factories.make_product(sku="SKEW-1")
    as_of = (timezone.now() + timedelta(seconds=60)).isoformat()
    response = erp.post(
        "/api/v1/erp/stock", {"items": [{"sku": "SKEW-1", "on_hand": 7, "as_of": as_of}]}, format="json"
    )
    assert response.status_code == 200, response.content
    assert Stock.objects.get(product__sku="SKEW-1").on_hand == 7


def test_out_of_range_datetime_answers_in_japanese(erp):
    factories.make_product(sku="TZ-1")
    response = erp.post(
        "/api/v1/erp/stock",
        {"items": [{"sku": "TZ-1", "on_hand": 1, "as_of": "9999-12-31T23:59:59-09:00"}]},
        format="json",
    )
    body = assert_error_shape(response, 400)
    message = body["errors"][0]["errors"]["as_of"][0]
    assert "Datetime value out of range" not in message
    assert message.isascii() is False


# ---------------------------------------------------------------- one SKU rule
@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("%20PAD%20", "PAD"),
        ("ＡＢＣ－１", "ABC-1"),  # full-width forms
        ("CAFE\u0301", "CAF\u00c9"),  # NFD -> NFC
        ("ZW\u200bSP", "ZWSP"),  # zero-width space
        ("RTL\u202eX", "RTLX"),  # right-to-left override
    ],
)
def test_single_put_normalises_the_sku_like_bulk(erp, sent, stored):
    assert erp.put(f"/api/v1/erp/products/{sent}", PRODUCT, format="json").status_code == 201
    raw = sent.replace("%20", " ")
    bulk = erp.post("/api/v1/erp/products/bulk", {"items": [{**PRODUCT, "sku": raw}]}, format="json")
    assert bulk.json() == {"created": 0, "updated": 1}
    assert list(Product.objects.values_list("sku", flat=True)) == [stored]


@pytest.mark.parametrize("sku", ["..", ".", "A%5CB", "A%09B", "A%E2%80%8B%E2%80%8B" + "X" * 40])
def test_unaddressable_skus_are_refused_on_put(erp, sku):
    body = assert_error_shape(erp.put(f"/api/v1/erp/products/{sku}", PRODUCT, format="json"), 400)
    assert "sku" in body["details"]
    assert not Product.objects.exists()


def test_an_address_no_api_view_matches_is_a_json_404(erp):
    assert_error_shape(erp.put("/api/v1/erp/products/A%2FB", PRODUCT, format="json"), 404)
    assert not Product.objects.exists()


@pytest.mark.parametrize("sku", ["..", "A/B", "A B", "A\x07B", "X" * 41, "", "\u200b"])
def test_unaddressable_skus_are_refused_in_bulk(erp, sku):
    response = erp.post("/api/v1/erp/products/bulk", {"items": [{**PRODUCT, "sku": sku}]}, format="json")
    body = assert_error_shape(response, 400)
    assert "sku" in body["errors"][0]["errors"]
    assert not Product.objects.exists()


def test_stock_and_prices_find_the_product_by_its_normalised_sku(erp):
    factories.make_product(sku="ABC-1")
    stock = erp.post("/api/v1/erp/stock", {"items": [{"sku": "ＡＢＣ－１ ", "on_hand": 3}]}, format="json")
    assert stock.status_code == 200, stock.content
    prices = erp.post(
        "/api/v1/erp/prices/bulk", {"items": [{"sku": "\u200bABC-1", "unit_price": "9"}]}, format="json"
    )
    assert prices.status_code == 200, prices.content
    assert Stock.objects.get(product__sku="ABC-1").on_hand == 3
    assert Price.objects.get().product.sku == "ABC-1"


def test_the_service_applies_the_same_rule():
    from catalog import services

    result = services.upsert_products(
        items=[
            services.ProductData(
                sku=" ＳＶＣ ", name="n", unit="個", base_price=Decimal("1"), tax_rate=10, active=True
            )
        ]
    )
    assert [p.sku for p in result.products] == ["SVC"]
    with pytest.raises(services.ItemErrors):
        services.upsert_products(
            items=[
                services.ProductData(
                    sku="..", name="n", unit="個", base_price=Decimal("1"), tax_rate=10, active=True
                )
            ]
        )


# ---------------------------------------------------------------- messages, paging, renderers
def test_a_revoked_token_is_answered_in_japanese(db):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer not-a-real-token")
    body = assert_error_shape(client.get("/api/v1/store/orders"), 401)
    assert body["message"] != "Invalid or revoked token."
    assert not body["message"].isascii()


def test_paging_past_the_end_is_200_and_empty_on_products_and_orders(store):
    products = store.get("/api/v1/store/products?page=99")
    orders = store.get("/api/v1/store/orders?page=99")
    assert (products.status_code, orders.status_code) == (200, 200)
    assert products.json()["results"] == orders.json()["results"] == []
    assert products.json()["next"] is None and orders.json()["next"] is None
    assert "page=98" in orders.json()["previous"]


def test_a_page_that_is_not_a_number_is_404_on_both(store):
    assert store.get("/api/v1/store/products?page=x").status_code == 404
    assert store.get("/api/v1/store/orders?page=x").status_code == 404


def test_the_browsable_api_is_off_without_debug(store):
    response = store.get("/api/v1/store/orders", HTTP_ACCEPT="text/html")
    assert response.status_code in (200, 406)
    assert not response.get("Content-Type", "").startswith("text/html")


def test_a_nul_in_a_bulk_cart_sku_is_a_line_error(store):
    response = store.put("/api/v1/store/cart", {"items": [{"sku": "A\x00B", "quantity": 1}]}, format="json")
    body = assert_error_shape(response, 400)
    assert [e["code"] for e in body["errors"]] == ["invalid_line"]
