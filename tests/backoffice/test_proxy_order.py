"""Proxy orders found by name, kana, code or phone; ship-to from a list; the customer's usual products beside."""

from __future__ import annotations

import pytest
from django.urls import reverse

from customers.models import ShipTo
from customers.selectors import search_customers
from orders.models import Order
from tests import factories
from tests.insights.builders import make_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def customers():
    sample = factories.make_customer(code="C10001", name="株式会社サンプル商事")
    sample.name_kana = "サンプルショウジ"
    sample.phone = "06-6123-4567"
    sample.save()
    other = factories.make_customer(code="C10002", name="サンプル物産株式会社")
    far = factories.make_customer(code="C20000", name="有限会社北海")
    return {"sample": sample, "other": other, "far": far}


def test_customers_are_found_by_code_name_kana_and_phone(customers):
    sample = customers["sample"]
    assert search_customers(query="c10001")[0] == sample
    assert search_customers(query="㈱サンプル商事") == [sample]  # legal form written another way
    assert search_customers(query="さんぷるしょうじ") == [sample]  # hiragana reading
    assert search_customers(query="0661234567") == [sample]
    assert search_customers(query="06-6123-4567") == [sample]
    assert set(search_customers(query="サンプル")) == {sample, customers["other"]}
    assert search_customers(query="存在しない会社") == []


def test_a_name_that_matches_several_customers_offers_them_to_choose(client, customers):
    client.force_login(factories.make_staff())
    url = reverse("orders:proxy")
    base = {"channel": "phone", "idempotency_key": "tel-1", "lines": ""}
    page = client.post(url, {**base, "customer": "サンプル", "preview": "1"})
    html = page.content.decode()
    assert "該当する得意先が複数あります" in html
    assert 'name="pick_customer" value="C10001"' in html and 'value="C10002"' in html
    assert "C20000" not in html
    picked = client.post(url, {**base, "customer": "サンプル", "pick_customer": "C10002"})
    assert picked.context["customer"] == customers["other"]

    suggestions = client.get(reverse("orders:proxy_customers"), {"customer": "ほっかい"})
    assert suggestions.status_code == 200
    assert "有限会社北海" not in suggestions.content.decode()  # 北海 has no kana: found by name only
    assert (
        "有限会社北海" in client.get(reverse("orders:proxy_customers"), {"customer": "北海"}).content.decode()
    )


def test_ship_to_is_chosen_from_the_customers_addresses_and_the_order_is_placed(client, customers):
    sample = customers["sample"]
    depot = factories.make_ship_to(customer=sample, prefecture="兵庫県")
    factories.make_ship_to(customer=customers["other"], prefecture="北海道")
    factories.make_product(sku="BOLT-1", base_price="100")
    client.force_login(factories.make_staff())
    url = reverse("orders:proxy")
    base = {"customer": "サンプル商事", "channel": "phone", "idempotency_key": "tel-2", "lines": "BOLT-1 30"}
    page = client.post(url, {**base, "preview": "1"})
    choices = [value for value, _label in page.context["form"].fields["ship_to"].choices]
    assert choices == ["", depot.pk]  # only this customer's addresses
    assert "〒530-0001 兵庫県大阪市北区1-1" in page.content.decode()
    other_depot = ShipTo.objects.get(customer=customers["other"])
    refused = client.post(url, {**base, "ship_to": str(other_depot.pk), "place": "1"})
    assert refused.status_code == 200 and not Order.objects.exists()
    placed = client.post(url, {**base, "ship_to": str(depot.pk), "place": "1"})
    assert placed.status_code == 302
    order = Order.objects.get()
    assert order.customer == sample and order.ship_to["prefecture"] == "兵庫県"


def test_the_panel_shows_usual_products_and_open_orders(client, customers):
    sample = customers["sample"]
    tea = factories.make_product(sku="TEA-9", name="ほうじ茶")
    for day in ["2026-09-01", "2026-10-01", "2026-11-01"]:
        make_order(customer=sample, day=day, lines=[(tea, 24, "100")], status="shipped")
    open_order = make_order(customer=sample, day="2026-11-20", lines=[(tea, 12, "100")], status="accepted")
    make_order(customer=customers["other"], day="2026-11-20", lines=[(tea, 5, "100")])
    client.force_login(factories.make_staff())
    html = client.get(reverse("admin:backoffice_customer_panel", args=[sample.pk])).content.decode()
    assert "ほうじ茶" in html and 'data-add-line="TEA-9 12"' in html
    assert open_order.number in html
    assert html.count("<li>") == 1  # the other customer's open order is not listed


def test_the_panel_is_for_staff_who_key_in_orders(client, customers):
    client.force_login(factories.make_staff(superuser=False))
    response = client.get(reverse("admin:backoffice_customer_panel", args=[customers["sample"].pk]))
    assert response.status_code == 403
