"""Outbound push (contract section 4) against a real local HTTP server playing the ERP."""

from __future__ import annotations

import json
import random
import time
from datetime import timedelta

import pytest
import urllib3
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from werkzeug import Request, Response

from orders import erp_client, outbox
from orders.erp_payload import encode_body, order_payload, with_payload_relations
from orders.models import Order, OrderPush
from tests import factories
from tests.orders.erp_builders import make_confirmed_order

pytestmark = pytest.mark.django_db


def _push(order: Order) -> OrderPush:
    return OrderPush.objects.get(order=order)


def _deliver(order: Order, now=None) -> outbox.PushResult:
    return outbox.deliver_order_push(outbox_id=_push(order).id, now=now or timezone.now())


def test_push_is_enqueued_only_after_commit_and_never_for_a_rolled_back_order(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks() as callbacks:
        order = make_confirmed_order()
    assert len(callbacks) == 1
    assert _push(order).status == "pending"

    buyer = factories.make_buyer()

    def checkout_that_fails_late() -> None:
        with transaction.atomic():
            make_confirmed_order(buyer=buyer)
            raise RuntimeError("checkout failed after the order was written")

    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RuntimeError):
        checkout_that_fails_late()
    assert callbacks == []
    assert not Order.objects.filter(customer=buyer.customer).exists()
    assert OrderPush.objects.count() == 1


def test_the_erp_receives_the_signed_contract_body_with_the_order_number_as_key(httpserver, erp_url):
    received = []

    def handler(request: Request) -> Response:
        received.append((request.headers, request.get_data()))
        return Response('{"ok": true}', status=201, content_type="application/json")

    httpserver.expect_request("/orders", method="POST").respond_with_handler(handler)
    order = make_confirmed_order(po_number="PO-1")
    assert _deliver(order).outcome == "sent"

    headers, body = received[0]
    assert headers["Content-Type"] == "application/json"
    assert headers["Idempotency-Key"] == order.number
    assert erp_client.signature_is_valid(
        body=body, secret="test-signing-secret", header=headers["X-B2BShop-Signature"]
    )
    assert not erp_client.signature_is_valid(
        body=body, secret="another-secret", header=headers["X-B2BShop-Signature"]
    )
    assert headers["X-B2BShop-Signature"].startswith("sha256=")
    data = json.loads(body)
    assert body == encode_body(order_payload(with_payload_relations(Order.objects.filter(pk=order.pk)).get()))
    assert set(data) == {
        "number",
        "customer",
        "ordered_at",
        "po_number",
        "ship_to",
        "requested_delivery_date",
        "note",
        "lines",
        "fees",
        "subtotal",
        "tax",
        "total",
        "currency",
    }
    assert data["customer"] == order.customer.code and data["po_number"] == "PO-1"
    assert data["ordered_at"].endswith("+09:00")
    assert data["requested_delivery_date"] is None
    assert set(data["ship_to"]) == {"name", "postal_code", "prefecture", "address", "phone"}
    assert data["lines"][0] == {
        "line_no": 1,
        "sku": data["lines"][0]["sku"],
        "name": data["lines"][0]["name"],
        "quantity": 12,
        "unit_price": "120",
        "amount": "1440",
        "tax_rate": "10",
    }
    assert data["lines"][1]["unit_price"] == "0.85" and data["lines"][1]["amount"] == "85"
    assert data["lines"][1]["tax_rate"] == "8"
    assert data["fees"] == [{"kind": "small_order_fee", "amount": "500", "tax_rate": "10"}]
    assert data["subtotal"] == "1525" and data["tax"] == {"10": "194", "8": "6"}
    assert data["total"] == "2225" and data["currency"] == "JPY"
    push = _push(order)
    assert (push.status, push.attempts, push.last_status_code, push.sent_at is not None) == (
        "sent",
        1,
        201,
        True,
    )


def test_409_from_the_erp_means_it_already_has_the_order(httpserver, erp_url):
    httpserver.expect_request("/orders").respond_with_json({"error": "duplicate"}, status=409)
    order = make_confirmed_order()
    assert _deliver(order).outcome == "sent"
    assert (_push(order).status, _push(order).last_status_code) == ("sent", 409)
    # delivered rows are never sent again
    assert _deliver(order, now=timezone.now() + timedelta(days=1)).outcome == "skipped"
    assert len(httpserver.log) == 1


def test_400_parks_the_push_as_failed_and_the_admin_retry_sends_it_again(
    httpserver, erp_url, staff_client, django_capture_on_commit_callbacks
):
    httpserver.expect_oneshot_request("/orders").respond_with_json({"error": "unknown customer"}, status=400)
    order = make_confirmed_order()
    assert _deliver(order).outcome == "failed"
    push = _push(order)
    assert (push.status, push.attempts, push.last_status_code) == ("failed", 1, 400)
    assert "unknown customer" in push.last_error
    assert _deliver(order, now=timezone.now() + timedelta(days=1)).outcome == "skipped"  # parked

    listing = staff_client.get("/admin/orders/orderpush/?status__exact=failed")
    assert order.number in listing.content.decode()
    with django_capture_on_commit_callbacks() as callbacks:
        response = staff_client.post(
            "/admin/orders/orderpush/", {"action": "retry_failed", "_selected_action": [push.id]}, follow=True
        )
    assert response.status_code == 200
    assert len(callbacks) == 1  # the push task is enqueued after commit
    push.refresh_from_db()
    assert (push.status, push.attempts, push.next_attempt_at) == ("pending", 0, None)

    httpserver.expect_oneshot_request("/orders").respond_with_json({}, status=201)
    assert _deliver(order).outcome == "sent"
    keys = {request.headers["Idempotency-Key"] for request, _response in httpserver.log}
    assert keys == {order.number}


def test_a_timeout_is_retried_later_with_the_error_kept(httpserver, erp_url, settings):
    settings.ERP_TIMEOUT_SECONDS = 0.3

    def slow(request: Request) -> Response:
        time.sleep(1.0)
        return Response("{}", status=201)

    httpserver.expect_request("/orders").respond_with_handler(slow)
    order = make_confirmed_order()
    now = timezone.now()
    result = _deliver(order, now=now)
    assert result.outcome == "retry"
    push = _push(order)
    assert (push.status, push.attempts, push.last_status_code) == ("pending", 1, None)
    assert "timeout" in push.last_error
    assert push.next_attempt_at > now
    time.sleep(0.8)  # let the slow handler finish before the server is cleared


def test_connection_refused_is_retried(settings):
    settings.ERP_ORDERS_URL = "http://127.0.0.1:9/orders"  # discard port: nothing listens
    order = make_confirmed_order()
    assert _deliver(order).outcome == "retry"
    push = _push(order)
    assert push.status == "pending" and push.attempts == 1 and "ConnectionError" in push.last_error


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503])
def test_retryable_statuses_back_off_exponentially_and_give_up_after_max_attempts(
    httpserver, erp_url, settings, status
):
    settings.ERP_MAX_ATTEMPTS = 4
    settings.ERP_RETRY_BASE_SECONDS = 10
    httpserver.expect_request("/orders").respond_with_json({"error": "busy"}, status=status)
    order = make_confirmed_order()
    now = timezone.now()
    delays = []
    for attempt in range(1, 5):
        result = _deliver(order, now=now)
        push = _push(order)
        assert push.attempts == attempt and push.last_status_code == status
        if attempt < 4:
            assert result.outcome == "retry" and push.status == "pending"
            delay = (push.next_attempt_at - now).total_seconds()
            assert 10 * 2 ** (attempt - 1) / 2 <= delay <= 10 * 2 ** (attempt - 1)
            delays.append(delay)
            assert _deliver(order, now=now + timedelta(seconds=delay / 2)).outcome == "skipped"  # not due yet
            now = push.next_attempt_at
    assert result.outcome == "failed" and push.status == "failed"
    assert "gave up after 4 attempts" in push.last_error
    assert delays == sorted(delays)
    assert {r.headers["Idempotency-Key"] for r, _ in httpserver.log} == {order.number}


def test_retry_after_is_honoured(httpserver, erp_url, settings):
    settings.ERP_RETRY_BASE_SECONDS = 1
    httpserver.expect_request("/orders").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "120"}
    )
    order = make_confirmed_order()
    now = timezone.now()
    assert _deliver(order, now=now).retry_in == 120
    assert _push(order).next_attempt_at == now + timedelta(seconds=120)


def test_without_an_erp_url_the_push_waits_with_a_clear_error(settings):
    settings.ERP_ORDERS_URL = ""
    order = make_confirmed_order()
    assert _deliver(order).outcome == "waiting"
    push = _push(order)
    assert push.status == "pending" and push.attempts == 0
    assert "ERP_ORDERS_URL is not set" in push.last_error


def test_sweep_selects_due_retries_expired_leases_and_lost_tasks_only(settings):
    settings.ERP_SWEEP_GRACE_SECONDS = 60
    now = timezone.now()
    fresh = _push(make_confirmed_order())  # just committed; the fast path owns it for now
    lost = _push(make_confirmed_order())
    OrderPush.objects.filter(pk=lost.pk).update(created_at=now - timedelta(minutes=5))
    due = _push(make_confirmed_order())
    OrderPush.objects.filter(pk=due.pk).update(attempts=2, next_attempt_at=now - timedelta(seconds=1))
    waiting = _push(make_confirmed_order())
    OrderPush.objects.filter(pk=waiting.pk).update(
        attempts=1, next_attempt_at=now + timedelta(minutes=1), created_at=now - timedelta(minutes=5)
    )
    done = _push(make_confirmed_order())
    OrderPush.objects.filter(pk=done.pk).update(status="sent", created_at=now - timedelta(minutes=5))
    failed = _push(make_confirmed_order())
    OrderPush.objects.filter(pk=failed.pk).update(status="failed", created_at=now - timedelta(minutes=5))
    assert set(outbox.due_push_ids(now=now)) == {lost.id, due.id}
    assert fresh.id in outbox.due_push_ids(now=now + timedelta(seconds=61))


def test_backoff_has_equal_jitter_and_a_cap():
    rand = random.Random(7)
    for attempt in range(1, 12):
        delay = outbox.backoff_seconds(attempt=attempt, base=30, cap=3600, rand=rand)
        full = min(3600, 30 * 2 ** (attempt - 1))
        assert full / 2 <= delay <= full


def test_one_task_sends_a_batch_and_a_failing_order_neither_blocks_nor_repeats_the_others(
    httpserver, erp_url, settings
):
    settings.ERP_PUSH_BATCH, settings.ERP_PUSH_CONCURRENCY = 10, 2
    orders = [make_confirmed_order() for _ in range(4)]
    failing = orders[1].number
    keys: list[str] = []

    def erp(request: Request) -> Response:
        key = request.headers["Idempotency-Key"]
        keys.append(key)
        first_try_of_failing = key == failing and keys.count(key) == 1
        return Response("{}", status=500 if first_try_of_failing else 201, content_type="application/json")

    httpserver.expect_request("/orders", method="POST").respond_with_handler(erp)
    assert _deliver(orders[0]).outcome == "sent"  # the first order's own task ...
    assert sorted(keys) == sorted(o.number for o in orders)  # ... sent all four, each once
    states = {o.number: (_push(o).status, _push(o).attempts, _push(o).last_status_code) for o in orders}
    assert states == {
        o.number: ("pending", 1, 500) if o.number == failing else ("sent", 1, 201) for o in orders
    }
    assert _push(orders[1]).next_attempt_at > timezone.now()  # its own backoff, nobody else's

    # The other rows' own tasks arrive later: nothing is in flight twice, nothing is sent twice.
    for order in orders[1:]:
        assert _deliver(order).outcome == "skipped"
    assert len(keys) == 4

    assert _deliver(orders[1], now=timezone.now() + timedelta(days=1)).outcome == "sent"  # the retry
    assert keys.count(failing) == 2 and len(keys) == 5  # same Idempotency-Key, the others untouched


def test_a_batch_never_takes_a_row_that_is_leased_or_backing_off(httpserver, erp_url, settings):
    settings.ERP_PUSH_BATCH = 10
    httpserver.expect_request("/orders", method="POST").respond_with_json({}, status=201)
    mine, leased, backing_off = (make_confirmed_order() for _ in range(3))
    later = timezone.now() + timedelta(minutes=5)
    OrderPush.objects.filter(order__in=[leased, backing_off]).update(next_attempt_at=later, attempts=1)
    assert _deliver(mine).outcome == "sent"
    assert [r.headers["Idempotency-Key"] for r, _ in httpserver.log] == [mine.number]
    assert _push(leased).status == _push(backing_off).status == "pending"


def _statements(queries) -> list[str]:
    """What production sends (the test's own savepoints left out)."""
    return [
        q["sql"]
        for q in queries.captured_queries
        if not q["sql"].upper().startswith(("SAVEPOINT", "RELEASE"))
    ]


@pytest.mark.parametrize("size", [10, 50])
def test_a_batch_costs_the_same_statements_for_10_or_50_orders_and_sends_each_once(
    httpserver, erp_url, settings, size
):
    settings.ERP_PUSH_BATCH, settings.ERP_PUSH_CONCURRENCY = size, 4
    orders = [make_confirmed_order() for _ in range(size)]
    httpserver.expect_request("/orders", method="POST").respond_with_json({}, status=201)
    first, last = _push(orders[0]).id, _push(orders[-1]).id
    with CaptureQueriesContext(connection) as queries:
        assert outbox.deliver_order_push(outbox_id=first, now=timezone.now()).outcome == "sent"
    # claim (one UPDATE ... RETURNING), order + customer, lines, fees, every row marked sent (one UPDATE)
    assert len(_statements(queries)) == 5
    keys = [r.headers["Idempotency-Key"] for r, _ in httpserver.log]
    assert sorted(keys) == sorted(o.number for o in orders)
    assert {(_push(o).status, _push(o).attempts, _push(o).last_status_code) for o in orders} == {
        ("sent", 1, 201)
    }

    # Each other order's own task finds its row sent: one statement, nothing sent again.
    with CaptureQueriesContext(connection) as queries:
        assert outbox.deliver_order_push(outbox_id=last, now=timezone.now()).outcome == "skipped"
    assert len(_statements(queries)) == 1
    assert len(httpserver.log) == size


def test_a_task_whose_row_is_in_flight_claims_nothing_and_sends_nothing(httpserver, erp_url, settings):
    settings.ERP_PUSH_BATCH = 10
    httpserver.expect_request("/orders", method="POST").respond_with_json({}, status=201)
    leased, other = make_confirmed_order(), make_confirmed_order()
    OrderPush.objects.filter(order=leased).update(
        next_attempt_at=timezone.now() + timedelta(minutes=5), attempts=1
    )
    assert _deliver(leased).outcome == "skipped"
    assert httpserver.log == []
    assert (_push(other).status, _push(other).attempts) == ("pending", 0)  # left for its own task


def test_the_erp_connection_uses_the_proxy_and_ca_bundle_requests_would(monkeypatch):
    monkeypatch.setattr(erp_client, "_pools", {})
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example.jp:3128")
    monkeypatch.setenv("NO_PROXY", "erp.internal.example.jp")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/our-ca.pem")
    via_proxy = erp_client._pool_for("https://erp.example.jp/orders")
    assert isinstance(via_proxy, urllib3.ProxyManager)
    assert via_proxy.proxy is not None and via_proxy.proxy.host == "proxy.example.jp"
    assert via_proxy.connection_pool_kw["ca_certs"] == "/etc/ssl/our-ca.pem"
    direct = erp_client._pool_for("https://erp.internal.example.jp/orders")
    assert not isinstance(direct, urllib3.ProxyManager)
    assert erp_client._pool_for("https://erp.example.jp/orders") is via_proxy  # one pool per process and URL
