"""Web-channel rollout: staff switch customers on, buyers are invited once, the pilot dashboard counts."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import timezone

from engagement import rollout
from engagement.models import PilotCustomer
from orders.models import Order
from tests import factories
from tests.mail.helpers import deliver_queued_emails
from tests.orders.erp_builders import make_confirmed_order

pytestmark = pytest.mark.django_db


def test_enabling_a_prefecture_invites_its_buyers_once():
    osaka = [factories.make_customer(prefecture="大阪府", ec_enabled=False) for _ in range(2)]
    tokyo = factories.make_customer(prefecture="東京都", ec_enabled=False)
    buyers = [factories.make_buyer(customer=c) for c in osaka]
    factories.make_buyer(customer=tokyo)
    chosen = list(PilotCustomer.objects.filter(prefecture="大阪府").values_list("pk", flat=True))
    result = rollout.enable_web_ordering(customer_ids=chosen, now=timezone.now())
    assert (result.enabled, result.invited) == (2, 2)
    assert [c.ec_enabled for c in PilotCustomer.objects.order_by("pk")] == [True, True, False]
    assert rollout.enable_web_ordering(customer_ids=chosen, now=timezone.now()).invited == 0
    deliver_queued_emails()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(b.email for b in buyers)
    message = mail.outbox[0]
    assert message.subject == "貴社のWeb注文がご利用いただけるようになりました"
    assert "http://127.0.0.1:8000/login/" in message.body


def test_the_pilot_dashboard_shows_invited_activated_and_online_share(staff_client):
    customer = factories.make_customer(ec_enabled=False)
    buyer = factories.make_buyer(customer=customer)
    rollout.enable_web_ordering(customer_ids=[customer.pk], now=timezone.now())
    buyer.last_login = timezone.now()
    buyer.save()
    make_confirmed_order(buyer=buyer, push=False)  # web
    phone = make_confirmed_order(buyer=buyer, push=False)
    Order.objects.filter(pk=phone.pk).update(channel="phone")
    totals = rollout.pilot_totals(PilotCustomer.objects.filter(pk=customer.pk))
    assert totals == {
        "customers": 1,
        "enabled": 1,
        "invited": 1,
        "activated": 1,
        "ordering_online": 1,
        "online_share_percent": 50,
    }
    page = staff_client.get("/admin/engagement/pilotcustomer/").content.decode()
    assert "50% (1/2)" in page and customer.code in page
