"""Audit log: who changed what, when and from where; logins; proxy orders, approvals; who may read it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from axes.models import AccessFailureLog, AccessLog
from django.contrib.auth.models import Group
from django.utils import timezone

from customers import roles
from orders.models import Order
from orders.services.checkout import CheckoutDetails, place_order, place_proxy_order
from tests import factories
from tests.orders.builders import fill_cart, make_rule

pytestmark = pytest.mark.django_db


def _entries(obj) -> list[LogEntry]:
    return list(LogEntry.objects.get_for_object(obj).order_by("pk"))


def test_a_change_through_a_page_records_who_from_where_and_what(client):
    customer = factories.make_customer()
    admin = factories.make_buyer(customer=customer, role="admin")
    colleague = factories.make_buyer(customer=customer)
    client.force_login(admin)
    response = client.post(
        f"/company/users/{colleague.pk}/",
        {"role": "approver", "spending_limit": "50,000"},
        REMOTE_ADDR="203.0.113.7",
        HTTP_X_FORWARDED_FOR="198.51.100.1",  # not trusted without TRUSTED_PROXY_COUNT
    )
    assert response.status_code == 302
    entry = _entries(colleague)[-1]
    assert entry.action == LogEntry.Action.UPDATE
    assert entry.actor == admin and entry.remote_addr == "203.0.113.7"
    assert entry.changes_dict["role"] == ["buyer", "approver"]
    assert entry.changes_dict["spending_limit"][1] == "50000"


def test_trading_rule_and_price_changes_are_logged():
    staff = factories.make_staff()
    with set_actor(staff, remote_addr="192.0.2.10"):
        rule = make_rule(code="moq", kind="minimum_quantity", quantity=5)
        rule.quantity = 10
        rule.save()
        product = factories.make_product(base_price="100")
        price = factories.make_price(product=product, unit_price="90")
        price.unit_price = Decimal("80")
        price.save()
    created, updated = _entries(rule)
    assert (created.action, updated.action) == (LogEntry.Action.CREATE, LogEntry.Action.UPDATE)
    assert updated.changes_dict["quantity"] == ["5", "10"]
    assert updated.actor == staff and updated.remote_addr == "192.0.2.10"
    assert _entries(price)[-1].changes_dict["unit_price"] == ["90.00", "80"]


def test_proxy_orders_and_approval_decisions_are_audit_events(client):
    customer = factories.make_customer()
    product = factories.make_product(base_price="1000", on_hand=100)
    staff = factories.make_staff()
    proxy = place_proxy_order(
        staff=staff,
        customer=customer,
        items=[(product, 2)],
        idempotency_key="proxy-1",
        details=CheckoutDetails(),
        now=timezone.now(),
        channel=Order.Channel.PHONE,
    ).order
    (event,) = _entries(proxy)
    assert event.additional_data["event"] == "proxy_order" and event.actor == staff
    assert event.additional_data["channel"] == "phone"

    buyer = factories.make_buyer(customer=customer)
    buyer.spending_limit = Decimal(1000)
    buyer.save()
    approver = factories.make_buyer(customer=customer, role="approver")
    fill_cart(buyer, (product, 5))
    order = place_order(buyer=buyer, idempotency_key="k", details=CheckoutDetails(), now=timezone.now()).order
    client.force_login(approver)
    client.post(f"/orders/history/{order.number}/approve/", REMOTE_ADDR="203.0.113.9")
    (decision,) = _entries(order)
    assert decision.additional_data["event"] == "order_approved"
    assert decision.actor == approver and decision.remote_addr == "203.0.113.9"


def test_logins_and_failed_logins_are_recorded_with_the_address(client, buyer):
    client.post("/login/", {"username": buyer.email, "password": "wrong-one-1"}, REMOTE_ADDR="203.0.113.20")
    client.post(
        "/login/", {"username": buyer.email, "password": "buyer-pass-123"}, REMOTE_ADDR="203.0.113.20"
    )
    failure = AccessFailureLog.objects.get()
    assert failure.username == buyer.email and failure.ip_address == "203.0.113.20"
    login = AccessLog.objects.get(username=buyer.email)
    assert login.ip_address == "203.0.113.20" and login.attempt_time


@pytest.mark.parametrize(
    ("role", "status"), [(roles.ADMINISTRATOR, 200), (roles.SALES, 403), (roles.RULES_MANAGER, 403)]
)
def test_only_administrators_read_the_audit_log_and_login_records(client, role, status):
    staff = factories.make_staff(superuser=False)
    staff.groups.add(Group.objects.get(name=role))
    client.force_login(staff)
    for url in ("/admin/auditlog/logentry/", "/admin/axes/accesslog/", "/admin/axes/accessfailurelog/"):
        assert client.get(url).status_code == status, url
