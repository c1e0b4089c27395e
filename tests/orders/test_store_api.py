"""Buyer API for cart, checkout and orders (contract section 5), including every bad input."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalog.models import Stock, StockHold
from mail.models import OutgoingEmail
from orders.models import Holiday, Order, OrderPush
from orders.services.calendar import earliest_delivery_date
from orders.tasks import order_placed_task
from tests import factories
from tests.mail.helpers import deliver_queued_emails
from tests.orders.builders import api_client_for, fill_cart, make_rule

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop():
    make_rule(code="small-order-fee", kind="small_order_fee", below="10000", fee="500", tax_rate="10")
    make_rule(
        code="case-units", kind="order_multiple", use_case_quantity=True, scope={"categories": ["DRINK"]}
    )
    drink = factories.make_product(
        sku="DRI-1",
        base_price="150",
        case_quantity=12,
        category=factories.make_category(code="DRINK"),
        tax_rate=8,
    )
    bolt = factories.make_product(sku="BOL-1", base_price="30")
    buyer = factories.make_buyer()
    return {"buyer": buyer, "drink": drink, "bolt": bolt, "api": api_client_for(buyer)}


def _put(api, sku, quantity):
    return api.put(f"/api/v1/store/cart/items/{sku}", {"quantity": quantity}, format="json")


def _checkout(api, key="key-1", **body):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return api.post("/api/v1/store/checkout", body, format="json", **headers)


def test_cart_shape_with_violation_fee_hint_and_tax_as_strings(shop):
    body = _put(shop["api"], "DRI-1", 10).json()
    assert body["lines"] == [
        {
            "sku": "DRI-1",
            "name": shop["drink"].name,
            "unit": "個",
            "quantity": 10,
            "unit_price": "150",
            "amount": "1500",
            "tax_rate": "8",
            "min_quantity": 1,
            "multiple": 12,
            "max_quantity": None,
        }
    ]
    assert body["violations"] == [
        {
            "code": "not_multiple",
            "sku": "DRI-1",
            "message": "12個単位でご注文ください (現在 10個)",
            "required": 12,
            "suggested": 12,
        }
    ]
    assert body["fees"] == [
        {
            "kind": "small_order_fee",
            "amount": "500",
            "tax_rate": "10",
            "message": "小口手数料 (¥10,000未満のご注文)",
        }
    ]
    assert body["hints"] == [
        {"code": "small_order_fee_avoidable", "message": "あと¥8,500のご注文で小口手数料¥500が不要になります"}
    ]
    assert body["tax"] == {"10": "50", "8": "120"}
    assert (body["subtotal"], body["total"], body["can_checkout"]) == ("1500", "2170", False)
    fixed = _put(shop["api"], "DRI-1", 12).json()
    assert fixed["violations"] == [] and fixed["can_checkout"] is True


def test_messages_follow_the_buyers_language(shop):
    shop["buyer"].preferred_language = "en"
    shop["buyer"].save()
    body = _put(shop["api"], "DRI-1", 10).json()
    assert body["violations"][0]["message"] == "Please order in multiples of 12 個 (currently 10)."


@pytest.mark.parametrize("quantity", [-1, 1.5, "10", "abc", None, 10**6 + 1, True])
def test_bad_quantities_are_400_and_change_nothing(shop, quantity):
    _put(shop["api"], "BOL-1", 5)
    response = _put(shop["api"], "BOL-1", quantity)
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid_quantity"
    assert response.json()["message"]
    assert shop["api"].get("/api/v1/store/cart").json()["lines"][0]["quantity"] == 5


def test_zero_and_delete_remove_unknown_or_inactive_sku_is_404(shop):
    _put(shop["api"], "BOL-1", 5)
    assert _put(shop["api"], "BOL-1", 0).json()["lines"] == []
    _put(shop["api"], "BOL-1", 5)
    assert shop["api"].delete("/api/v1/store/cart/items/BOL-1").json()["lines"] == []
    factories.make_product(sku="OLD-1", active=False)
    assert _put(shop["api"], "NOPE", 1).status_code == 404
    assert _put(shop["api"], "OLD-1", 1).status_code == 404


def test_store_api_refuses_staff_and_anonymous(shop, client):
    assert client.get("/api/v1/store/cart").status_code in (401, 403)
    staff_api = api_client_for(factories.make_staff())
    assert staff_api.get("/api/v1/store/cart").status_code == 403


def test_checkout_places_order_snapshot_outbox_mail_and_empties_cart(
    shop, django_capture_on_commit_callbacks, monkeypatch
):
    _put(shop["api"], "DRI-1", 24)
    _put(shop["api"], "BOL-1", 100)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = _checkout(shop["api"], po_number="PO-77", note="午前着", unit_price="1", total="0")
    assert response.status_code == 201, response.content
    order = response.json()
    assert order["lines"][0]["unit_price"] == "150"  # tampered prices ignored
    assert order["subtotal"] == "6600" and order["fees"] == [
        {"kind": "small_order_fee", "amount": "500", "tax_rate": "10"}
    ]
    assert order["tax"] == {"10": "350", "8": "288"} and order["total"] == "7738"
    assert (order["po_number"], order["note"], order["currency"], order["status"]) == (
        "PO-77",
        "午前着",
        "JPY",
        "confirmed",
    )
    assert order["customer"] == shop["buyer"].customer.code
    assert order["timeline"][0]["type"] == "placed"
    assert set(order["ship_to"]) == {"name", "postal_code", "prefecture", "address", "phone"}
    db_order = Order.objects.get(number=order["number"])
    assert db_order.channel == "api"
    assert OrderPush.objects.filter(order=db_order).exists()
    assert Stock.objects.get(product=shop["drink"]).held == 24
    assert shop["api"].get("/api/v1/store/cart").json()["lines"] == []
    # One message after commit names both outbox rows: the confirmation e-mail and the ERP push.
    assert len(callbacks) == 1
    published = []
    monkeypatch.setattr(order_placed_task, "apply_async", lambda **kw: published.append(kw["kwargs"]))
    callbacks[0]()
    email = OutgoingEmail.objects.get(kind="order_confirmation", ref=f"order:{order['number']}")
    assert published == [{"push_id": OrderPush.objects.get(order=db_order).pk, "email_ids": [email.pk]}]
    assert (
        OutgoingEmail.objects.filter(kind="order_confirmation", ref=f"order:{order['number']}").count() == 1
    )
    assert deliver_queued_emails() == ["sent"]
    assert len(mail.outbox) == 1
    assert order["number"] in mail.outbox[0].subject and "ご注文" in mail.outbox[0].subject
    assert mail.outbox[0].to == [shop["buyer"].email]


def test_idempotency_key_required_replayed_and_reused(shop):
    _put(shop["api"], "BOL-1", 400)
    assert _checkout(shop["api"], key=None).json()["code"] == "idempotency_key_missing"
    assert (
        _checkout(shop["api"], key="  ", po_number=["not", "text"]).json()["code"]
        == "idempotency_key_missing"
    )
    assert _checkout(shop["api"], key="k" * 129).json()["code"] == "idempotency_key_invalid"
    first = _checkout(shop["api"], key="k1")
    assert first.status_code == 201
    again = _checkout(shop["api"], key="k1")
    assert again.status_code == 200 and again.json()["number"] == first.json()["number"]
    _put(shop["api"], "BOL-1", 500)
    reused = _checkout(shop["api"], key="k1")
    assert reused.status_code == 422 and reused.json()["code"] == "idempotency_key_reused"
    assert Order.objects.count() == 1
    assert shop["api"].get("/api/v1/store/cart").json()["lines"][0]["quantity"] == 500


def test_rule_violation_is_422_and_reserves_nothing(shop):
    _put(shop["api"], "DRI-1", 10)
    response = _checkout(shop["api"])
    assert response.status_code == 422
    assert [v["code"] for v in response.json()["violations"]] == ["not_multiple"]
    assert "12個単位" in response.json()["violations"][0]["message"]
    assert not Order.objects.exists() and not StockHold.objects.exists()
    assert Stock.objects.get(product=shop["drink"]).held == 0


def test_not_enough_stock_is_409_with_lines(shop):
    Stock.objects.filter(product=shop["bolt"]).update(on_hand=50)
    _put(shop["api"], "BOL-1", 60)
    response = _checkout(shop["api"])
    assert response.status_code == 409
    assert response.json()["lines"] == [{"sku": "BOL-1", "requested": 60, "available": 50}]
    assert not Order.objects.exists()


def test_empty_cart_cannot_check_out(shop):
    response = _checkout(shop["api"])
    assert response.status_code == 422
    assert [v["code"] for v in response.json()["violations"]] == ["empty_cart"]


def test_ship_to_of_another_company_is_refused(shop):
    _put(shop["api"], "BOL-1", 400)
    foreign = factories.make_ship_to(customer=factories.make_customer())
    response = _checkout(shop["api"], ship_to=foreign.pk)
    assert response.status_code == 404 and response.json()["message"]
    own = factories.make_ship_to(customer=shop["buyer"].customer, prefecture="大阪府")
    response = _checkout(shop["api"], key="k2", ship_to=own.pk)
    assert response.status_code == 201 and response.json()["ship_to"]["prefecture"] == "大阪府"


def _next_weekend(day):
    while day.weekday() != 5:
        day += timedelta(days=1)
    return day


def test_delivery_date_rules(shop, settings):
    settings.ORDER_LEAD_TIME_DAYS = 2
    _put(shop["api"], "BOL-1", 400)
    today = timezone.localdate()
    earliest = earliest_delivery_date(today=today)
    assert earliest.weekday() < 5 and (earliest - today).days >= 2
    holiday = earliest + timedelta(days=7)
    while holiday.weekday() >= 5:
        holiday += timedelta(days=1)
    Holiday.objects.get_or_create(date=holiday, defaults={"name": "テスト休業日"})
    for bad in (today - timedelta(days=1), today, _next_weekend(earliest), holiday):
        response = _checkout(shop["api"], key=f"d-{bad}", requested_delivery_date=bad.isoformat())
        assert response.status_code == 400, (bad, response.content)
        assert response.json()["code"] == "invalid_delivery_date"
    assert _checkout(shop["api"], key="bad-format", requested_delivery_date="next week").status_code == 400
    assert not Order.objects.exists()
    ok = _checkout(shop["api"], key="good", requested_delivery_date=earliest.isoformat())
    assert ok.status_code == 201 and ok.json()["requested_delivery_date"] == earliest.isoformat()


def test_orders_are_scoped_to_the_company(shop):
    _put(shop["api"], "BOL-1", 400)
    number = _checkout(shop["api"]).json()["number"]
    colleague = api_client_for(factories.make_buyer(customer=shop["buyer"].customer))
    assert colleague.get(f"/api/v1/store/orders/{number}").status_code == 200
    stranger = api_client_for(factories.make_buyer())
    assert stranger.get(f"/api/v1/store/orders/{number}").status_code == 404
    assert stranger.post(f"/api/v1/store/orders/{number}/reorder").status_code == 404
    assert stranger.get("/api/v1/store/orders").json()["results"] == []
    listing = colleague.get("/api/v1/store/orders").json()
    assert [o["number"] for o in listing["results"]] == [number]
    assert set(listing) >= {"next", "previous", "results"}


def test_reorder_uses_todays_prices_and_reports_unavailable(shop):
    _put(shop["api"], "BOL-1", 400)
    _put(shop["api"], "DRI-1", 12)
    number = _checkout(shop["api"]).json()["number"]
    factories.make_price(product=shop["bolt"], unit_price="25", customer=shop["buyer"].customer)
    shop["drink"].active = False
    shop["drink"].save()
    body = shop["api"].post(f"/api/v1/store/orders/{number}/reorder").json()
    assert [(line["sku"], line["quantity"], line["unit_price"]) for line in body["lines"]] == [
        ("BOL-1", 400, "25")
    ]
    assert body["unavailable"] == [{"sku": "DRI-1", "name": shop["drink"].name, "reason": "not_available"}]
    # The placed order keeps its own prices.
    order = shop["api"].get(f"/api/v1/store/orders/{number}").json()
    assert {line["sku"]: line["unit_price"] for line in order["lines"]} == {"BOL-1": "30", "DRI-1": "150"}


def test_snapshot_survives_price_and_rule_changes(shop):
    from pricing_rules.models import Rule

    _put(shop["api"], "BOL-1", 100)
    placed = _checkout(shop["api"]).json()
    db_order = Order.objects.get(number=placed["number"])
    assert [rule["code"] for rule in db_order.snapshot["rules"]] == ["small-order-fee"]
    assert db_order.snapshot["rules"][0]["fee"] == "500"
    shop["bolt"].base_price = Decimal("99")
    shop["bolt"].save()
    Rule.objects.filter(code="small-order-fee").update(fee=Decimal("900"))
    assert shop["api"].get(f"/api/v1/store/orders/{placed['number']}").json() == placed


def _queries(func) -> int:
    with CaptureQueriesContext(connection) as ctx:
        func()
    return len(ctx.captured_queries)


def test_cart_api_and_checkout_query_counts_do_not_grow_with_lines():
    make_rule(code="fee", kind="small_order_fee", below="100000000", fee="500")
    products = [factories.make_product() for _ in range(100)]
    cart_counts, checkout_counts = [], []
    for size in (1, 20, 100):
        buyer = factories.make_buyer()
        fill_cart(buyer, *[(p, 2) for p in products[:size]])
        api = api_client_for(buyer)
        api.get("/api/v1/store/cart")  # token last_used_at touch happens once
        cart_counts.append(_queries(lambda api=api: api.get("/api/v1/store/cart")))
        checkout_counts.append(_queries(lambda api=api: _checkout(api, key="q")))
        assert Order.objects.filter(customer=buyer.customer).count() == 1
    assert cart_counts[0] == cart_counts[1] == cart_counts[2] and cart_counts[0] <= 12, cart_counts
    # 21: the confirmation e-mail names the actual earliest delivery day (one holiday read).
    assert checkout_counts[0] == checkout_counts[1] == checkout_counts[2] and checkout_counts[0] <= 21, (
        checkout_counts
    )


def test_the_order_placed_message_sends_the_mail_and_pushes_and_a_broker_outage_loses_nothing(
    shop, django_capture_on_commit_callbacks, monkeypatch, settings
):
    _put(shop["api"], "BOL-1", 100)

    def broker_down(**kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(order_placed_task, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        response = _checkout(shop["api"], key="outage-1")
    assert response.status_code == 201  # the buyer's order stands; the rows wait for their sweeps
    order = Order.objects.get(number=response.json()["number"])
    push = OrderPush.objects.get(order=order)
    email = OutgoingEmail.objects.get(ref=f"order:{order.number}")
    assert (push.status, email.status) == ("pending", "pending")

    # The message itself (what a worker runs): the e-mail goes, then the push is attempted.
    settings.ERP_ORDERS_URL = ""  # no ERP here: the push notes that and waits, as push_order_task would
    order_placed_task.run(push_id=push.pk, email_ids=[email.pk])
    email.refresh_from_db()
    push.refresh_from_db()
    assert email.status == "sent" and mail.outbox[-1].to == [shop["buyer"].email]
    assert push.status == "pending" and "ERP_ORDERS_URL" in push.last_error
    order_placed_task.run(push_id=push.pk, email_ids=[email.pk])  # redelivered: nothing is sent twice
    assert len([m for m in mail.outbox if order.number in m.subject]) == 1
