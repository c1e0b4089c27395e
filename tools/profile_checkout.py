"""cProfile over the buyer API order flow (bulk cart PUT + checkout) in one process.

    DATABASE_URL=postgres://…/b2bshop_x .venv/bin/python tools/profile_checkout.py [--orders 200] [--lines 5]

Creates a throw-away test database (test_<name>), builds the bench world (bench.scenarios), places
``--orders`` orders through Django's test client (the whole request path: middleware, DRF, ORM,
PostgreSQL round trips), prints ms per order, SQL statements per order and the top entries by
own time and by cumulative time. docs/performance.md keeps the before/after.
"""

from __future__ import annotations

import argparse
import json

from profiling import bench_buyer, print_top, profiled, statements_of


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--orders", type=int, default=200)
    parser.add_argument("--lines", type=int, default=5)
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--dump", help="also write the raw profile here (pstats format)")
    args = parser.parse_args()

    with bench_buyer() as (world, client):
        from bench import config

        body = json.dumps({"lines": [{"sku": p.sku, "quantity": 2} for p in world.products[: args.lines]]})

        def order(i: int) -> None:
            put = client.put(config.API["cart"], data=body, content_type="application/json")
            assert put.status_code == 200, put.content[:300]
            placed = client.post(
                config.API["checkout"],
                data="{}",
                content_type="application/json",
                headers={"Idempotency-Key": f"p{i}"},
            )
            assert placed.status_code == 201, placed.content[:300]

        for i in range(10):  # warm-up: imports, caches, connection
            order(-i - 1)
        statements = len(statements_of(lambda: order(0)))
        profile, cpu, wall = profiled(lambda i: order(i + 1), args.orders)
        print(
            f"{args.orders} orders of {args.lines} lines (bulk PUT + checkout): "
            f"{cpu / args.orders * 1000:.1f} ms CPU/order in this process, {wall / args.orders * 1000:.1f} ms wall, "
            f"{statements} SQL statements/order"
        )
        print_top(profile, args.top, args.dump)


if __name__ == "__main__":
    main()
