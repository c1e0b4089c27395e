"""cProfile over a storefront page as a logged-in buyer in one process: product page, category list, or rows50.

    DATABASE_URL=postgres://…/b2bshop_x .venv/bin/python tools/profile_product_page.py \
        [--page product|list|rows50] [--requests 500] [--baseline]

Creates a throw-away test database (test_<name>), builds the bench world (bench.scenarios), requests
the page (rotating SKUs for the product page, pages 1–3 of the world's category for the list,
``/bench/rows50?from=<sku>`` for the bench's 50-row baseline) ``--requests`` times through Django's
test client (middleware, session, ORM, template rendering), prints ms per page, SQL statements per
page and the top entries by own time and by cumulative time.

``--baseline`` first measures, without the profiler, CPU per page of the chosen page and of rows50
in interleaved rounds and prints their ratio: ``make bench`` compares the two on CPU-bound
gunicorn workers, so rows50 CPU / page CPU is the throughput ratio to expect.
docs/performance.md keeps the before/after.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable

# The bench-only URLconf (/bench/rows50) is mounted when this is on; set before Django loads settings.
os.environ["BENCH_URLS"] = "1"

from profiling import add_bench_categories, bench_buyer, print_top, profiled, statements_of  # noqa: E402

PAGES = ("product", "list", "rows50")


def _cpu_per_call(step: Callable[[int], None], count: int) -> float:
    """CPU seconds per call of ``step`` over ``count`` calls (no profiler)."""
    cpu0 = time.process_time()
    for i in range(count):
        step(i)
    return (time.process_time() - cpu0) / count


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--page", choices=PAGES, default="product")
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--skus", type=int, default=50, help="how many different products to rotate through")
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--dump", help="also write the raw profile here (pstats format)")
    parser.add_argument(
        "--baseline", action="store_true", help="also print CPU per page vs rows50 (no profiler)"
    )
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds for --baseline")
    parser.add_argument("--no-profile", action="store_true", help="skip the cProfile run")
    parser.add_argument(
        "--categories",
        type=int,
        default=120,
        help="extra categories, top-level with 5 children each (bench: 120)",
    )
    args = parser.parse_args()

    with bench_buyer() as (world, client):
        from bench import config

        add_bench_categories(args.categories)
        products = world.products
        paths_by_page = {
            "product": [config.PAGES["product"].format(sku=p.sku) for p in products[: args.skus]],
            "list": [
                config.PAGES["catalog_list"].format(category=world.category.code)
                + (f"?page={n}" if n > 1 else "")
                for n in (1, 2, 3)
            ],
            "rows50": [f"/bench/rows50?from={p.sku}" for p in products[: max(len(products) - 50, 1) : 10]],
        }

        def stepper(name: str) -> Callable[[int], None]:
            paths = paths_by_page[name]

            def page(i: int) -> None:
                response = client.get(paths[i % len(paths)])
                assert response.status_code == 200, response.content[:300]

            for i in range(len(paths)):  # warm-up: imports, caches, connection
                page(i)
            return page

        page = stepper(args.page)
        if args.baseline:
            baseline = stepper("rows50")
            per_round = max(args.requests // args.rounds, 1)
            ratios, page_ms, base_ms = [], [], []
            for _ in range(args.rounds):
                b = _cpu_per_call(baseline, per_round)
                t = _cpu_per_call(page, per_round)
                base_ms.append(b * 1000)
                page_ms.append(t * 1000)
                ratios.append(b / t)
            print(
                f"{args.page}: {statistics.median(page_ms):.2f} ms CPU/page, rows50: "
                f"{statistics.median(base_ms):.2f} ms CPU/page, expected throughput ratio "
                f"{statistics.median(ratios):.2f}x (median of {args.rounds} interleaved rounds of {per_round})"
            )
        if args.no_profile:
            return
        sent = statements_of(lambda: page(0))
        profile, cpu, wall = profiled(page, args.requests)
        print(
            f"{args.requests} {args.page} pages: {cpu / args.requests * 1000:.2f} ms CPU/page in this process "
            f"(profiler on), {wall / args.requests * 1000:.2f} ms wall, {len(sent)} SQL statements/page"
        )
        for sql in sent:
            print("   ", sql[:160])
        print_top(profile, args.top, args.dump)


if __name__ == "__main__":
    main()
