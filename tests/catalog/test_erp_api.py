"""ERP master-data endpoints (contract section 3): field by field, bad input, all-or-nothing, query counts."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from catalog.models import Category, Price, Product, Stock
from customers.models import Customer
from customers.services import issue_api_token
from tests import factories

pytestmark = pytest.mark.django_db

JAN = factories.valid_jan(4242)


def product_body(**overrides):
    body = {
        "name": "六角ボルト M8×30",
        "unit": "個",
        "case_quantity": 100,
        "base_price": "12.50",
        "tax_rate": "10",
        "jan_code": JAN,
        "moq": 100,
        "order_multiple": 100,
        "active": True,
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not ...}


def put_product(client, sku, body):
    return client.put(f"/api/v1/erp/products/{sku}", body, format="json")


# ---------------------------------------------------------------- auth
def test_erp_endpoints_refuse_anonymous_buyers_and_staff(client):
    buyer = factories.make_buyer()
    staff = factories.make_staff()
    anonymous = APIClient()
    as_buyer = APIClient()
    as_buyer.credentials(HTTP_AUTHORIZATION="Bearer " + issue_api_token(user=buyer).raw)
    as_staff = APIClient()
    as_staff.force_authenticate(staff)
    calls = [
        ("put", "/api/v1/erp/products/X-1", product_body()),
        ("post", "/api/v1/erp/products/bulk", {"items": []}),
        ("post", "/api/v1/erp/stock", {"items": []}),
        ("post", "/api/v1/erp/prices/bulk", {"items": []}),
        ("put", "/api/v1/erp/customers/C1", {}),
    ]
    for method, url, body in calls:
        assert getattr(anonymous, method)(url, body, format="json").status_code == 401
        assert getattr(as_buyer, method)(url, body, format="json").status_code == 403
        assert getattr(as_staff, method)(url, body, format="json").status_code == 403
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    assert bad.post("/api/v1/erp/stock", {"items": []}, format="json").status_code == 401
    assert not Product.objects.exists()


# ---------------------------------------------------------------- PUT product
def test_put_product_creates_then_updates_and_answers_product_json(erp):
    cat = factories.make_category(code="BOLT")
    response = put_product(
        erp, "BOLT-1", product_body(category="BOLT", name_en="Hex bolt", name_kana="ろっかくぼると")
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert {k: data[k] for k in data if k != "updated_at"} == {
        "sku": "BOLT-1",
        "name": "六角ボルト M8×30",
        "name_en": "Hex bolt",
        "name_kana": "ろっかくぼると",
        "category": "BOLT",
        "unit": "個",
        "case_quantity": 100,
        "base_price": "12.50",
        "tax_rate": "10",
        "jan_code": JAN,
        "moq": 100,
        "order_multiple": 100,
        "max_quantity": None,
        "active": True,
    }
    product = Product.objects.get(sku="BOLT-1")
    assert product.category == cat and product.base_price == Decimal("12.50") and product.tax_rate == 10
    assert Stock.objects.get(product=product).on_hand == 0
    # search text is maintained: hiragana kana folded to katakana, SKU and JAN included
    assert (
        "ロッカクボルト" in product.search_text
        and "bolt-1" in product.search_text
        and JAN in product.search_text
    )

    response = put_product(erp, "BOLT-1", product_body(base_price="11", tax_rate="8", active=False, moq=None))
    assert response.status_code == 200
    assert response.json()["base_price"] == "11" and response.json()["tax_rate"] == "8"
    assert response.json()["category"] is None and response.json()["moq"] is None
    product.refresh_from_db()
    assert (product.base_price, product.tax_rate, product.active, product.category_id) == (
        Decimal(11),
        8,
        False,
        None,
    )
    assert product.name_kana == "ろっかくぼると"  # shop extension kept when omitted
    assert Product.objects.count() == 1 and Stock.objects.count() == 1


def test_put_product_defaults_case_quantity_to_one(erp):
    response = put_product(
        erp, "P-1", product_body(case_quantity=..., moq=..., order_multiple=..., jan_code=...)
    )
    assert response.status_code == 201
    assert response.json()["case_quantity"] == 1 and response.json()["jan_code"] == ""


BAD_PRODUCT_FIELDS = [
    ({"base_price": "12.505"}, "base_price"),
    ({"base_price": 12.5}, "base_price"),  # JSON float: refused, send a string
    ({"base_price": "-1"}, "base_price"),
    ({"base_price": "abc"}, "base_price"),
    ({"base_price": "1e3"}, "base_price"),
    ({"tax_rate": "5"}, "tax_rate"),
    ({"tax_rate": 0}, "tax_rate"),
    ({"jan_code": JAN[:-1] + str((int(JAN[-1]) + 1) % 10)}, "jan_code"),
    ({"jan_code": "12345"}, "jan_code"),
    ({"case_quantity": 0}, "case_quantity"),
    ({"case_quantity": -5}, "case_quantity"),
    ({"case_quantity": 1.5}, "case_quantity"),
    ({"case_quantity": "12"}, "case_quantity"),
    ({"moq": -1}, "moq"),
    ({"order_multiple": 2.0}, "order_multiple"),
    ({"max_quantity": 10, "moq": 100}, "max_quantity"),
    ({"active": "yes"}, "active"),
    ({"name": ...}, "name"),
    ({"unit": ...}, "unit"),
    ({"category": "NOPE"}, "category"),
]


@pytest.mark.parametrize(("change", "field"), BAD_PRODUCT_FIELDS)
def test_put_product_rejects_bad_fields_and_writes_nothing(erp, change, field):
    response = put_product(erp, "P-1", product_body(**change))
    assert response.status_code == 400, response.json()
    body = response.json()
    assert body["code"] == "invalid" and field in body["details"], body
    assert not Product.objects.exists()


def test_error_messages_are_japanese_by_default_and_english_on_request(erp):
    body = product_body(tax_rate="5")
    ja = put_product(erp, "P-1", body).json()
    assert ja["details"]["tax_rate"] == ['税率は "10" または "8" を指定してください。']
    en = erp.put("/api/v1/erp/products/P-1", body, format="json", HTTP_ACCEPT_LANGUAGE="en").json()
    assert en["details"]["tax_rate"] == ['The tax rate must be "10" or "8".']


def test_malformed_json_is_400_malformed(erp):
    for url, method in [
        ("/api/v1/erp/products/P-1", "put"),
        ("/api/v1/erp/products/bulk", "post"),
        ("/api/v1/erp/stock", "post"),
        ("/api/v1/erp/prices/bulk", "post"),
        ("/api/v1/erp/customers/C1", "put"),
    ]:
        response = getattr(erp, method)(url, data='{"items": [', content_type="application/json")
        assert response.status_code == 400
        assert response.json()["code"] == "malformed"
    assert not Product.objects.exists()


def test_non_object_bodies_are_400(erp):
    assert erp.put("/api/v1/erp/products/P-1", [1, 2], format="json").status_code == 400
    assert erp.post("/api/v1/erp/stock", [1], format="json").status_code == 400
    assert erp.post("/api/v1/erp/stock", {"items": "x"}, format="json").json()["details"]["items"]


def test_put_product_body_sku_must_match_url(erp):
    response = put_product(erp, "P-1", product_body(sku="P-2"))
    assert response.status_code == 400 and "sku" in response.json()["details"]


# ---------------------------------------------------------------- bulk products
def test_bulk_products_creates_and_updates(erp):
    factories.make_category(code="PEN")
    factories.make_product(sku="A-1", base_price="50")
    items = [
        {"sku": "A-1", **product_body(base_price="55")},
        {"sku": "A-2", **product_body(category="PEN")},
        {"sku": "A-3", **product_body(jan_code="")},
    ]
    response = erp.post("/api/v1/erp/products/bulk", {"items": items}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json() == {"created": 2, "updated": 1}
    assert Product.objects.get(sku="A-1").base_price == Decimal(55)
    assert Product.objects.get(sku="A-2").category.code == "PEN"
    assert Stock.objects.filter(product__sku__in=["A-2", "A-3"]).count() == 2
    assert Stock.objects.get(product__sku="A-1").on_hand == 1000  # existing stock untouched


def test_bulk_products_is_all_or_nothing_with_indexed_errors(erp):
    factories.make_product(sku="A-1", base_price="50")
    items = [
        {"sku": "A-1", **product_body(base_price="60")},
        {"sku": "A-2", **product_body(tax_rate="7")},
        {"sku": "A-3", **product_body()},
        {"sku": "A-3", **product_body(base_price="1.001")},
    ]
    response = erp.post("/api/v1/erp/products/bulk", {"items": items}, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [(e["index"], e["sku"], sorted(e["errors"])) for e in errors] == [
        (1, "A-2", ["tax_rate"]),
        (3, "A-3", ["base_price"]),
    ]
    assert Product.objects.get(sku="A-1").base_price == Decimal(50)
    assert not Product.objects.filter(sku__in=["A-2", "A-3"]).exists()


def test_bulk_products_duplicate_sku_and_unknown_category_are_errors(erp):
    items = [
        {"sku": "D-1", **product_body()},
        {"sku": "D-2", **product_body(category="NOPE")},
        {"sku": "D-1", **product_body()},
    ]
    response = erp.post("/api/v1/erp/products/bulk", {"items": items}, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [(e["index"], list(e["errors"])) for e in errors] == [(1, ["category"]), (2, ["sku"])]
    assert "0" in errors[1]["errors"]["sku"][0]  # points at the first occurrence
    assert not Product.objects.exists()


def test_bulk_products_over_the_limit_is_400_with_a_clear_message(erp, settings):
    items = [{"sku": f"L-{i}", **product_body()} for i in range(1001)]
    response = erp.post(
        "/api/v1/erp/products/bulk", {"items": items}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert "At most 1000 items" in response.json()["message"]
    assert not Product.objects.exists()


def test_bulk_item_that_is_not_an_object_is_reported_by_index(erp):
    response = erp.post(
        "/api/v1/erp/products/bulk", {"items": [{"sku": "X-1", **product_body()}, 42]}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["index"] == 1
    assert not Product.objects.exists()


@pytest.mark.parametrize("n", [50, 500])
def test_bulk_products_query_count_is_constant(erp_fast, assert_max_statements, n):
    factories.make_category(code="PEN")
    for i in range(0, n, 2):  # half exist already
        factories.make_product(sku=f"Q-{i:04d}")
    items = [{"sku": f"Q-{i:04d}", **product_body(category="PEN", jan_code="")} for i in range(n)]
    with assert_max_statements(6):
        response = erp_fast.post("/api/v1/erp/products/bulk", {"items": items}, format="json")
    assert response.json() == {"created": n // 2, "updated": n // 2}


# ---------------------------------------------------------------- stock
def test_stock_sets_on_hand_and_ignores_stale_figures(erp):
    a = factories.make_product(sku="S-1", on_hand=5)
    b = factories.make_product(sku="S-2", on_hand=5)
    t = timezone.now()
    response = erp.post(
        "/api/v1/erp/stock",
        {"items": [{"sku": "S-1", "on_hand": 40, "as_of": t.isoformat()}, {"sku": "S-2", "on_hand": 7}]},
        format="json",
    )
    assert response.status_code == 200
    assert response.json() == {"updated": 2, "stale": 0}
    assert (Stock.objects.get(product=a).on_hand, Stock.objects.get(product=b).on_hand) == (40, 7)
    older = (t - timedelta(minutes=5)).isoformat()
    response = erp.post(
        "/api/v1/erp/stock", {"items": [{"sku": "S-1", "on_hand": 1, "as_of": older}]}, format="json"
    )
    assert response.json() == {"updated": 0, "stale": 1}
    assert Stock.objects.get(product=a).on_hand == 40


@pytest.mark.parametrize(
    ("item", "field"),
    [
        ({"sku": "S-1", "on_hand": -1}, "on_hand"),
        ({"sku": "S-1", "on_hand": 1.5}, "on_hand"),
        ({"sku": "S-1", "on_hand": "10"}, "on_hand"),
        ({"sku": "S-1"}, "on_hand"),
        ({"sku": "S-1", "on_hand": 3, "as_of": "yesterday"}, "as_of"),
        ({"sku": "NOPE", "on_hand": 3}, "sku"),
    ],
)
def test_stock_bad_items_are_400_and_nothing_is_written(erp, item, field):
    a = factories.make_product(sku="S-1", on_hand=5)
    response = erp.post("/api/v1/erp/stock", {"items": [{"sku": "S-1", "on_hand": 9}, item]}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["index"] == 1
    assert field in response.json()["errors"][0]["errors"]
    assert Stock.objects.get(product=a).on_hand == 5


@pytest.mark.parametrize("n", [50, 500])
def test_stock_query_count_is_constant(erp_fast, assert_max_statements, n):
    products = [factories.make_product(sku=f"K-{i:04d}") for i in range(n)]
    items = [{"sku": p.sku, "on_hand": i} for i, p in enumerate(products)]
    with assert_max_statements(6):
        response = erp_fast.post("/api/v1/erp/stock", {"items": items}, format="json")
    assert response.json() == {"updated": n, "stale": 0}
    assert Stock.objects.get(product=products[-1]).on_hand == n - 1


# ---------------------------------------------------------------- prices
def test_prices_bulk_upserts_list_group_and_contract_rows(erp):
    p = factories.make_product(sku="PR-1", base_price="100")
    group = factories.make_price_group(code="A")
    customer = factories.make_customer(code="C1")
    items = [
        {
            "sku": "PR-1",
            "customer": "C1",
            "unit_price": "80",
            "valid_from": "2026-04-01",
            "valid_to": "2027-03-31",
        },
        {"sku": "PR-1", "price_group": "A", "unit_price": "90"},
        {"sku": "PR-1", "min_quantity": 100, "unit_price": "95.50"},
    ]
    response = erp.post("/api/v1/erp/prices/bulk", {"items": items}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json() == {"upserted": 3}
    rows = {(r.customer_id, r.price_group_id, r.min_quantity): r for r in Price.objects.filter(product=p)}
    assert rows[(customer.id, None, 1)].unit_price == Decimal(80)
    assert rows[(customer.id, None, 1)].valid_to == date(2027, 3, 31)
    assert rows[(None, group.id, 1)].unit_price == Decimal(90)
    assert rows[(None, None, 100)].unit_price == Decimal("95.50")
    # same keys again: updated in place, not duplicated (NULL customer/group count as equal)
    items[1]["unit_price"] = "88"
    items[2]["unit_price"] = "94"
    items[0]["valid_to"] = "2026-12-31"
    assert erp.post("/api/v1/erp/prices/bulk", {"items": items}, format="json").json() == {"upserted": 3}
    assert Price.objects.filter(product=p).count() == 3
    assert Price.objects.get(product=p, price_group=group).unit_price == Decimal(88)
    assert Price.objects.get(
        product=p, customer__isnull=True, price_group__isnull=True
    ).unit_price == Decimal(94)
    assert Price.objects.get(product=p, customer=customer).valid_to == date(2026, 12, 31)


@pytest.mark.parametrize(
    ("item", "field"),
    [
        ({"sku": "NOPE", "unit_price": "1"}, "sku"),
        ({"sku": "PR-1", "customer": "NOPE", "unit_price": "1"}, "customer"),
        ({"sku": "PR-1", "price_group": "NOPE", "unit_price": "1"}, "price_group"),
        ({"sku": "PR-1", "customer": "C1", "price_group": "A", "unit_price": "1"}, "price_group"),
        ({"sku": "PR-1", "unit_price": "1.234"}, "unit_price"),
        ({"sku": "PR-1", "unit_price": 1.5}, "unit_price"),
        ({"sku": "PR-1", "unit_price": "-3"}, "unit_price"),
        ({"sku": "PR-1", "unit_price": "1", "min_quantity": 0}, "min_quantity"),
        ({"sku": "PR-1", "unit_price": "1", "min_quantity": 2.5}, "min_quantity"),
        (
            {"sku": "PR-1", "unit_price": "1", "valid_from": "2026-05-01", "valid_to": "2026-04-01"},
            "valid_to",
        ),
        ({"sku": "PR-1", "unit_price": "1", "valid_from": "2026-13-01"}, "valid_from"),
        ({"sku": "PR-1", "unit_price": "5"}, "non_field_errors"),  # same key as item 0
    ],
)
def test_prices_bad_items_are_400_and_nothing_is_written(erp, item, field):
    factories.make_product(sku="PR-1")
    factories.make_price_group(code="A")
    factories.make_customer(code="C1")
    response = erp.post(
        "/api/v1/erp/prices/bulk", {"items": [{"sku": "PR-1", "unit_price": "9"}, item]}, format="json"
    )
    assert response.status_code == 400, response.json()
    errors = response.json()["errors"]
    assert errors[0]["index"] == 1 and field in errors[0]["errors"], errors
    assert not Price.objects.exists()


def test_json_integer_money_is_accepted_because_it_is_exact(erp):
    factories.make_product(sku="PR-1")
    assert (
        erp.post(
            "/api/v1/erp/prices/bulk", {"items": [{"sku": "PR-1", "unit_price": 90}]}, format="json"
        ).status_code
        == 200
    )
    assert Price.objects.get().unit_price == Decimal(90)


@pytest.mark.parametrize("n", [50, 500])
def test_prices_query_count_is_constant(erp_fast, assert_max_statements, n):
    products = [factories.make_product(sku=f"PQ-{i:04d}") for i in range(n)]
    customer = factories.make_customer(code="CQ")
    factories.make_price_group(code="GQ")
    items = []
    for i, p in enumerate(products):
        key = (
            {"customer": "CQ"}
            if i % 3 == 0
            else {"price_group": "GQ"}
            if i % 3 == 1
            else {"min_quantity": 10}
        )
        items.append({"sku": p.sku, "unit_price": "50", **key})
    with assert_max_statements(6):
        response = erp_fast.post("/api/v1/erp/prices/bulk", {"items": items}, format="json")
    assert response.json() == {"upserted": n}
    assert Price.objects.filter(customer=customer).count() == len(range(0, n, 3))


# ---------------------------------------------------------------- customers
def customer_body(**overrides):
    body = {
        "name": "株式会社山田工業",
        "name_kana": "ヤマダコウギョウ",
        "prefecture": "東京都",
        "postal_code": "1000001",
        "address": "千代田区千代田1-1",
        "phone": "03-1234-5678",
        "closing_day": 20,
        "payment_terms_days": 60,
        "credit_limit": "1000000",
        "invoice_registration_number": "T1234567890123",
        "ec_enabled": True,
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not ...}


def test_put_customer_creates_then_updates(erp):
    factories.make_price_group(code="A")
    response = erp.put("/api/v1/erp/customers/C900", customer_body(price_group="A"), format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert {k: data[k] for k in data if k != "updated_at"} == {
        "code": "C900",
        "name": "株式会社山田工業",
        "name_kana": "ヤマダコウギョウ",
        "price_group": "A",
        "prefecture": "東京都",
        "postal_code": "100-0001",
        "address": "千代田区千代田1-1",
        "phone": "03-1234-5678",
        "closing_day": 20,
        "payment_terms_days": 60,
        "payment_terms": "days",
        "credit_limit": "1000000",
        "invoice_registration_number": "T1234567890123",
        "ec_enabled": True,
        "trading_status": "customer",
    }
    customer = Customer.objects.get(code="C900")
    assert customer.name_key == "山田工業"
    response = erp.put(
        "/api/v1/erp/customers/C900",
        customer_body(closing_day=31, ec_enabled=False, credit_limit=None),
        format="json",
    )
    assert response.status_code == 200
    customer.refresh_from_db()
    assert (customer.closing_day, customer.ec_enabled, customer.credit_limit, customer.price_group) == (
        31,
        False,
        None,
        None,
    )
    assert Customer.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"closing_day": 29}, "closing_day"),
        ({"closing_day": 0}, "closing_day"),
        ({"closing_day": 30}, "closing_day"),
        ({"closing_day": "20"}, "closing_day"),
        ({"invoice_registration_number": "T123"}, "invoice_registration_number"),
        ({"invoice_registration_number": "1234567890123"}, "invoice_registration_number"),
        ({"price_group": "NOPE"}, "price_group"),
        ({"prefecture": "東京"}, "prefecture"),
        ({"postal_code": "12-345"}, "postal_code"),
        ({"credit_limit": "100.5"}, "credit_limit"),
        ({"credit_limit": 1e6}, "credit_limit"),
        ({"ec_enabled": "yes"}, "ec_enabled"),
        ({"name": ""}, "name"),
        ({"payment_terms_days": -1}, "payment_terms_days"),
    ],
)
def test_put_customer_rejects_bad_fields(erp, change, field):
    response = erp.put("/api/v1/erp/customers/C900", customer_body(**change), format="json")
    assert response.status_code == 400
    assert field in response.json()["details"], response.json()
    assert not Customer.objects.filter(code="C900").exists()


def test_the_erp_leaves_the_shops_web_ordering_choice_alone_unless_it_sends_one(erp):
    erp.put("/api/v1/erp/customers/C901", customer_body(ec_enabled=...), format="json")
    customer = Customer.objects.get(code="C901")
    customer.ec_enabled = False  # the shop keeps this customer out of the web pilot
    customer.save()
    response = erp.put(
        "/api/v1/erp/customers/C901", customer_body(ec_enabled=..., name="改称後"), format="json"
    )
    assert response.status_code == 200 and response.json()["ec_enabled"] is False
    customer.refresh_from_db()
    assert (customer.name, customer.ec_enabled) == ("改称後", False)


def test_prospect_becomes_customer_when_the_erp_sends_it(erp):
    prospect = factories.make_customer(code="P1")
    Customer.objects.filter(pk=prospect.pk).update(trading_status="prospect")
    assert erp.put("/api/v1/erp/customers/P1", customer_body(), format="json").status_code == 200
    assert Customer.objects.get(pk=prospect.pk).trading_status == "customer"


def test_schema_documents_every_erp_endpoint_with_examples(client):
    response = client.get("/api/schema/?format=json")
    schema = json.loads(response.content)
    for path, method in [
        ("/api/v1/erp/products/{sku}", "put"),
        ("/api/v1/erp/products/bulk", "post"),
        ("/api/v1/erp/stock", "post"),
        ("/api/v1/erp/prices/bulk", "post"),
        ("/api/v1/erp/customers/{code}", "put"),
        ("/api/v1/store/products", "get"),
    ]:
        operation = schema["paths"][path][method]
        assert operation["responses"], path
        text = json.dumps(operation)
        assert "examples" in text, path


def test_category_model_untouched_by_product_upserts(erp):
    factories.make_category(code="X")
    put_product(erp, "P-1", product_body(category="X"))
    assert Category.objects.count() == 1
