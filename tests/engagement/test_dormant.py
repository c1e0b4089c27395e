"""Dormant customers: measured against each customer's own rhythm, ranked by revenue, with whom to call."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from crm.models import Contact
from engagement import dormant
from tests import factories
from tests.mail.helpers import deliver_queued_emails
from tests.orders.erp_builders import make_confirmed_order

pytestmark = pytest.mark.django_db

ON = date(2026, 12, 1)
TOKYO = ZoneInfo("Asia/Tokyo")


def _orders(buyer, *, every: int, last: date, n: int = 4, product=None, fee: str = "500"):
    product = product or factories.make_product(name=f"定番品{buyer.pk}")
    for i in range(n):
        day = last - timedelta(days=every * (n - 1 - i))
        placed = datetime.combine(day, time(10), tzinfo=TOKYO)
        make_confirmed_order(buyer=buyer, items=[(product, 10)], placed_at=placed, push=False, fee=fee)
    return product


def test_dormancy_follows_each_customers_own_rhythm_and_ranks_by_revenue():
    weekly = factories.make_buyer()
    _orders(weekly, every=7, last=ON - timedelta(days=40))  # 40 days silent, usually weekly: dormant
    quarterly = factories.make_buyer()
    _orders(quarterly, every=90, last=ON - timedelta(days=120))  # 120 days, usually 90: not dormant
    big = factories.make_buyer()
    _orders(big, every=10, last=ON - timedelta(days=60), fee="50000")  # dormant, more revenue
    rows = dormant.list_dormant_customers(on=ON)
    assert [r.customer.pk for r in rows] == [big.customer_id, weekly.customer_id]
    first = rows[0]
    assert (first.days_since, first.usual_gap_days, first.order_days) == (60, 10, 4)
    assert first.usual_products == [f"定番品{big.pk}"]


def test_the_staff_list_names_the_key_person_to_call_and_sends_one_reactivation_email(staff_client):
    buyer = factories.make_buyer()
    _orders(buyer, every=7, last=ON - timedelta(days=40))
    Contact.objects.create(
        customer=buyer.customer, name="山田 部長", phone="090-1111-2222", is_key_person=True
    )
    Contact.objects.create(customer=buyer.customer, name="佐藤", phone="03-0000-0000")
    (row,) = dormant.list_dormant_customers(on=ON)
    assert (row.call_name, row.call_phone) == ("山田 部長", "090-1111-2222")
    assert (
        dormant.send_reactivation_emails(customer_ids=[buyer.customer_id], on=ON, now=datetime.now(TOKYO))
        == 1
    )
    assert (
        dormant.send_reactivation_emails(customer_ids=[buyer.customer_id], on=ON, now=datetime.now(TOKYO))
        == 0
    )
    deliver_queued_emails()
    (message,) = mail.outbox
    assert message.to == [buyer.email] and f"定番品{buyer.pk}" in message.body
    assert "List-Unsubscribe" in message.extra_headers
    page = staff_client.get("/staff/dormant/")
    assert page.status_code == 200
