"""Staff insights on the bench data set (10k customers, 3M order lines): pages and the what-if replay.

Pages: each page is rendered in-process (django.test.Client, a superuser) and compared with the
raw time of exactly the aggregate statements that page sent, re-executed on a plain cursor in
the same run, interleaved (target ≤ 3×: Python, charts and template cost at most twice the SQL).
Statements per page are counted too (≤ 15, whatever the data size).

Replay: the last 12 months of orders replayed under the contract's example rules file (minimum
amount raised) through ``insights.replay.replay_orders`` — streamed from the database in batches
— against ``pricing_rules.engine.evaluate`` alone over a sample of the same orders already built
in memory (target ≥ 0.5×). The replay's memory growth is sampled as it runs (flat = bounded by
the catalog and customer caches, not by the number of orders).
"""

from __future__ import annotations

import statistics
import time
from datetime import timedelta
from pathlib import Path

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bench import config
from bench.report import Row, interleave, median_ratio
from bench.scenarios import statements as production_statements

NAME = "insights"
PAGES = [
    ("Pareto / ABC page", "admin:insights_pareto", ()),
    ("retention page", "admin:insights_retention", ()),
    ("small-order economics page", "admin:insights_economics", ()),
    ("customer page", "admin:insights_customer", (1,)),
]
SAMPLE_ORDERS = 20_000
WARM_ORDERS = 30_000
ENGINE_EVERY = 10_000  # replayed orders between two engine slices
ENGINE_SLICE = 2_000
DRAFT = {
    "rules": [
        {"code": "small-order-fee", "kind": "small_order_fee", "below": "12000", "fee": "500", "tax_rate": "10"},
        {"code": "min-amount", "kind": "minimum_order_amount", "amount": "8000"},
        {"code": "moq-bolts", "kind": "minimum_quantity", "quantity": 50, "scope": {"categories": ["C01"]}},
        {"code": "case-units", "kind": "order_multiple", "use_case_quantity": True, "scope": {"categories": ["C02"]}},
        {"code": "ship-hokkaido", "kind": "shipping_fee", "fee": "1500", "free_from": "30000", "tax_rate": "10",
         "scope": {"prefectures": ["北海道", "沖縄県"]}},
    ]
}  # fmt: skip


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _staff_client() -> Client:
    from customers.models import User

    user, _ = User.objects.get_or_create(
        email="bench-insights@staff.invalid", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(user)
    return client


def _page_rows(client: Client) -> list[Row]:
    floor = []
    for _ in range(5):
        t0 = time.perf_counter()
        client.get(reverse("admin:password_change"))
        floor.append(time.perf_counter() - t0)
    rows = [
        Row(
            NAME,
            "floor: a plain admin page (session, user, admin template)",
            figure=statistics.median(floor) * 1000,
            unit="ms",
            note="what every staff page costs before its own work",
        )
    ]
    for label, name, args in PAGES:
        url = reverse(name, args=args)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        if response.status_code != 200:
            rows.append(Row(NAME, label, status="FAIL", note=f"answered {response.status_code}"))
            continue
        sent = production_statements(ctx.captured_queries)
        # Everything the page asked the database except the session and the logged-in user.
        aggregates = [
            sql for sql in sent if "django_session" not in sql and 'FROM "customers_user"' not in sql
        ]

        def page(url: str = url) -> float:
            t0 = time.perf_counter()
            client.get(url)
            return time.perf_counter() - t0

        def raw(aggregates: list[str] = aggregates) -> float:
            t0 = time.perf_counter()
            with connection.cursor() as cur:
                for sql in aggregates:
                    cur.execute(sql)
                    cur.fetchall()
            return time.perf_counter() - t0

        pairs = interleave(raw, page, pairs=config.PAIRS)
        rows.append(
            Row(
                NAME,
                f"{label} vs its raw aggregate SQL",
                figure=statistics.median(p for _, p in pairs) * 1000,
                unit="ms",
                baseline=statistics.median(b for b, _ in pairs) * 1000,
                baseline_unit="ms",
                baseline_name=f"{len(aggregates)} aggregate statements, raw cursor",
                ratio=median_ratio(pairs),
                target=("ratio", "<=", 3.0),
            )
        )
        rows.append(
            Row(NAME, f"{label}: SQL statements", figure=len(sent), unit="stmts", target=("figure", "<=", 15))
        )
    return rows


def _replay_rows() -> list[Row]:
    from insights import replay
    from insights.selectors import Period, configured_costs
    from pricing_rules import engine, rules_file

    rules = rules_file.rules_from_dict(DRAFT)
    today = timezone.localdate()
    period = Period(start=today - timedelta(days=364), end=today)

    # The engine alone: a sample of the same orders, built in memory first (not timed).
    catalog = replay._Catalog(rules=rules)
    rate = configured_costs().default_margin_rate
    built = []
    for batch in replay._order_batches(period=period, batch_size=2000, margin_rate=rate):
        catalog.load(batch)
        for order in batch:
            built.append((catalog.lines(order), catalog.buyer(order)[1], order.on))
        if len(built) >= SAMPLE_ORDERS:
            break
    built = built[:SAMPLE_ORDERS]

    def engine_seconds(sample: list) -> float:
        t0 = time.perf_counter()
        for lines, buyer, on in sample:
            engine.evaluate(lines=lines, buyer=buyer, rules=rules, on=on)
        return time.perf_counter() - t0

    sample_lines = sum(len(lines) for lines, _, _ in built)
    # The engine runs before and after the replay and in slices while it runs (every ENGINE_EVERY
    # replayed orders, off the replay's clock), so on this shared machine both figures see the same
    # load; its rate is the total over all runs.
    engine_orders, engine_time = len(built), engine_seconds(built)
    engine_before = len(built) / engine_time
    slice_at = 0
    start_rss = _rss_mb()
    peak = warm = start_rss
    summary = replay.ReplaySummary(costs=configured_costs())
    seconds = 0.0
    t0 = time.perf_counter()
    for order in replay.replay_orders(rules=rules, period=period, batch_size=1000):
        summary.add(order)
        if summary.orders % ENGINE_EVERY == 0:
            seconds += time.perf_counter() - t0
            peak = max(peak, _rss_mb())
            if summary.orders == WARM_ORDERS:
                warm = peak
            part = built[slice_at : slice_at + ENGINE_SLICE]
            slice_at = (slice_at + ENGINE_SLICE) % len(built)
            engine_orders, engine_time = engine_orders + len(part), engine_time + engine_seconds(part)
            t0 = time.perf_counter()
    seconds += time.perf_counter() - t0
    rate = summary.orders / seconds if seconds else 0.0
    after = engine_seconds(built)
    engine_after = len(built) / after
    engine_orders, engine_time = engine_orders + len(built), engine_time + after
    engine_mean = engine_orders / engine_time
    return [
        Row(
            NAME,
            "what-if replay of 12 months vs the engine alone (same lines, in memory)",
            figure=rate,
            unit="orders/s",
            baseline=engine_mean,
            baseline_unit="orders/s",
            baseline_name=(
                f"engine.evaluate over {SAMPLE_ORDERS:,} of these orders ({sample_lines:,} lines), "
                f"before, after and in slices of {ENGINE_SLICE:,} every {ENGINE_EVERY:,} replayed orders"
            ),
            target=("ratio", ">=", 0.5),
            note=(
                f"{summary.orders:,} orders in {seconds:.0f} s, {summary.blocked:,} blocked; engine "
                f"{engine_before:,.0f} before, {engine_after:,.0f} orders/s after"
            ),
        ),
        Row(
            NAME,
            f"replay memory growth after the first {WARM_ORDERS:,} orders (caches warm)",
            figure=round(peak - warm, 1),
            unit="MB",
            note=(
                f"RSS {start_rss:.0f} → {warm:.0f} MB at {WARM_ORDERS:,} orders (product and customer caches) "
                f"→ peak {peak:.0f} MB over {summary.orders:,} orders"
            ),
        ),
    ]


def run(ctx) -> list[Row]:
    client = _staff_client()
    return _page_rows(client) + _replay_rows()
