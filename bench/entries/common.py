"""Helpers several entries share: availability probes, Celery drains, order fixtures, DB counters."""

from __future__ import annotations

import itertools
import time
from datetime import timedelta
from decimal import Decimal

import redis as redis_lib
from django.db import connection, transaction
from django.utils import timezone

from bench import config

NOOP_TASKS = 1000
_run = itertools.count(1)


def pg_stat(column: str) -> int:
    with connection.cursor() as cur:
        cur.execute(f"SELECT {column} FROM pg_stat_database WHERE datname = current_database()")  # noqa: S608
        return int(cur.fetchone()[0] or 0)


def pg_stat_fresh(column: str) -> int:
    """pg_stat_database is cached per transaction snapshot; clear it first."""
    with connection.cursor() as cur:
        cur.execute("SELECT pg_stat_clear_snapshot()")
    return pg_stat(column)


def broker() -> redis_lib.Redis:
    return redis_lib.Redis.from_url(config.REDIS_URL)


def queue_idle(client: redis_lib.Redis) -> bool:
    return client.llen("celery") == 0 and client.hlen("unacked") == 0


def wait_queue_idle(timeout: float = 120) -> bool:
    client = broker()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if queue_idle(client):
            return True
        time.sleep(0.02)
    return False


def noop_drain_rate(ctx, n: int = NOOP_TASKS) -> float:
    """Enqueue n no-op tasks while the worker runs; tasks/s from the first enqueue to an empty queue."""
    from bench.tasks import noop_task

    wait_queue_idle(30)
    start = time.perf_counter()
    for i in range(n):
        noop_task.delay(i=i)
    wait_queue_idle()
    return n / (time.perf_counter() - start)


def push_available() -> tuple[bool, str]:
    """The push is there when the ERP simulator command exists and a pushed order gets delivered."""
    from django.core.management import get_commands

    if "erp_simulator" not in get_commands():
        return False, "no erp_simulator command"
    from orders.models import OrderPush
    from orders.tasks import push_order_task

    [push_id] = make_push_orders(1)
    push_order_task.delay(outbox_id=push_id)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if OrderPush.objects.filter(pk=push_id, status="sent").exists():
            return True, ""
        time.sleep(0.1)
    return False, "a pushed order was not delivered within 15 s"


def make_push_orders(n: int, *, lines: int = 5, enqueue: bool = False) -> list[int]:
    """n confirmed orders with lines and a pending outbox row each; returns the OrderPush ids.

    enqueue=True goes through orders.outbox.enqueue_order_push (the real on-commit fast path), one
    transaction per order; otherwise rows are bulk-created and the caller enqueues.
    """
    from catalog.models import Product
    from orders.models import Order, OrderLine, OrderPush

    run = f"{int(time.time())}{next(_run)}"
    products = list(Product.objects.filter(pk__lte=lines * 10).order_by("pk")[:lines])
    ship_to = {
        "name": "ベンチ商事 本社",
        "postal_code": "100-0001",
        "prefecture": "東京都",
        "address": "千代田区1-1",
        "phone": "03-0000-0000",
    }

    def build(i: int) -> Order:
        c = 1 + i % config.CUSTOMERS
        return Order(
            number=f"BP{run}-{i:06d}",
            customer_id=c,
            placed_by_id=c,
            ship_to=ship_to,
            subtotal=Decimal("5000"),
            tax_10=Decimal("500"),
            total=Decimal("5500"),
            placed_at=timezone.now(),
        )

    def build_lines(order: Order) -> list[OrderLine]:
        return [
            OrderLine(
                order=order,
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
            for k, p in enumerate(products)
        ]

    if enqueue:
        from orders.outbox import enqueue_order_push

        ids = []
        for i in range(n):
            with transaction.atomic():
                order = build(i)
                order.save()
                OrderLine.objects.bulk_create(build_lines(order))
                ids.append(enqueue_order_push(order=order).pk)
        return ids
    with transaction.atomic():
        orders = Order.objects.bulk_create([build(i) for i in range(n)])
        OrderLine.objects.bulk_create([line for o in orders for line in build_lines(o)])
        pushes = OrderPush.objects.bulk_create([OrderPush(order=o) for o in orders])
    return [p.pk for p in pushes]


def wait_sent(push_ids: list[int], timeout: float = 120) -> bool:
    from orders.models import OrderPush

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not OrderPush.objects.filter(pk__in=push_ids).exclude(status="sent").exists():
            return True
        time.sleep(0.05)
    return False


def since(seconds: float) -> timedelta:
    return timedelta(seconds=seconds)
