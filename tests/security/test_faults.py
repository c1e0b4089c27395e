"""Faults with real processes: a web worker killed mid-checkout, the ERP hanging past its timeout,
PostgreSQL restarted while buyers retry.

tests/orders/test_erp_worker.py already kills a Celery worker mid-push and takes Redis away at
checkout; these reuse its worker fixture and its de-duplicating fake ERP, and add the other side:
the buyer's request and the database.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import psycopg2
import pytest
import requests
from django.conf import settings as django_settings
from django.db import InterfaceError, OperationalError, connection
from django.utils import timezone
from werkzeug import Request, Response

from catalog.models import Stock, StockHold
from customers.services import issue_api_token
from orders.models import Order, OrderPush
from orders.services.cart import replace_cart
from orders.services.checkout import CheckoutDetails, place_order
from tests import factories
from tests.orders.builders import fill_cart
from tests.orders.test_erp_worker import FakeErp
from tests.workers import wait_for as _wait_for
from tests.workers import worker_database_url as _database_url

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------- a web worker killed mid-request
@pytest.fixture
def gunicorn(tmp_path) -> Iterator[tuple[str, subprocess.Popen]]:
    """gunicorn with one sync worker on the test database; its master respawns a killed worker."""
    port = _free_port()
    log = tmp_path / "gunicorn.log"
    master = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "b2bshop.wsgi:application",
            "--workers=1",
            f"--bind=127.0.0.1:{port}",
            "--timeout=60",
        ],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "DATABASE_URL": _database_url()},
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    _wait_for(lambda: _answers(base), timeout=30, what="gunicorn")
    yield base, master
    master.terminate()
    try:
        master.wait(timeout=10)
    except subprocess.TimeoutExpired:
        master.kill()
        master.wait()


def _answers(base: str) -> bool:
    try:
        return requests.get(base + "/healthz", timeout=5).status_code == 200
    except requests.RequestException:
        return False


def _worker_pids(master: subprocess.Popen) -> list[int]:
    children = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()
    return [int(pid) for pid in children]


def _blocked_on_a_lock(database: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'",
            [database],
        )
        return cursor.fetchone()[0] > 0


def test_a_web_worker_killed_mid_checkout_leaves_nothing_and_the_retry_places_one_order(gunicorn):
    base, master = gunicorn
    product = factories.make_product(on_hand=10, base_price="100")
    buyer = factories.make_buyer()
    fill_cart(buyer, (product, 4))
    headers = {"Authorization": f"Bearer {issue_api_token(user=buyer).raw}", "Idempotency-Key": "kill-1"}

    # Hold the product's stock row, so the checkout stops inside its transaction (after the order
    # row is written, at the stock hold) and stays there until the worker is killed.
    database = django_settings.DATABASES["default"]["NAME"]
    blocker = psycopg2.connect(_database_url())
    with blocker.cursor() as cursor:
        cursor.execute("SELECT 1 FROM catalog_stock WHERE product_id = %s FOR UPDATE", [product.pk])
    outcome: dict[str, object] = {}

    def checkout() -> None:
        try:
            outcome["response"] = requests.post(
                base + "/api/v1/store/checkout", json={}, headers=headers, timeout=60
            )
        except requests.RequestException as exc:
            outcome["error"] = exc

    request = threading.Thread(target=checkout)
    request.start()
    _wait_for(lambda: _blocked_on_a_lock(database), timeout=20, what="the checkout to wait on the stock row")
    (worker,) = _worker_pids(master)
    os.kill(worker, signal.SIGKILL)
    request.join(30)
    blocker.rollback()
    blocker.close()
    assert "error" in outcome, outcome  # the buyer saw the connection drop, not an answer

    # Nothing of the half-done checkout survived: no order, no hold, no push, the cart intact.
    assert not Order.objects.exists()
    assert not StockHold.objects.exists() and not OrderPush.objects.exists()
    assert Stock.objects.get(product=product).held == 0

    _wait_for(lambda: _answers(base), timeout=30, what="the respawned worker")
    assert _worker_pids(master) != [worker]
    first = requests.post(base + "/api/v1/store/checkout", json={}, headers=headers, timeout=30)
    again = requests.post(base + "/api/v1/store/checkout", json={}, headers=headers, timeout=30)
    assert (first.status_code, again.status_code) == (201, 200), (first.text, again.text)
    assert first.json()["number"] == again.json()["number"]
    order = Order.objects.get()
    assert [line.quantity for line in order.lines.all()] == [4]
    assert Stock.objects.get(product=product).held == 4
    assert OrderPush.objects.filter(order=order).count() == 1


# ---------------------------------------------------------------- the ERP hanging past its timeout
class HangingErp(FakeErp):
    """Every request waits until ``recovered``, then the ERP processes it anyway (a slow ERP that
    still books the order the shop gave up waiting for); de-duplicates by Idempotency-Key."""

    def __init__(self) -> None:
        super().__init__()
        self.recovered = threading.Event()
        self.hung = threading.Event()

        self.booked: list[str] = []  # keys answered 201: booked as a new order

    def __call__(self, request: Request) -> Response:
        if not self.recovered.is_set():
            self.hung.set()
            self.recovered.wait(30)
        response = super().__call__(request)
        if response.status_code == 201:
            with self.lock:
                self.booked.append(request.headers.get("Idempotency-Key", ""))
        return response


def test_an_erp_hanging_past_its_timeout_slows_no_checkout_and_gets_each_order_once(httpserver, start_worker):
    erp = HangingErp()
    httpserver.expect_request("/orders", method="POST").respond_with_handler(erp)
    start_worker(ERP_TIMEOUT_SECONDS="2", ERP_RETRY_BASE_SECONDS="0.2", ERP_RETRY_MAX_SECONDS="1")
    product = factories.make_product(on_hand=100, base_price="1000")
    orders = []
    first_buyer = factories.make_buyer()
    fill_cart(first_buyer, (product, 1))
    orders.append(
        place_order(
            buyer=first_buyer, idempotency_key="hang-0", details=CheckoutDetails(), now=timezone.now()
        ).order
    )
    assert erp.hung.wait(15), "the worker never reached the ERP"
    # The ERP is hanging now: checkouts go on, at full speed, without waiting for it.
    for n in range(1, 4):
        buyer = factories.make_buyer()
        fill_cart(buyer, (product, 1))
        started = time.monotonic()
        placed = place_order(
            buyer=buyer, idempotency_key=f"hang-{n}", details=CheckoutDetails(), now=timezone.now()
        )
        # The ERP answers nothing until it recovers: a checkout that called it would take at least
        # the push timeout (2 s) or never return.
        assert time.monotonic() - started < 2, "a checkout waited for the ERP"
        orders.append(placed.order)
        assert placed.order.status == Order.Status.CONFIRMED
    assert not erp.recovered.is_set()
    _wait_for(
        lambda: any("imeout" in (p.last_error or "") for p in OrderPush.objects.all()),
        timeout=20,
        what="a push to time out",
    )

    erp.recovered.set()
    numbers = {order.number for order in orders}
    _wait_for(
        lambda: OrderPush.objects.filter(status="sent").count() == len(orders),
        timeout=40,
        what="every push sent",
    )
    _wait_for(lambda: len(erp.booked) >= len(orders), timeout=40, what="the hung requests to finish")
    assert sorted(erp.booked) == sorted(numbers)  # each order booked exactly once ...
    assert {key for key, _valid in erp.requests} == numbers
    assert len(erp.requests) > len(orders)  # ... although the timed-out pushes were sent again (409)
    assert all(valid for _key, valid in erp.requests)
    assert OrderPush.objects.count() == len(orders)


# ---------------------------------------------------------------- PostgreSQL restarted mid-run
PG_CTL = shutil.which("pg_ctlcluster")


def _restart_postgres() -> None:
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    subprocess.run(
        [PG_CTL, "--skip-systemctl-redirect", version, "main", "restart", "-m", "fast"],
        check=True,
        capture_output=True,
        timeout=60,
    )


def _postgres_is_local_and_ours() -> str | None:
    """Why the restart test cannot run here, or None."""
    host = urlsplit(_database_url()).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        return f"PostgreSQL at {host} is not local"
    if PG_CTL is None or not os.path.isdir("/etc/postgresql"):
        return "pg_ctlcluster is not installed"
    if os.geteuid() != 0:
        return "restarting PostgreSQL needs root (pg_ctlcluster)"
    return None


def test_postgres_restarted_while_buyers_retry_the_same_keys_keeps_stock_and_outbox_exact():
    reason = _postgres_is_local_and_ours()
    if reason:  # listed with its reason at the end of every run (-rs in pyproject.toml)
        pytest.skip(f"cannot restart PostgreSQL here: {reason}")
    on_hand = 100_000
    products = [factories.make_product(on_hand=on_hand, base_price="100") for _ in range(3)]
    buyers = [factories.make_buyer() for _ in range(6)]
    rounds = 6  # at least; each buyer keeps ordering until the restart is over (checkouts are fast)
    restarted = threading.Event()
    placed = [0] * len(buyers)
    connection.close()
    errors: list[BaseException] = []
    retries = [0]

    def buyer_loop(index: int) -> None:
        """Order ``rounds`` times; each key is retried until it answers, the cart re-sent as it was."""
        from django.db import connection as own

        lines = [{"sku": p.sku, "quantity": 1 + (index + n) % 2} for n, p in enumerate(products)]
        try:
            round_ = 0
            while round_ < rounds or (not restarted.is_set() and round_ < 5_000):
                key = f"pg-{index}-{round_}"
                for _attempt in range(200):
                    try:
                        replace_cart(buyer=buyers[index], raw_lines=lines)
                        place_order(
                            buyer=buyers[index],
                            idempotency_key=key,
                            details=CheckoutDetails(),
                            now=timezone.now(),
                        )
                        break
                    except (OperationalError, InterfaceError):  # the server went away: reconnect, retry
                        retries[0] += 1
                        own.close()
                        time.sleep(0.1)
                else:
                    raise AssertionError(f"{key} never went through")
                round_ += 1
                placed[index] = round_
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
        finally:
            own.close()

    threads = [threading.Thread(target=buyer_loop, args=(i,)) for i in range(len(buyers))]
    for thread in threads:
        thread.start()
    time.sleep(0.5)  # checkouts are in flight
    _restart_postgres()
    restarted.set()
    for thread in threads:
        thread.join(180)
    connection.close()  # the test's own connection died with the server too
    assert not any(thread.is_alive() for thread in threads)
    assert not errors, errors
    assert retries[0] > 0, "the restart hit no checkout: nothing was tested"

    orders = list(Order.objects.prefetch_related("lines"))
    assert sorted(o.idempotency_key for o in orders) == sorted(
        f"pg-{i}-{r}" for i in range(len(buyers)) for r in range(placed[i])
    )  # every key placed exactly one order
    assert min(placed) >= rounds
    confirmed = dict.fromkeys((p.pk for p in products), 0)
    for order in orders:
        for line in order.lines.all():
            confirmed[line.product_id] += line.quantity
    for product in products:
        stock = Stock.objects.get(product=product)
        assert on_hand - stock.available == confirmed[product.pk], product.sku
        holds = StockHold.objects.filter(product=product, released_at__isnull=True)
        assert stock.held == sum(holds.values_list("quantity", flat=True))
    pushes = list(OrderPush.objects.values_list("order_id", flat=True))
    assert sorted(pushes) == sorted(o.id for o in orders)  # exactly one outbox row per order
