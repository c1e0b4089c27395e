"""Order events from the ERP: the state machine, repeats, holds and the shipping e-mail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from catalog.models import StockHold
from mail.models import OutgoingEmail
from orders.events import TRANSITIONS, next_status
from orders.models import Order, OrderEvent
from tests.mail.helpers import deliver_queued_emails
from tests.orders.erp_builders import make_confirmed_order

pytestmark = pytest.mark.django_db

ALL_STATUSES = ["confirmed", "accepted", "shipped", "invoiced", "cancelled"]
LEGAL = {
    ("confirmed", "accepted"): "accepted",
    ("confirmed", "cancelled"): "cancelled",
    ("accepted", "shipped"): "shipped",
    ("accepted", "cancelled"): "cancelled",
    ("shipped", "invoiced"): "invoiced",
    ("accepted", "invoiced"): "invoiced",  # the closing run with INVOICE_BASIS=accepted
}


def _post(api, number, **body):
    return api.post(f"/api/v1/erp/orders/{number}/events", body, content_type="application/json")


def _walk_to(api, order, status):
    path = {
        "confirmed": [],
        "accepted": ["accepted"],
        "shipped": ["accepted", "shipped"],
        "invoiced": ["accepted", "shipped", "invoiced"],
        "cancelled": ["cancelled"],
    }[status]
    for event in path:
        assert _post(api, order.number, type=event).status_code == 200


@pytest.mark.parametrize("current", ALL_STATUSES)
@pytest.mark.parametrize("event", ["accepted", "shipped", "invoiced", "cancelled"])
def test_transition_table(erp_api, current, event):
    order = make_confirmed_order(push=False)
    _walk_to(erp_api, order, current)
    events_before = OrderEvent.objects.filter(order=order).count()
    response = _post(erp_api, order.number, type=event, tracking_number="" if event != "shipped" else "")
    order.refresh_from_db()
    already = (
        OrderEvent.objects.filter(order=order, type=event).count() == 1 and (current, event) not in LEGAL
    )
    if (current, event) in LEGAL:
        assert response.status_code == 200, response.content
        assert response.json()["status"] == LEGAL[(current, event)] == order.status
        assert OrderEvent.objects.filter(order=order).count() == events_before + 1
    elif already:  # the order had this event before: a repeat is a no-op
        assert response.status_code == 200
        assert order.status == current
        assert OrderEvent.objects.filter(order=order).count() == events_before
    else:
        assert response.status_code == 409, response.content
        body = response.json()
        assert body["code"] == "illegal_transition"
        assert order.number in body["message"] and event in body["message"]
        assert order.status == current
        assert OrderEvent.objects.filter(order=order).count() == events_before


def test_pure_next_status_matches_the_table():
    for current in ALL_STATUSES:
        for event in TRANSITIONS:
            expected = LEGAL.get((current, event))
            if (current, event) == ("invoiced", "shipped"):
                # Invoiced on acceptance (INVOICE_BASIS=accepted), shipped later: recorded, status stays.
                expected = "invoiced"
            assert next_status(current=current, event_type=event) == expected


def test_shipped_before_accepted_is_refused_with_a_message(erp_api):
    order = make_confirmed_order(push=False)
    response = _post(erp_api, order.number, type="shipped", tracking_number="TN-1")
    assert response.status_code == 409
    assert response.json()["details"] == {"status": "confirmed", "type": "shipped"}


def test_repeated_identical_event_answers_200_and_changes_nothing(erp_api):
    order = make_confirmed_order(push=False)
    first = _post(erp_api, order.number, type="accepted", occurred_at="2026-11-26T10:00:00+09:00")
    updated_at = Order.objects.get(pk=order.pk).updated_at
    again = _post(erp_api, order.number, type="accepted", occurred_at="2026-11-26T10:05:00+09:00")
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert Order.objects.get(pk=order.pk).updated_at == updated_at
    assert OrderEvent.objects.filter(order=order, type="accepted").count() == 1


def test_shipped_again_with_another_tracking_number_is_a_conflict(erp_api):
    order = make_confirmed_order(push=False)
    _walk_to(erp_api, order, "accepted")
    assert _post(erp_api, order.number, type="shipped", tracking_number="TN-1").status_code == 200
    assert _post(erp_api, order.number, type="shipped", tracking_number="TN-1").status_code == 200
    assert _post(erp_api, order.number, type="shipped").status_code == 200
    conflict = _post(erp_api, order.number, type="shipped", tracking_number="TN-2")
    assert conflict.status_code == 409 and "TN-1" in conflict.json()["message"]
    assert Order.objects.get(pk=order.pk).tracking_number == "TN-1"


def test_unknown_order_is_404_and_bad_bodies_are_400(erp_api):
    response = _post(erp_api, "B000000-999999", type="accepted")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    order = make_confirmed_order(push=False)
    bad_type = _post(erp_api, order.number, type="delivered")
    assert bad_type.status_code == 400 and "type" in bad_type.json()["details"]
    bad_time = _post(erp_api, order.number, type="accepted", occurred_at="yesterday")
    assert bad_time.status_code == 400 and "occurred_at" in bad_time.json()["details"]
    not_json = erp_api.post(f"/api/v1/erp/orders/{order.number}/events", "{", content_type="application/json")
    assert not_json.status_code == 400 and not_json.json()["code"] == "malformed"
    assert Order.objects.get(pk=order.pk).status == "confirmed"


@pytest.mark.parametrize("event", ["accepted", "cancelled"])
def test_accept_and_cancel_make_holds_releasable_from_occurred_at(erp_api, event):
    order = make_confirmed_order(push=False)
    at = "2026-11-26T10:00:00+09:00"
    assert _post(erp_api, order.number, type=event, occurred_at=at).status_code == 200
    holds = StockHold.objects.filter(order=order)
    assert holds.count() == 2
    assert {h.release_after.isoformat() for h in holds} == {"2026-11-26T01:00:00+00:00"}
    assert all(h.released_at is None for h in holds)


def test_accepted_without_occurred_at_uses_now(erp_api):
    order = make_confirmed_order(push=False)
    before = timezone.now()
    _post(erp_api, order.number, type="accepted")
    hold = StockHold.objects.filter(order=order).first()
    assert before <= hold.release_after <= timezone.now() + timedelta(seconds=1)


def test_shipped_emails_the_buyer_through_the_outbox_with_the_tracking_number(erp_api):
    order = make_confirmed_order(push=False)
    _walk_to(erp_api, order, "accepted")
    mail.outbox.clear()
    OutgoingEmail.objects.all().delete()
    response = _post(erp_api, order.number, type="shipped", tracking_number="1234-5678-9012")
    assert response.status_code == 200
    assert response.json()["tracking_number"] == "1234-5678-9012"
    assert OutgoingEmail.objects.get().kind == "order_shipped"  # written with the event
    assert deliver_queued_emails() == ["sent"]
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [order.placed_by.email]
    assert order.number in message.subject
    assert "1234-5678-9012" in message.body
    timeline = [e["type"] for e in response.json()["events"]]
    assert timeline == ["placed", "accepted", "shipped"]
