"""ERP push drain rate vs the Celery no-op drain; commit → ERP acknowledgement latency at 20 orders/s."""

from __future__ import annotations

import time

from django.utils import timezone

from bench import config
from bench.entries import common
from bench.report import Row, interleave, not_available, paired_row

NAME = "push"
PUSH_ORDERS = 300
RATE = 20  # orders/s
SECONDS = 10


def run(ctx) -> list[Row]:
    t_rate = ("ratio", ">=", 0.4)
    t_lat = ("figure", "<=", 5.0)
    ok, why = common.push_available()
    if not ok:
        return [
            not_available(NAME, "ERP push drain vs Celery no-op drain", f"not available ({why})", t_rate),
            not_available(NAME, f"commit → ERP ack p95 at {RATE} orders/s", f"not available ({why})", t_lat),
        ]
    from orders.tasks import push_order_task

    def noop():
        return common.noop_drain_rate(ctx, PUSH_ORDERS)

    def push():
        ids = common.make_push_orders(PUSH_ORDERS)
        common.wait_queue_idle(30)
        start = time.perf_counter()
        for push_id in ids:
            push_order_task.delay(outbox_id=push_id)
        done = common.wait_sent(ids)
        elapsed = time.perf_counter() - start
        return PUSH_ORDERS / elapsed if done else 0.0

    pairs = interleave(noop, push, pairs=config.PAIRS)
    rows = [
        paired_row(
            NAME,
            "ERP push drain vs Celery no-op drain",
            pairs,
            unit="orders/s",
            baseline_name="no-op tasks/s",
            target=t_rate,
        )
    ]
    rows.append(commit_to_ack(t_lat))
    return rows


def commit_to_ack(target) -> Row:
    """Orders committed at RATE/s through the real outbox path; p95 of (ERP acknowledged − committed)."""
    from orders.models import OrderPush

    committed: dict[int, float] = {}
    interval = 1 / RATE
    start = time.monotonic()
    for i in range(RATE * SECONDS):
        due = start + i * interval
        time.sleep(max(0.0, due - time.monotonic()))
        [push_id] = common.make_push_orders(1, enqueue=True)
        committed[push_id] = timezone.now().timestamp()
    common.wait_sent(list(committed), timeout=60)
    sent = dict(OrderPush.objects.filter(pk__in=list(committed), status="sent").values_list("pk", "sent_at"))
    latencies = sorted(sent[k].timestamp() - committed[k] for k in committed if sent.get(k))
    missing = len(committed) - len(latencies)
    if not latencies:
        return Row(
            NAME,
            f"commit → ERP ack p95 at {RATE} orders/s",
            target=target,
            status="FAIL",
            note="no push acknowledged within 60 s",
        )
    p95 = latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))]
    note = f"median {latencies[len(latencies) // 2]:.2f} s" + (
        f"; {missing} not acknowledged" if missing else ""
    )
    row = Row(
        NAME, f"commit → ERP ack p95 at {RATE} orders/s", figure=p95, unit="s", target=target, note=note
    )
    if missing:
        row.status = "FAIL"
    return row
