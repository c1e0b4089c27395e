"""PUT /api/v1/store/cart (contract section 5): the whole cart in one request, all or nothing."""

from __future__ import annotations

import pytest

from orders.models import CartLine
from orders.services.quick_order import quick_order
from tests import factories
from tests.orders.builders import api_client_for, fill_cart

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop():
    products = [factories.make_product(sku=f"BLK-{i}", base_price="100") for i in range(1, 4)]
    buyer = factories.make_buyer()
    return {"buyer": buyer, "products": products, "api": api_client_for(buyer)}


def _put(api, lines):
    return api.put("/api/v1/store/cart", {"lines": lines}, format="json")


def _cart(buyer) -> dict[str, int]:
    return dict(CartLine.objects.filter(cart__buyer=buyer).values_list("product__sku", "quantity"))


def test_replaces_the_whole_cart_and_answers_the_cart(shop):
    one, two, three = shop["products"]
    fill_cart(shop["buyer"], (one, 5), (three, 7))
    response = _put(shop["api"], [{"sku": "BLK-2", "quantity": 3}, {"sku": "BLK-1", "quantity": 4}])
    assert response.status_code == 200
    body = response.json()
    assert {line["sku"]: line["quantity"] for line in body["lines"]} == {"BLK-1": 4, "BLK-2": 3}
    assert body["subtotal"] == "700"
    assert _cart(shop["buyer"]) == {"BLK-1": 4, "BLK-2": 3}


def test_empty_list_empties_the_cart_and_zero_leaves_a_line_out(shop):
    fill_cart(shop["buyer"], (shop["products"][0], 5))
    assert _put(shop["api"], [{"sku": "BLK-2", "quantity": 0}]).json()["lines"] == []
    assert _cart(shop["buyer"]) == {}


def test_bad_lines_answer_400_with_every_problem_and_change_nothing(shop):
    fill_cart(shop["buyer"], (shop["products"][0], 5))
    factories.make_product(sku="OLD-1", base_price="100", active=False)
    response = _put(
        shop["api"],
        [
            {"sku": "BLK-2", "quantity": 3},
            {"sku": "NOPE", "quantity": 1},
            {"sku": "BLK-3", "quantity": -1},
            {"sku": "BLK-3", "quantity": "2"},
            {"sku": "BLK-2", "quantity": 1},
            {"sku": "OLD-1", "quantity": 1},
            {"quantity": 1},
            {"sku": "BLK-1", "quantity": 1.5},
        ],
    )
    assert response.status_code == 400
    body = response.json()
    assert [(e["index"], e["sku"], e["code"]) for e in body["errors"]] == [
        (1, "NOPE", "unknown_sku"),
        (2, "BLK-3", "invalid_quantity"),
        (3, "BLK-3", "invalid_quantity"),
        (4, "BLK-2", "duplicate_sku"),
        (5, "OLD-1", "unknown_sku"),
        (6, "", "invalid_line"),
        (7, "BLK-1", "invalid_quantity"),
    ]
    assert body["code"] == "invalid_cart_lines"
    assert "見つかりません" in body["errors"][0]["message"]  # in the buyer's language
    assert _cart(shop["buyer"]) == {"BLK-1": 5}


@pytest.mark.parametrize("body", [{}, {"lines": "BLK-1 2"}, {"lines": {"sku": "BLK-1"}}])
def test_a_body_without_a_list_of_lines_is_400(shop, body):
    fill_cart(shop["buyer"], (shop["products"][0], 5))
    response = shop["api"].put("/api/v1/store/cart", body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "invalid_line"
    assert _cart(shop["buyer"]) == {"BLK-1": 5}


def test_too_large_a_quantity_is_refused(shop):
    response = _put(shop["api"], [{"sku": "BLK-1", "quantity": 10**7}])
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "invalid_quantity"


def test_an_order_in_two_requests(shop):
    assert (
        _put(shop["api"], [{"sku": "BLK-1", "quantity": 60}, {"sku": "BLK-3", "quantity": 50}]).status_code
        == 200
    )
    response = shop["api"].post("/api/v1/store/checkout", {}, format="json", HTTP_IDEMPOTENCY_KEY="two-req")
    assert response.status_code == 201
    assert {line["sku"]: line["quantity"] for line in response.json()["lines"]} == {"BLK-1": 60, "BLK-3": 50}
    assert _cart(shop["buyer"]) == {}


def test_quick_order_adds_through_the_same_write(shop):
    fill_cart(shop["buyer"], (shop["products"][0], 5))
    result = quick_order(buyer=shop["buyer"], text="BLK-1 3\nBLK-2 4\nNOPE 1")
    assert [e.line_no for e in result.errors] == [3]
    assert _cart(shop["buyer"]) == {"BLK-1": 8, "BLK-2": 4}
