"""The push through a real Celery worker and Redis: retries, a killed worker, Redis down at checkout.

Each test starts `celery -A b2bshop worker --pool=solo` on the test database; the ERP is a real
local HTTP server (pytest-httpserver) that de-duplicates by Idempotency-Key like a real ERP should.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.utils import timezone
from werkzeug import Request, Response

from orders import erp_client, outbox
from orders.models import Order, OrderPush
from tests.orders.erp_builders import make_confirmed_order
from tests.workers import CeleryWorkers
from tests.workers import wait_for as _wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
SECRET = "test-signing-secret"


@pytest.fixture
def start_worker(tmp_path, erp_url) -> Iterator[Callable[..., subprocess.Popen]]:
    """Start a Celery worker on the test database; stops every worker it started."""
    workers = CeleryWorkers(
        tmp_path, name="erp-test", env={**os.environ, "ERP_ORDERS_URL": erp_url, "ERP_SIGNING_SECRET": SECRET}
    )
    yield workers.start
    workers.stop_all()


class FakeErp:
    """Dedups by Idempotency-Key (409 for a key it has), can fail first, can stall one request."""

    def __init__(self, *, fail_first: int = 0, stall_first: bool = False) -> None:
        self.fail_first = fail_first
        self.stall_first = stall_first
        self.requests: list[tuple[str, bool]] = []  # (key, signature valid)
        self.accepted: set[str] = set()
        self.entered = threading.Event()
        self.release = threading.Event()
        self.lock = threading.Lock()

    def __call__(self, request: Request) -> Response:
        body = request.get_data()
        key = request.headers.get("Idempotency-Key", "")
        valid = erp_client.signature_is_valid(
            body=body, secret=SECRET, header=request.headers.get("X-B2BShop-Signature")
        )
        with self.lock:
            self.requests.append((key, valid))
            n = len(self.requests)
        if not valid:
            return Response('{"error": "bad signature"}', status=401)
        if n <= self.fail_first:
            return Response('{"error": "down"}', status=500)
        with self.lock:
            duplicate = key in self.accepted
            self.accepted.add(key)
        if self.stall_first and n == 1:
            self.entered.set()
            self.release.wait(10)  # the worker dies while we "process" the order
        return Response("{}", status=409 if duplicate else 201)


def _push(order: Order) -> OrderPush:
    return OrderPush.objects.get(order=order)


def test_push_runs_after_commit_and_survives_five_500s(httpserver, start_worker):
    erp = FakeErp(fail_first=5)
    httpserver.expect_request("/orders", method="POST").respond_with_handler(erp)
    start_worker(ERP_RETRY_BASE_SECONDS="0.2", ERP_RETRY_MAX_SECONDS="1.5")
    order = make_confirmed_order()  # commits; the task is published on commit
    _wait_for(lambda: _push(order).status != "pending", timeout=20, what="delivery")
    push = _push(order)
    assert (push.status, push.attempts, push.last_status_code) == ("sent", 6, 201)
    assert erp.requests == [(order.number, True)] * 6  # same Idempotency-Key, valid signature, every time


def test_a_worker_killed_mid_push_ends_with_the_order_delivered_once(httpserver, start_worker):
    erp = FakeErp(stall_first=True)
    httpserver.expect_request("/orders", method="POST").respond_with_handler(erp)
    env = {"ERP_PUSH_LEASE_SECONDS": "1", "ERP_TIMEOUT_SECONDS": "5"}
    first = start_worker(**env)
    order = make_confirmed_order()
    assert erp.entered.wait(15), "the ERP never saw the push"
    os.kill(first.pid, signal.SIGKILL)  # between the ERP's processing and marking the row sent
    first.wait(5)
    erp.release.set()
    push = _push(order)
    assert (push.status, push.attempts) == ("pending", 1)  # the outcome was never recorded

    start_worker(**env)
    _wait_for(lambda: timezone.now() > _push(order).next_attempt_at, timeout=5, what="the lease to run out")
    assert outbox.sweep_order_pushes(now=timezone.now()) == 1
    _wait_for(lambda: _push(order).status != "pending", timeout=15, what="re-delivery")
    push = _push(order)
    assert (push.status, push.attempts, push.last_status_code) == ("sent", 2, 409)
    assert {key for key, _ in erp.requests} == {order.number}  # one distinct key: one order in effect
    assert erp.accepted == {order.number}


def test_redis_down_at_checkout_then_the_sweep_delivers(httpserver, start_worker, settings):
    erp = FakeErp()
    httpserver.expect_request("/orders", method="POST").respond_with_handler(erp)
    db = django_settings.DATABASES["default"]
    checkout = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from tests.orders.erp_builders import make_confirmed_order; "
            "print(make_confirmed_order().number)",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "REDIS_URL": "redis://127.0.0.1:1/0",
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        },
    )
    assert checkout.returncode == 0, checkout.stderr  # the buyer's checkout succeeded anyway
    assert "the sweep will send it" in checkout.stderr
    order = Order.objects.get(number=checkout.stdout.strip().splitlines()[-1])
    push = _push(order)
    assert (push.status, push.attempts, push.next_attempt_at) == ("pending", 0, None)

    start_worker()
    settings.ERP_SWEEP_GRACE_SECONDS = 0
    assert outbox.sweep_order_pushes(now=timezone.now()) == 1
    _wait_for(lambda: _push(order).status != "pending", timeout=15, what="delivery by the sweep")
    assert (_push(order).status, _push(order).attempts) == ("sent", 1)
    assert erp.requests == [(order.number, True)]
