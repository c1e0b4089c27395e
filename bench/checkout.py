"""`make bench-checkout`: cart evaluation query counts, checkout throughput and oversell count.

Runs against PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/b2bshop) in a
throw-away database `bench_checkout`. Celery uses an in-memory broker (the outbox row is still
written in the order transaction, as in production). Requests go through the full Django stack
(middleware, auth, DRF) with the in-process test client, 8 buyers in 8 threads, next to a
trivial view doing one INSERT, measured in the same run on the same machine.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/b2bshop")
os.environ["REDIS_URL"] = ""
os.environ["CELERY_NEVER_EAGER"] = "1"
os.environ.setdefault("SECRET_KEY", "bench-" + "x" * 50)
os.environ["DJANGO_SETTINGS_MODULE"] = "b2bshop.settings"
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("SECURE_COOKIES", "0")
os.environ.setdefault("API_RATE_STORE", "off")  # measure checkout, not the API rate limit

import django  # noqa: E402
from django.conf import settings  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.urls import include, path  # noqa: E402
from django.views.decorators.csrf import csrf_exempt  # noqa: E402

DURATION = float(os.environ.get("BENCH_SECONDS", "6"))
BUYERS = 8


@csrf_exempt
def insert_view(request):
    """The baseline: one INSERT and nothing else."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO bench_ping (at) VALUES (now())")
    return HttpResponse("ok")


if __name__ != "__main__":  # imported as ROOT_URLCONF (after django.setup): the shop plus the baseline view
    urlpatterns = [path("bench/insert", insert_view), path("", include("b2bshop.urls"))]


def _run_threads(count, work, duration):
    from django.db import connection

    done = [0] * count
    stop = time.monotonic() + duration
    barrier = threading.Barrier(count)

    def run(index):
        try:
            barrier.wait()
            while time.monotonic() < stop:
                work(index, done[index])
                done[index] += 1
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(done), time.monotonic() - started


def main() -> int:
    django.setup()
    settings.ALLOWED_HOSTS = ["*"]
    settings.ROOT_URLCONF = "bench.checkout"

    settings.DEBUG = False
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    if connection.vendor != "postgresql":
        print("bench-checkout needs PostgreSQL (set DATABASE_URL)")
        return 2
    setup_test_environment()
    settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = "bench_checkout"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        return _bench(CaptureQueriesContext)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def _bench(CaptureQueriesContext) -> int:  # noqa: N803
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from catalog.models import Stock, StockHold
    from orders.models import Order
    from orders.services.cart import add_items, buyer_cart
    from orders.services.checkout import CheckoutDetails, place_order
    from pricing_rules import rules_file, services
    from tests import factories

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_ping (id bigserial primary key, at timestamptz)")
    services.replace_rules(
        rules=rules_file.rules_from_dict(
            {
                "rules": [
                    {
                        "code": "small-order-fee",
                        "kind": "small_order_fee",
                        "below": "100000000",
                        "fee": "500",
                    },
                    {"code": "min-amount", "kind": "minimum_order_amount", "amount": "100"},
                    {
                        "code": "moq-top",
                        "kind": "minimum_quantity",
                        "quantity": 1,
                        "scope": {"categories": ["TOP"]},
                    },
                    {"code": "ship", "kind": "shipping_fee", "fee": "800", "free_from": "100000000"},
                ]
            }
        ),
        actor=None,
    )
    top = factories.make_category(code="TOP")
    category = factories.make_category(parent=top)
    products = [factories.make_product(category=category, on_hand=10**8) for _ in range(100)]
    today = timezone.localdate()

    print("== cart evaluation: SQL queries by number of lines")
    counts = {}
    for size in (1, 20, 100):
        buyer = factories.make_buyer()
        add_items(buyer=buyer, items=[(p, 2) for p in products[:size]])
        with CaptureQueriesContext(connection) as ctx:
            buyer_cart(buyer=buyer, on=today)
        evaluation_queries = len(ctx.captured_queries)
        with CaptureQueriesContext(connection) as ctx:
            place_order(buyer=buyer, idempotency_key="q", details=CheckoutDetails(), now=timezone.now())
        counts[size] = (evaluation_queries, len(ctx.captured_queries))
        print(
            f"  {size:>3} lines: cart evaluation {counts[size][0]} queries, place_order {counts[size][1]} queries"
        )

    print(f"== throughput, {BUYERS} concurrent buyers, {DURATION:.0f} s each")
    buyers = [factories.make_buyer() for _ in range(BUYERS)]
    clients = []
    for buyer in buyers:
        client = Client()
        client.force_login(buyer)
        clients.append(client)

    def ping(index, _n):
        assert clients[index].post("/bench/insert").status_code == 200

    def checkout(index, n):
        client = clients[index]
        sku = products[(index * 7 + n) % 20].sku
        assert (
            client.put(
                f"/api/v1/store/cart/items/{sku}", {"quantity": 3}, content_type="application/json"
            ).status_code
            == 200
        )
        response = client.post(
            "/api/v1/store/checkout",
            {},
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=f"b-{index}-{n}",
        )
        assert response.status_code == 201, response.content

    # Alternate the two loads in short rounds so background load hits both alike.
    pings = checkouts = 0
    ping_s = checkout_s = 0.0
    orders_before = Order.objects.count()
    for _round in range(3):
        done, seconds = _run_threads(BUYERS, ping, DURATION / 3)
        pings, ping_s = pings + done, ping_s + seconds
        done, seconds = _run_threads(BUYERS, lambda i, n, r=_round: checkout(i, n + 100000 * r), DURATION / 3)
        checkouts, checkout_s = checkouts + done, checkout_s + seconds
    assert Order.objects.count() - orders_before == checkouts
    print(f"  (load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
    ping_rate, checkout_rate = pings / ping_s, checkouts / checkout_s
    print(f"  single-INSERT view:          {ping_rate:7.1f} req/s")
    print(
        f"  checkout (PUT cart + POST):  {checkout_rate:7.1f} orders/s  ({checkout_rate / ping_rate:.2f}x the INSERT view)"
    )

    print("== oversell: 20 parallel checkouts for the last 10 units, 5 trials")
    oversold = 0
    for trial in range(5):
        product = factories.make_product(on_hand=10)
        racers = [factories.make_buyer() for _ in range(20)]
        for buyer in racers:
            add_items(buyer=buyer, items=[(product, 1)])
        results = []
        lock = threading.Lock()

        def race(index, n, racers=racers, results=results, lock=lock, trial=trial):
            if n:
                time.sleep(0.01)
                return
            try:
                place_order(
                    buyer=racers[index],
                    idempotency_key=f"r{trial}",
                    details=CheckoutDetails(),
                    now=timezone.now(),
                )
                ok = True
            except Exception:  # noqa: BLE001 - InsufficientStock expected for half of them
                ok = False
            with lock:
                results.append(ok)

        _run_threads(20, race, 0.5)
        stock = Stock.objects.get(product=product)
        held = sum(StockHold.objects.filter(product=product).values_list("quantity", flat=True))
        oversold += max(held - stock.on_hand, 0) + max(stock.held - stock.on_hand, 0)
        print(f"  trial {trial + 1}: {sum(results)} orders placed, held {stock.held}/{stock.on_hand}")
    print(f"  oversold units: {oversold}")
    constant = len({c[0] for c in counts.values()}) == 1 and len({c[1] for c in counts.values()}) == 1
    return 0 if oversold == 0 and constant else 1


if __name__ == "__main__":
    sys.exit(main())
