"""Reorder-reminder computation vs the raw aggregate SQL over the same 3M order lines.

The feature is `engagement.selectors.reorder_due` (the set-based query `send_reminders` streams):
timed against the raw aggregate in the same run, interleaved, and its peak RSS measured in a
subprocess for a tenth of the customers and for all of them (memory must stay flat: it streams).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time

from django.db import connection
from django.utils import timezone

from bench import config
from bench.report import Row, paired_row

NAME = "reorder"
FEATURE = "engagement.selectors.reorder_due"

# For every (customer, product) bought at least 3 times: last purchase + the median interval between
# purchases; due when that date is within the next 7 days.
RAW_SQL = """
WITH buys AS (
  SELECT o.customer_id, l.product_id, o.placed_at::date AS d
  FROM orders_orderline l JOIN orders_order o ON o.id = l.order_id
  WHERE l.product_id IS NOT NULL AND o.status <> 'cancelled'
), gaps AS (
  SELECT customer_id, product_id, d, d - lag(d) OVER (PARTITION BY customer_id, product_id ORDER BY d) AS gap
  FROM buys
), per_item AS (
  SELECT customer_id, product_id, max(d) AS last_d, percentile_cont(0.5) WITHIN GROUP (ORDER BY gap) AS med_gap,
         count(*) AS n
  FROM gaps GROUP BY customer_id, product_id
)
SELECT count(DISTINCT customer_id) FROM per_item
WHERE n >= 3 AND last_d + med_gap::int <= current_date + 7
"""


def _raw() -> tuple[float, int]:
    start = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute(RAW_SQL)
        (due,) = cur.fetchone()
    return time.perf_counter() - start, due


def _feature(customer_ids: list[int] | None = None) -> tuple[float, int, int]:
    """Stream every due item through the reminder selector, grouped by customer as the job does."""
    from engagement.selectors import reorder_due

    start = time.perf_counter()
    items = customers = 0
    last = None
    for item in reorder_due(on=timezone.localdate(), customer_ids=customer_ids):
        items += 1
        if item.customer_id != last:
            customers += 1
            last = item.customer_id
    return time.perf_counter() - start, items, customers


def measure(fraction: float) -> dict:
    """In a fresh process: run the feature over `fraction` of the customers; report time and peak RSS."""
    from customers.models import Customer

    ids = list(Customer.objects.order_by("id").values_list("id", flat=True))
    chosen = ids[: max(1, int(len(ids) * fraction))] if fraction < 1 else None
    elapsed, items, customers = _feature(chosen)
    return {
        "customers": len(chosen) if chosen is not None else len(ids),
        "seconds": elapsed,
        "items": items,
        "due_customers": customers,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _one(fraction: float) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "bench.entries.reorder", str(fraction)],
        cwd=config.ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=900,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "b2bshop.settings"},
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(ctx) -> list[Row]:
    pairs: list[tuple[float, float]] = []
    due_raw = items = customers = 0
    for _ in range(3):  # interleaved: raw, feature, raw, feature ... so load drift hits both
        raw_s, due_raw = _raw()
        feature_s, items, customers = _feature()
        pairs.append((raw_s, feature_s))
    rows = [
        paired_row(
            NAME,
            "reminder computation vs raw aggregate SQL",
            pairs,
            unit="s",
            baseline_name="raw aggregate SQL",
            target=("ratio", "<=", 3.0),
            note=(
                f"{FEATURE}: {items:,} due items for {customers:,} customers today; raw: {due_raw:,} "
                "customers due within 7 days"
            ),
        )
    ]
    small, large = _one(0.1), _one(1.0)
    rows.append(
        Row(
            NAME,
            f"reminder computation peak RSS, {small['customers']:,} customers",
            figure=small["peak_rss_mb"],
            unit="MB",
            note=f"{small['items']:,} due items in {small['seconds']:.1f} s",
        )
    )
    rows.append(
        paired_row(
            NAME,
            f"peak RSS, {large['customers']:,} vs {small['customers']:,} customers (flat: streamed)",
            [(small["peak_rss_mb"], large["peak_rss_mb"])],
            unit="MB",
            baseline_name=f"{small['customers']:,} customers",
            target=("ratio", "<=", 1.2),
            note=f"{large['items']:,} due items in {large['seconds']:.1f} s",
        )
    )
    return rows


if __name__ == "__main__":
    import django

    django.setup()
    print(json.dumps(measure(float(sys.argv[1]))))
