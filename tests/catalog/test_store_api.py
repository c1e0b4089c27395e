"""GET /api/v1/store/products (contract section 5): fields, own prices, tenancy, filters, query count."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from customers.services import issue_api_token
from tests import factories

pytestmark = pytest.mark.django_db


def bearer(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer " + issue_api_token(user=user).raw)
    return client


def test_fields_are_exactly_the_contract_plus_extras_with_this_buyers_price():
    bolts = factories.make_category(code="BOLT")
    p = factories.make_product(
        sku="BOL-1",
        name="六角ボルト M8",
        base_price="12.50",
        category=bolts,
        case_quantity=100,
        moq=100,
        order_multiple=100,
        max_quantity=5000,
        on_hand=1200,
        unit="個",
    )
    customer = factories.make_customer()
    factories.make_price(product=p, customer=customer, unit_price="9.80")
    factories.make_price(product=p, customer=customer, min_quantity=500, unit_price="9.50")
    buyer = factories.make_buyer(customer=customer)
    response = bearer(buyer).get("/api/v1/store/products")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"next", "previous", "results"} and body["next"] is None
    limits_text = body["results"][0]["order_limits"].pop("text")
    assert "100個以上" in limits_text and "5,000" in limits_text  # the shop pages' sentence
    assert body["results"] == [
        {
            "sku": "BOL-1",
            "name": "六角ボルト M8",
            "name_en": "",
            "unit": "個",
            "case_quantity": 100,
            "unit_price": "9.80",
            "price_tiers": [
                {"min_quantity": 1, "unit_price": "9.80"},
                {"min_quantity": 500, "unit_price": "9.50"},
            ],
            "available": 1200,
            "availability": "in_stock",
            "moq": 100,
            "order_multiple": 100,
            "max_quantity": 5000,
            "tax_rate": "10",
            "jan_code": p.jan_code,
            "category": "BOLT",
            # Additive: the engine's effective limits for this buyer (every rule combined).
            "order_limits": {"minimum": 100, "multiple": 100, "maximum": 5000},
        }
    ]


def test_another_company_sees_its_own_price_not_mine():
    p = factories.make_product(sku="X-1", base_price="100")
    a = factories.make_customer()
    b = factories.make_customer(price_group=factories.make_price_group(rate="0.9"))
    factories.make_price(product=p, customer=a, unit_price="70")
    assert (
        bearer(factories.make_buyer(customer=a))
        .get("/api/v1/store/products")
        .json()["results"][0]["unit_price"]
        == "70"
    )
    assert (
        bearer(factories.make_buyer(customer=b))
        .get("/api/v1/store/products")
        .json()["results"][0]["unit_price"]
        == "90"
    )


def test_available_subtracts_held_and_never_goes_negative():
    from catalog.models import Stock

    a = factories.make_product(sku="A", on_hand=10)
    b = factories.make_product(sku="B", on_hand=3)
    Stock.objects.filter(product=a).update(held=4)
    Stock.objects.filter(product=b).update(on_hand=0, held=0)
    results = bearer(factories.make_buyer()).get("/api/v1/store/products").json()["results"]
    assert [(r["sku"], r["available"], r["availability"]) for r in results] == [
        ("A", 6, "low_stock"),
        ("B", 0, "out_of_stock"),
    ]


def test_inactive_products_are_hidden():
    factories.make_product(sku="ON")
    factories.make_product(sku="OFF", active=False)
    results = bearer(factories.make_buyer()).get("/api/v1/store/products").json()["results"]
    assert [r["sku"] for r in results] == ["ON"]


def test_category_filter_includes_descendants_and_unknown_is_empty():
    top = factories.make_category(code="TOP")
    mid = factories.make_category(code="MID", parent=top)
    leaf = factories.make_category(code="LEAF", parent=mid)
    other = factories.make_category(code="OTHER")
    for sku, cat in [("P-TOP", top), ("P-MID", mid), ("P-LEAF", leaf), ("P-OTHER", other)]:
        factories.make_product(sku=sku, category=cat)
    client = bearer(factories.make_buyer())

    def skus(query):
        return [r["sku"] for r in client.get(f"/api/v1/store/products?{query}").json()["results"]]

    assert skus("category=TOP") == ["P-LEAF", "P-MID", "P-TOP"]
    assert skus("category=MID") == ["P-LEAF", "P-MID"]
    assert skus("category=LEAF") == ["P-LEAF"]
    assert skus("category=NOPE") == []


def test_search_by_name_kana_sku_and_jan():
    factories.make_product(sku="PEN-001", name="ボールペン 黒")
    factories.make_product(sku="GLV-002", name="軍手 L", name_kana="グンテ")
    jan = factories.valid_jan(777)
    factories.make_product(sku="TAP-003", name="養生テープ", jan_code=jan)
    client = bearer(factories.make_buyer())

    def skus(q):
        return [r["sku"] for r in client.get("/api/v1/store/products", {"search": q}).json()["results"]]

    assert skus("ボールペン") == ["PEN-001"]
    assert skus("ぼーるぺん") == ["PEN-001"]  # hiragana input
    assert skus("ｸﾞﾝﾃ") == ["GLV-002"]  # half-width katakana
    assert skus("ぐんて") == ["GLV-002"]
    assert skus("軍手") == ["GLV-002"]
    assert skus("glv-002") == ["GLV-002"]
    assert skus("TAP") == ["TAP-003"]  # SKU prefix
    assert skus(jan) == ["TAP-003"]
    assert skus("テープ 養生") == ["TAP-003"]  # every word, any order
    assert skus("存在しない") == []


def test_search_and_category_combine():
    cat = factories.make_category(code="C1")
    factories.make_product(sku="IN", name="ボールペン", category=cat)
    factories.make_product(sku="OUT", name="ボールペン")
    response = bearer(factories.make_buyer()).get(
        "/api/v1/store/products", {"search": "ボールペン", "category": "C1"}
    )
    assert [r["sku"] for r in response.json()["results"]] == ["IN"]


def test_session_login_works_too_and_pagination_follows_the_contract(client):
    for i in range(5):
        factories.make_product(sku=f"S-{i}")
    client.force_login(factories.make_buyer())
    body = client.get("/api/v1/store/products?page_size=2").json()
    assert [r["sku"] for r in body["results"]] == ["S-0", "S-1"] and body["previous"] is None
    assert "page=2" in body["next"]
    body = client.get(body["next"]).json()
    assert [r["sku"] for r in body["results"]] == ["S-2", "S-3"] and "page=" not in body["previous"]
    body = client.get(body["next"]).json()
    assert (
        [r["sku"] for r in body["results"]] == ["S-4"]
        and body["next"] is None
        and "page=2" in body["previous"]
    )
    assert client.get("/api/v1/store/products?page=0").status_code == 404
    assert client.get("/api/v1/store/products?page=x").status_code == 404


def test_only_buyers_get_in(client):
    anonymous = APIClient().get("/api/v1/store/products")
    assert anonymous.status_code in (401, 403)
    assert bearer(factories.make_integration_user()).get("/api/v1/store/products").status_code == 403
    staff = APIClient()
    staff.force_authenticate(factories.make_staff())
    assert staff.get("/api/v1/store/products").status_code == 403


@pytest.mark.parametrize("page_size", [10, 100])
def test_query_count_does_not_grow_with_page_size(client, django_assert_max_num_queries, page_size):
    group = factories.make_price_group(rate="0.9")
    customer = factories.make_customer(price_group=group)
    cat = factories.make_category(code="QC")
    for i in range(page_size):
        p = factories.make_product(sku=f"Q-{i:03d}", name=f"ボールペン {i}", category=cat)
        factories.make_price(product=p, customer=customer, unit_price="50")
        factories.make_price(product=p, min_quantity=10, unit_price="60")
    client.force_login(factories.make_buyer(customer=customer))
    with django_assert_max_num_queries(10):
        body = client.get(
            f"/api/v1/store/products?page_size={page_size}&search=ボールペン&category=QC"
        ).json()
    assert len(body["results"]) == page_size
