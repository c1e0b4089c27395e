"""Catalog visibility (表示グループ): a hidden product is 404 for that company everywhere."""

from __future__ import annotations

import pytest

from catalog.models import VisibilityRule
from catalog.services import VisibilityTargets, replace_visibility
from orders.models import CartLine, Order
from orders.services.templates import add_template_to_cart, save_cart_as_template
from tests import factories
from tests.orders.builders import api_client_for, fill_cart
from tests.orders.erp_builders import make_confirmed_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop():
    """TOOLS > DRILL holds DRL-1, FOOD holds FOD-1; the buyer's price group hides TOOLS."""
    tools = factories.make_category(code="TOOLS", name="工具")
    drill = factories.make_category(code="DRILL", name="ドリル", parent=tools)
    food = factories.make_category(code="FOOD", name="食品")
    drl = factories.make_product(sku="DRL-1", name="電動ドリル", category=drill, base_price="5000")
    fod = factories.make_product(sku="FOD-1", name="緑茶", category=food, base_price="1000")
    group = factories.make_price_group(code="RETAIL")
    customer = factories.make_customer(price_group=group)
    buyer = factories.make_buyer(customer=customer)
    other = factories.make_buyer()  # another company, no rules: sees everything
    return {"drl": drl, "fod": fod, "group": group, "customer": customer, "buyer": buyer, "other": other}


def _hide_tools(shop):
    replace_visibility(
        price_group_code="RETAIL", hide=VisibilityTargets(categories=("TOOLS",)), allow=VisibilityTargets()
    )


def _skus(api, **params):
    return [p["sku"] for p in api.get("/api/v1/store/products", params).json()["results"]]


def test_pages_and_the_product_api_hide_the_product(client, shop):
    _hide_tools(shop)
    client.force_login(shop["buyer"])
    assert client.get("/products/DRL-1/").status_code == 404
    assert client.get("/products/FOD-1/").status_code == 200
    assert "DRL-1" not in client.get("/products/?q=ドリル").content.decode()
    assert client.get("/categories/DRILL/").status_code == 404
    assert client.get("/categories/TOOLS/").status_code == 404
    home = client.get("/").content.decode()
    assert "食品" in home and "工具" not in home
    api = api_client_for(shop["buyer"])
    assert _skus(api) == ["FOD-1"]
    assert _skus(api, search="DRL-1") == []
    assert _skus(api, category="TOOLS") == []
    # the other company and staff still see it
    assert _skus(api_client_for(shop["other"])) == ["DRL-1", "FOD-1"]
    client.force_login(factories.make_staff())
    assert client.get("/products/DRL-1/").status_code == 200


def test_cart_api_and_page_refuse_a_hidden_product(client, shop):
    _hide_tools(shop)
    api = api_client_for(shop["buyer"])
    response = api.put("/api/v1/store/cart/items/DRL-1", {"quantity": 1}, format="json")
    assert response.status_code == 404
    assert response.json()["code"] == "product_not_found"
    client.force_login(shop["buyer"])
    client.post("/orders/cart/add/", {"sku": "DRL-1", "quantity": "1"})
    assert not CartLine.objects.exists()


def test_quick_order_reports_a_hidden_sku_as_not_found(client, shop):
    _hide_tools(shop)
    client.force_login(shop["buyer"])
    page = client.post("/orders/quick/", {"lines": "DRL-1 1\nFOD-1 2"}).content.decode()
    assert "DRL-1" in page and "見つかりません" in page
    assert list(CartLine.objects.values_list("product__sku", "quantity")) == [("FOD-1", 2)]


def test_reorder_and_templates_leave_out_a_hidden_product(shop):
    order = make_confirmed_order(buyer=shop["buyer"], items=[(shop["drl"], 1), (shop["fod"], 3)])
    fill_cart(shop["buyer"], (shop["drl"], 1), (shop["fod"], 3))
    template = save_cart_as_template(buyer=shop["buyer"], name="定番")
    CartLine.objects.all().delete()
    _hide_tools(shop)
    response = api_client_for(shop["buyer"]).post(f"/api/v1/store/orders/{order.number}/reorder")
    assert response.status_code == 200
    body = response.json()
    assert [line["sku"] for line in body["lines"]] == ["FOD-1"]
    assert [u["sku"] for u in body["unavailable"]] == ["DRL-1"]
    CartLine.objects.all().delete()
    added, skipped = add_template_to_cart(buyer=shop["buyer"], template_id=template.pk)
    assert [p.sku for p in added] == ["FOD-1"] and [p.sku for p in skipped] == ["DRL-1"]


def test_a_line_hidden_after_it_was_added_is_neither_shown_nor_ordered(shop):
    fill_cart(shop["buyer"], (shop["drl"], 1), (shop["fod"], 3))
    _hide_tools(shop)
    api = api_client_for(shop["buyer"])
    assert [line["sku"] for line in api.get("/api/v1/store/cart").json()["lines"]] == ["FOD-1"]
    response = api.post("/api/v1/store/checkout", {}, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert response.status_code == 201, response.content
    assert [line["sku"] for line in response.json()["lines"]] == ["FOD-1"]
    assert list(Order.objects.get().lines.values_list("sku", flat=True)) == ["FOD-1"]


def test_allow_rules_show_only_what_they_name_and_hide_still_applies(shop):
    customer_code = shop["customer"].code
    replace_visibility(
        customer_code=customer_code, hide=VisibilityTargets(), allow=VisibilityTargets(categories=("FOOD",))
    )
    factories.make_product(sku="NOC-1")  # no category: not allowed
    api = api_client_for(shop["buyer"])
    assert _skus(api) == ["FOD-1"]
    replace_visibility(
        customer_code=customer_code,
        hide=VisibilityTargets(skus=("FOD-1",)),
        allow=VisibilityTargets(categories=("FOOD",), skus=("DRL-1",)),
    )
    assert _skus(api) == ["DRL-1"]
    replace_visibility(customer_code=customer_code, hide=VisibilityTargets(), allow=VisibilityTargets())
    assert _skus(api) == ["DRL-1", "FOD-1", "NOC-1"]


def test_catalog_page_with_rules_stays_within_the_statement_budget(client, shop, assert_max_statements):
    _hide_tools(shop)
    client.force_login(shop["buyer"])
    client.get("/products/")  # warm the session
    with assert_max_statements(10):
        response = client.get("/products/")
    assert response.status_code == 200


# ---------------------------------------------------------------- the ERP sets the rules


def test_the_erp_replaces_a_customers_rules(erp, shop):
    url = f"/api/v1/erp/customers/{shop['customer'].code}/visibility"
    body = {"hide": {"skus": ["FOD-1"]}, "allow": {"categories": ["TOOLS", "FOOD"]}}
    response = erp.put(url, body, format="json")
    assert response.status_code == 200, response.content
    assert response.json() == {
        "hide": {"categories": [], "skus": ["FOD-1"]},
        "allow": {"categories": ["FOOD", "TOOLS"], "skus": []},
    }
    assert _skus(api_client_for(shop["buyer"])) == ["DRL-1"]
    assert erp.get(url).json() == response.json()
    assert erp.put(url, {}, format="json").json()["allow"]["categories"] == []
    assert not VisibilityRule.objects.exists()


def test_the_erp_sets_a_price_groups_rules_and_bad_input_writes_nothing(erp, shop):
    url = "/api/v1/erp/price-groups/RETAIL/visibility"
    assert erp.put(url, {"hide": {"categories": ["TOOLS"]}}, format="json").status_code == 200
    bad = erp.put(url, {"hide": {"categories": ["NOPE"], "skus": ["DRL-1", "GONE"]}}, format="json")
    assert bad.status_code == 400
    assert set(bad.json()["details"]) == {"categories", "skus"}
    assert erp.put(url, {"hide": "TOOLS"}, format="json").status_code == 400
    assert erp.put(url, ["x"], format="json").status_code == 400
    assert list(VisibilityRule.objects.values_list("category__code", flat=True)) == ["TOOLS"]
    assert erp.put("/api/v1/erp/price-groups/NOPE/visibility", {}, format="json").status_code == 404
    assert erp.get("/api/v1/erp/customers/NOPE/visibility").status_code == 404


def test_only_the_erp_may_set_rules(shop):
    api = api_client_for(shop["buyer"])
    response = api.put("/api/v1/erp/price-groups/RETAIL/visibility", {"hide": {}}, format="json")
    assert response.status_code in (401, 403)
    assert not VisibilityRule.objects.exists()


def test_the_admin_edits_rules(client, shop):
    client.force_login(factories.make_staff())
    response = client.post(
        "/admin/catalog/visibilityrule/add/",
        {"price_group": shop["group"].pk, "effect": "hide", "product": shop["fod"].pk},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert _skus(api_client_for(shop["buyer"])) == ["DRL-1"]  # applies at once: nothing cached


def test_a_rule_added_after_the_company_browsed_applies_to_its_next_request(client, shop):
    """Whether a company has rules is cached per process (b2bshop.versions); a new rule bumps the version."""
    client.force_login(shop["buyer"])
    assert client.get("/products/DRL-1/").status_code == 200  # cached: this company has no rules
    fill_cart(shop["buyer"], (shop["drl"], 1))
    _hide_tools(shop)
    assert client.get("/products/DRL-1/").status_code == 404
    assert [
        line["sku"] for line in api_client_for(shop["buyer"]).get("/api/v1/store/cart").json()["lines"]
    ] == []
    VisibilityRule.objects.all().delete()
    assert client.get("/products/DRL-1/").status_code == 200
