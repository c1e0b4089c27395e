"""Reminder history on the customer page and the channel mix per web-rollout pilot, on hand-made data."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from engagement import rollout, services
from engagement.models import ReminderDigest
from insights import selectors
from insights.selectors import Period
from tests import factories
from tests.insights.builders import at, order_of
from tests.orders.erp_builders import make_confirmed_order

pytestmark = pytest.mark.django_db

NOV = Period(start=date(2026, 11, 1), end=date(2026, 11, 30))


def _csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


# ----------------------------------------------------------------------------- reminder history


def _reminded_twice(buyer):
    """Two reorder-reminder e-mails (3 March and 2 May 2026) sent by the real reminder job."""
    drink = factories.make_product(name="緑茶500ml", sku="DRINK-1", base_price="150")
    start = date(2026, 1, 1)
    for day in (start, start + timedelta(days=10), start + timedelta(days=20)):
        make_confirmed_order(buyer=buyer, items=[(drink, 24)], placed_at=at(day.isoformat(), 10), push=False)
    first = date(2026, 2, 9)  # 20 days after the last purchase: due
    services.send_reminders(on=first, now=at(first.isoformat(), 8))
    # An order 5 days later converts the first e-mail (and starts a new rhythm: 10, 20, ~24 days).
    make_confirmed_order(buyer=buyer, items=[(drink, 24)], placed_at=at("2026-02-14", 10), push=False)
    second = date(2026, 4, 1)
    services.send_reminders(on=second, now=at(second.isoformat(), 8))
    return drink, first, second


def test_reminder_history_lists_what_was_sent_and_whether_an_order_followed():
    buyer = factories.make_buyer()
    drink, first, second = _reminded_twice(buyer)
    assert ReminderDigest.objects.count() == 2
    history = selectors.reminder_history(customer_id=buyer.customer_id, since=date(2026, 1, 1))
    assert [(r.on_date, r.to_email, r.skus, r.converted, r.status) for r in history] == [
        (second, buyer.email, ("DRINK-1",), False, "pending"),
        (first, buyer.email, ("DRINK-1",), True, "pending"),
    ]
    assert (
        selectors.reminder_history(customer_id=buyer.customer_id, since=date(2026, 3, 1))[0].on_date == second
    )
    other = factories.make_customer()
    assert selectors.reminder_history(customer_id=other.pk, since=date(2026, 1, 1)) == []


def test_customer_page_shows_the_reminders_and_exports_them(staff_client, settings):
    buyer = factories.make_buyer()
    _reminded_twice(buyer)
    url = reverse("admin:insights_customer", args=[buyer.customer_id])
    # The page shows the last 12 months from today: pin today just after the second e-mail.
    from unittest import mock

    with mock.patch("django.utils.timezone.now", return_value=at("2026-04-20", 9)):
        page = staff_client.get(url).content.decode()
        rows = _csv_rows(staff_client.get(url, {"csv": "reminders"}))
    assert "リマインド履歴" in page
    assert "2件のリマインドメール、うち1件は14日以内に注文あり" in page
    assert page.count("DRINK-1") >= 2
    assert rows[0] == ["sent_on", "to", "status", "items", "order_within_14_days"]
    assert rows[1:] == [
        ["2026-04-01", buyer.email, "pending", "DRINK-1", "false"],
        ["2026-02-09", buyer.email, "pending", "DRINK-1", "true"],
    ]


# ----------------------------------------------------------------------------- channel mix per pilot


def test_channel_mix_per_pilot_splits_before_and_since_the_invitation():
    group = factories.make_price_group(code="PG-W")
    osaka = factories.make_customer(code="OS1", prefecture="大阪府", price_group=group, ec_enabled=False)
    osaka2 = factories.make_customer(code="OS2", prefecture="大阪府", ec_enabled=False)
    tokyo = factories.make_customer(code="TK1", prefecture="東京都", ec_enabled=False)
    for customer in (osaka, osaka2, tokyo):
        factories.make_buyer(customer=customer)
    product = factories.make_product(base_price="1")
    order_of(osaka, product, "2026-11-03", 4000, channel="fax")
    order_of(osaka2, product, "2026-11-04", 1000, channel="phone")
    rollout.enable_web_ordering(customer_ids=[osaka.pk, osaka2.pk], now=at("2026-11-10", 9))
    order_of(osaka, product, "2026-11-12", 3000, channel="web")
    order_of(osaka, product, "2026-11-13", 500, channel="phone")
    order_of(osaka2, product, "2026-11-20", 2000, channel="api")
    order_of(tokyo, product, "2026-11-21", 7000, channel="fax")
    order_of(tokyo, product, "2026-10-21", 9999, channel="web")  # outside the period

    rows = selectors.channel_mix_by_pilot(period=NOV)
    got = [
        (r.scope, r.value, r.since_invitation, r.customers, r.mix.total_orders, r.mix.total_revenue,
         r.mix.online_order_share, r.mix.online_revenue_share)
        for r in rows
    ]  # fmt: skip
    assert got == [
        ("prefecture", "大阪府", False, 2, 2, 5000, 0, 0),
        ("prefecture", "大阪府", True, 2, 3, 5500, Decimal("0.6667"), Decimal("0.9091")),
        ("price_group", group.name, False, 1, 1, 4000, 0, 0),
        ("price_group", group.name, True, 1, 2, 3500, Decimal("0.5"), Decimal("0.8571")),
        ("", "", False, 1, 1, 7000, 0, 0),
    ]
    since = rows[1].mix
    assert (since.orders["web"], since.orders["api"], since.orders["phone"]) == (1, 1, 1)


def test_economics_page_shows_and_exports_the_pilot_mix(staff_client):
    customer = factories.make_customer(code="OS1", prefecture="大阪府", ec_enabled=False)
    factories.make_buyer(customer=customer)
    product = factories.make_product(base_price="1")
    rollout.enable_web_ordering(customer_ids=[customer.pk], now=at("2026-11-10", 9))
    order_of(customer, product, "2026-11-12", 3000, channel="web")
    params = {"date_from": "2026-11-01", "date_to": "2026-11-30"}
    page = staff_client.get(reverse("admin:insights_economics"), params).content.decode()
    assert 'id="channels-pilot"' in page
    assert "都道府県: 大阪府 — 招待後" in page
    rows = _csv_rows(
        staff_client.get(reverse("admin:insights_economics"), {**params, "csv": "channels_by_pilot"})
    )
    assert rows[0][:4] == ["scope", "value", "since_invitation", "customers"]
    web = rows[0].index("orders_web")
    assert rows[1][:4] == ["prefecture", "大阪府", "true", "1"]
    assert rows[1][web] == "1"
