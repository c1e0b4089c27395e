"""`make bench-erp`: ERP push throughput (orders/s, one Celery worker with 2 processes) next to the
ERP simulator's own ceiling, measured in the same run on the same machine.

Needs PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/b2bshop) and Redis
(REDIS_URL, default redis://127.0.0.1:6379/0). Creates its own customer BENCH-ERP and replaces
its orders on every run. Writes bench/results/erp.json.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
N_ORDERS = int(os.environ.get("BENCH_ERP_ORDERS", "600"))
N_CEILING = int(os.environ.get("BENCH_ERP_CEILING_REQUESTS", "3000"))
CEILING_THREADS = 4
POOL = os.environ.get("BENCH_ERP_POOL", "prefork")
SECRET = "bench-signing-secret"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


PORT = _free_port()
os.environ["DJANGO_SETTINGS_MODULE"] = "b2bshop.settings"
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/b2bshop")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
os.environ["ERP_ORDERS_URL"] = f"http://127.0.0.1:{PORT}/orders"
os.environ["ERP_SIGNING_SECRET"] = SECRET
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

import requests  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

from b2bshop.celery import app  # noqa: E402
from catalog.models import Product, Stock  # noqa: E402
from customers.models import Customer  # noqa: E402
from orders.erp_client import sign  # noqa: E402
from orders.erp_payload import encode_body, order_payload, with_payload_relations  # noqa: E402
from orders.models import Order, OrderLine, OrderPush  # noqa: E402
from orders.tasks import push_order_task  # noqa: E402


def wait_until(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def start_simulator() -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "manage.py", "erp_simulator", "--port", str(PORT), "--secret", SECRET],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def up() -> bool:
        try:
            return requests.get(f"http://127.0.0.1:{PORT}/healthz", timeout=1).ok
        except requests.ConnectionError:
            return False

    assert wait_until(up, 20), "simulator did not start"
    return process


def make_orders(n: int) -> list[int]:
    customer, _ = Customer.objects.get_or_create(
        code="BENCH-ERP",
        defaults={
            "name": "ベンチ株式会社",
            "prefecture": "東京都",
            "postal_code": "100-0001",
            "address": "千代田区1-1",
        },
    )
    Order.objects.filter(customer=customer).delete()
    product, _ = Product.objects.get_or_create(
        sku="BENCH-ERP-1",
        defaults={"name": "ベンチ用ボルト", "unit": "個", "base_price": Decimal("120"), "tax_rate": 10},
    )
    Stock.objects.get_or_create(product=product, defaults={"on_hand": 10**6})
    now = timezone.now()
    stamp = int(time.time())
    orders = Order.objects.bulk_create(
        [
            Order(
                number=f"BENCH-{stamp}-{i:05d}",
                customer=customer,
                subtotal=Decimal(1440),
                tax_10=Decimal(144),
                total=Decimal(1584),
                placed_at=now,
                ship_to={
                    "name": "ベンチ株式会社",
                    "postal_code": "100-0001",
                    "prefecture": "東京都",
                    "address": "千代田区1-1",
                    "phone": "",
                },
            )
            for i in range(n)
        ]
    )
    OrderLine.objects.bulk_create(
        [
            OrderLine(
                order=o,
                line_no=1,
                product=product,
                sku=product.sku,
                name=product.name,
                unit="個",
                quantity=12,
                unit_price=Decimal(120),
                amount=Decimal(1440),
                tax_rate=10,
            )
            for o in orders
        ]
    )
    pushes = OrderPush.objects.bulk_create([OrderPush(order=o) for o in orders])
    return [p.id for p in pushes]


def measure_ceiling(sample_body: dict) -> float:
    """The simulator alone: CEILING_THREADS clients posting signed bodies as fast as it answers."""
    per_thread = N_CEILING // CEILING_THREADS
    url = f"http://127.0.0.1:{PORT}/orders"
    bodies = []
    for t in range(CEILING_THREADS):
        chunk = []
        for i in range(per_thread):
            number = f"CEIL-{t}-{i}-{time.time_ns()}"
            body = encode_body({**sample_body, "number": number})
            chunk.append((number, body, sign(body=body, secret=SECRET)))
        bodies.append(chunk)
    errors = []

    def client(chunk) -> None:
        session = requests.Session()
        for number, body, signature in chunk:
            r = session.post(
                url,
                data=body,
                timeout=10,
                headers={
                    "Content-Type": "application/json",
                    "Idempotency-Key": number,
                    "X-B2BShop-Signature": signature,
                },
            )
            if r.status_code != 201:
                errors.append(r.status_code)

    threads = [threading.Thread(target=client, args=(chunk,)) for chunk in bodies]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    assert not errors, errors[:5]
    return per_thread * CEILING_THREADS / elapsed


def start_workers() -> list[subprocess.Popen]:
    """Two worker processes: `celery worker --concurrency 2` (prefork) or, with BENCH_ERP_POOL=solo,
    two single-process workers."""
    celery = str(Path(sys.executable).parent / "celery")
    common = [
        "-A",
        "b2bshop",
        "worker",
        "-Q",
        "celery",
        "--without-gossip",
        "--without-mingle",
        "-l",
        "warning",
    ]
    if POOL == "solo":
        commands = [[celery, *common, "--pool=solo", "-n", f"bench-erp-{i}@%h"] for i in range(2)]
    else:
        commands = [[celery, *common, "--concurrency", "2", "-O", "fair", "-n", "bench-erp@%h"]]
    processes = []
    for i, command in enumerate(commands):
        log = ROOT / "bench" / "results" / f"erp-worker-{i}.log"
        processes.append(subprocess.Popen(command, cwd=ROOT, stdout=log.open("w"), stderr=subprocess.STDOUT))
    inspect = app.control.inspect(timeout=0.5)
    assert wait_until(lambda: len(inspect.ping() or {}) == len(commands), 30), "workers did not start"
    return processes


def main() -> None:
    (ROOT / "bench" / "results").mkdir(parents=True, exist_ok=True)
    call_command("migrate", verbosity=0)
    simulator = start_simulator()
    workers: list[subprocess.Popen] = []
    try:
        push_ids = make_orders(N_ORDERS)
        sample = order_payload(
            with_payload_relations(
                OrderPush.objects.get(pk=push_ids[0]).order.__class__.objects.filter(push__id=push_ids[0])
            ).get()
        )
        ceiling = measure_ceiling(sample)
        app.control.purge()
        workers = start_workers()
        started = time.perf_counter()
        for outbox_id in push_ids:
            push_order_task.apply_async(kwargs={"outbox_id": outbox_id})
        pending = OrderPush.objects.filter(pk__in=push_ids).exclude(status="sent")
        assert wait_until(lambda: not pending.exists(), 600), f"{pending.count()} pushes not delivered"
        elapsed = time.perf_counter() - started
        throughput = N_ORDERS / elapsed
        attempts = sum(OrderPush.objects.filter(pk__in=push_ids).values_list("attempts", flat=True))
        result = {
            "orders": N_ORDERS,
            "push_orders_per_s_2_workers": round(throughput, 1),
            "simulator_ceiling_requests_per_s": round(ceiling, 1),
            "push_share_of_ceiling": round(throughput / ceiling, 2),
            "attempts_per_order": round(attempts / N_ORDERS, 2),
            "pool": POOL,
            "cpus": os.cpu_count(),
            "measured_at": timezone.localtime().isoformat(timespec="seconds"),
        }
    finally:
        for worker in workers:
            worker.terminate()
            worker.wait(30)
        simulator.terminate()
        simulator.wait(10)
    (ROOT / "bench" / "results" / "erp.json").write_text(json.dumps(result, indent=2) + "\n")
    print(
        f"ERP push: {result['push_orders_per_s_2_workers']} orders/s with 2 worker processes ({POOL}, "
        f"{N_ORDERS} orders, {result['attempts_per_order']} attempts/order)"
    )
    print(
        f"simulator ceiling: {result['simulator_ceiling_requests_per_s']} requests/s "
        f"({CEILING_THREADS} client threads, no database)"
    )


if __name__ == "__main__":
    main()
