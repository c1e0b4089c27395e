"""Reorder-reminder computation vs the raw aggregate SQL over the same 3M order lines.

The reminder feature does not exist yet: the raw aggregate (the baseline) is measured and the
entry reports n/a until a reorder-due function exists; wire it in `_feature()` when it lands.
"""

from __future__ import annotations

import importlib
import time

from django.db import connection

from bench.report import Row, not_available

NAME = "reorder"
CANDIDATES = [
    ("orders.reminders", "customers_due_to_reorder"),
    ("orders.selectors", "reorder_due"),
    ("customers.selectors", "reorder_due"),
    ("orders.services", "compute_reorder_reminders"),
]

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


def _feature():
    for module, name in CANDIDATES:
        try:
            fn = getattr(importlib.import_module(module), name, None)
        except ImportError:
            continue
        if fn is not None:
            return f"{module}.{name}"
    return None


def run(ctx) -> list[Row]:
    start = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute(RAW_SQL)
        (due,) = cur.fetchone()
    raw = time.perf_counter() - start
    rows = [
        Row(
            NAME,
            "raw aggregate SQL over the order lines (baseline)",
            figure=raw,
            unit="s",
            note=f"{due:,} customers due within 7 days",
        )
    ]
    found = _feature()
    why = (
        f"found {found}: wire it into bench/entries/reorder.py"
        if found
        else "not available (no reminder feature)"
    )
    rows.append(not_available(NAME, "reminder computation vs raw SQL", why, ("ratio", "<=", 5.0)))
    rows.append(not_available(NAME, "reminder computation peak RSS", why, ("figure", "<=", 300)))
    return rows
