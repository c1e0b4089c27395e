"""CPU-seconds per order across checkout (web) and ERP push (worker, DB), and its cloud cost."""

from __future__ import annotations

import time

from django.db import connection

from bench import config
from bench.entries import checkout, common
from bench.report import Row, not_available
from bench.server import cpu_seconds

NAME = "cpu"


def _db_backends() -> list[int]:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return [r[0] for r in cur.fetchall()]


def _db_cpu_since(before: dict[int, float]) -> tuple[float, int]:
    """PostgreSQL CPU since ``before`` (pid -> CPU seconds): per backend alive at both ends, plus all of
    any backend that started meanwhile. A backend that exited meanwhile (an idle connection of an
    earlier entry) is left out rather than subtracted; the count of those is returned too."""
    now = {pid: cpu_seconds([pid]) for pid in _db_backends()}
    spent = sum(now[pid] - before.get(pid, 0.0) for pid in now)
    return spent, len(set(before) - set(now))


def run(ctx) -> list[Row]:
    ok, why = checkout.available(ctx)
    if not ok:
        return [
            not_available(NAME, "CPU-seconds per order (checkout + push)", why),
            not_available(NAME, "cost per 1,000 orders", why),
        ]
    from orders.models import Order

    push_ok, _ = common.push_available()
    checkout.checkout_load(ctx, checkout.uniform_sets(), seconds=1)  # warm-up, connects every worker
    common.wait_queue_idle(30)
    db0 = {pid: cpu_seconds([pid]) for pid in _db_backends()}
    web0, worker0 = ctx.stack.cpu("gunicorn"), ctx.stack.cpu("celery")
    first_id = Order.objects.order_by("-id").values_list("id", flat=True).first() or 0
    result = checkout.checkout_load(ctx, checkout.uniform_sets(), seconds=2 * config.ROUND_SECONDS)
    new_orders = list(Order.objects.filter(id__gt=first_id).values_list("push__id", flat=True))
    if push_ok:
        common.wait_sent([p for p in new_orders if p], timeout=60)
    else:
        common.wait_queue_idle(60)
    time.sleep(0.5)
    web = ctx.stack.cpu("gunicorn") - web0
    worker = ctx.stack.cpu("celery") - worker0
    db, gone = _db_cpu_since(db0)
    orders = result.counts["checkouts"]
    if not orders:
        return [Row(NAME, "CPU-seconds per order (checkout + push)", status="FAIL", note="no order placed")]
    per_order = (web + worker + db) / orders
    yen_per_1000 = per_order * 1000 / 3600 * config.VCPU_HOUR_JPY
    return [
        Row(
            NAME,
            "CPU-seconds per order (checkout + push)",
            figure=per_order * 1000,
            unit="ms CPU",
            target=("figure", "<=", 50),  # issue 11: an order (bulk cart PUT + checkout + push) under 50 ms
            note=f"web {web / orders * 1000:.0f} + worker {worker / orders * 1000:.0f} + PostgreSQL "
            f"{db / orders * 1000:.0f} ms over {orders} orders"
            + (f"; {gone} idle PostgreSQL backends of earlier entries exited meanwhile" if gone else "")
            + ("" if push_ok else "; push not available"),
        ),
        Row(
            NAME,
            "cost per 1,000 orders",
            figure=yen_per_1000,
            unit="JPY",
            note=f"at ¥{config.VCPU_HOUR_JPY:g}/vCPU-hour ({config.VCPU_HOUR_SOURCE})",
        ),
    ]
