"""The bench's push drain in small: a real prefork Celery worker drains N ERP pushes vs N no-op tasks.

    DATABASE_URL=postgres://…/b2bshop_x REDIS_URL=redis://127.0.0.1:6379/K \\
        .venv/bin/python tools/drain_push.py [--orders 300] [--pairs 3]

Same method as `bench/entries/push.py` (N orders of 5 lines bulk-created with a pending push each,
one `push_order_task` per order enqueued at once, the clock stopped when every row is sent; the
baseline enqueues N `bench.tasks.noop_task`; pairs interleaved, the median ratio reported), but on a
throw-away test database (test_<name>) with the ERP simulator and a `celery worker --pool prefork
--concurrency 2` of its own, on REDIS_URL (use your own database number). Also prints the worker's
CPU ms per pushed order (from /proc). Takes ~1 minute;
it is not the bench (which runs on a 10,000-customer data set with gunicorn alongside).
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal

from profile_push import SECRET, erp_simulator, free_port
from profiling import ROOT, bench_buyer

_run = itertools.count(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--orders", type=int, default=300)
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=2)
    args = parser.parse_args()
    n = args.orders

    with bench_buyer() as (world, _client):
        from django.conf import settings
        from django.db import transaction
        from django.utils import timezone

        from b2bshop.celery import app
        from bench import server
        from bench.entries.common import queue_idle
        from bench.tasks import noop_task
        from orders.models import Order, OrderLine, OrderPush
        from orders.tasks import push_order_task

        broker = app.connection().default_channel.client  # the Redis client of REDIS_URL

        def wait_idle(timeout: float = 120) -> None:
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and not queue_idle(broker):
                time.sleep(0.02)

        def make_orders() -> list[int]:
            run = f"D{int(time.time())}{next(_run)}"
            products = world.products[:5]
            with transaction.atomic():
                orders = Order.objects.bulk_create(
                    Order(
                        number=f"{run}-{i:06d}",
                        customer=world.customer,
                        placed_by=world.buyer,
                        ship_to={
                            "name": "ベンチ商事 本社",
                            "postal_code": "100-0001",
                            "prefecture": "東京都",
                        },
                        subtotal=Decimal("5000"),
                        tax_10=Decimal("500"),
                        total=Decimal("5500"),
                        placed_at=timezone.now(),
                    )
                    for i in range(n)
                )
                OrderLine.objects.bulk_create(
                    OrderLine(
                        order=o,
                        line_no=k + 1,
                        product=p,
                        sku=p.sku,
                        name=p.name,
                        unit=p.unit,
                        quantity=10,
                        unit_price=Decimal("100"),
                        amount=Decimal("1000"),
                        tax_rate=p.tax_rate,
                    )
                    for o in orders
                    for k, p in enumerate(products)
                )
                pushes = OrderPush.objects.bulk_create(OrderPush(order=o) for o in orders)
            return [p.pk for p in pushes]

        port = free_port()
        env = server.server_env(erp_port=port)
        db = settings.DATABASES["default"]
        env.update(
            DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            REDIS_URL=os.environ["REDIS_URL"],
            ERP_SIGNING_SECRET=SECRET,
        )
        app.control.purge()
        log = tempfile.NamedTemporaryFile(prefix="drain_push_worker_", suffix=".log", delete=False)  # noqa: SIM115 - closed below
        worker = subprocess.Popen(
            [str(ROOT / ".venv/bin/celery"), "-A", "b2bshop", "worker", "--include", "bench.tasks",
             "--concurrency", str(args.concurrency), "--pool", "prefork", "--loglevel", "WARNING",
             "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        try:
            with erp_simulator(port):
                time.sleep(3)
                warm = make_orders()[:20]
                for push_id in warm:
                    push_order_task.delay(outbox_id=push_id)
                wait_idle(60)

                def noop() -> tuple[float, float]:
                    wait_idle(30)
                    cpu0 = server.cpu_seconds(server.process_tree(worker.pid))
                    start = time.perf_counter()
                    for i in range(n):
                        noop_task.delay(i=i)
                    wait_idle()
                    elapsed = time.perf_counter() - start
                    return n / elapsed, (
                        server.cpu_seconds(server.process_tree(worker.pid)) - cpu0
                    ) / n * 1000

                def push() -> tuple[float, float]:
                    ids = make_orders()
                    wait_idle(30)
                    cpu0 = server.cpu_seconds(server.process_tree(worker.pid))
                    start = time.perf_counter()
                    for push_id in ids:
                        push_order_task.delay(outbox_id=push_id)
                    deadline = time.monotonic() + 120
                    while OrderPush.objects.filter(pk__in=ids).exclude(status="sent").exists():
                        assert time.monotonic() < deadline, "pushes not sent within 120 s"
                        time.sleep(0.05)
                    elapsed = time.perf_counter() - start
                    wait_idle(30)
                    cpu = server.cpu_seconds(server.process_tree(worker.pid)) - cpu0
                    return n / elapsed, cpu / n * 1000

                pairs = []
                for _ in range(args.pairs):
                    base, noop_ms = noop()
                    rate, cpu_ms = push()
                    pairs.append((base, rate, cpu_ms))
                    print(
                        f"no-op {base:.0f} tasks/s ({noop_ms:.2f} ms worker CPU/task), push {rate:.0f} orders/s, "
                        f"ratio {rate / base:.2f}, worker {cpu_ms:.2f} ms CPU/order",
                        flush=True,
                    )
        finally:
            os.killpg(worker.pid, 15)
            worker.wait(timeout=30)
            log.close()
    ratio = statistics.median(r / b for b, r, _ in pairs)
    print(
        f"median of {args.pairs} pairs, {n} orders: ratio {ratio:.2f}, push "
        f"{statistics.median(r for _, r, _ in pairs):.0f} orders/s, no-op {statistics.median(b for b, _, _ in pairs):.0f} "
        f"tasks/s, worker {statistics.median(c for *_, c in pairs):.2f} ms CPU/order"
    )


if __name__ == "__main__":
    sys.exit(main())
