"""cProfile over the storefront product page (GET /products/<sku>/ as a logged-in buyer) in one process.

    DATABASE_URL=postgres://…/b2bshop_x .venv/bin/python tools/profile_product_page.py [--requests 500]

Creates a throw-away test database (test_<name>), builds the bench world (bench.scenarios), requests
the product page of rotating SKUs ``--requests`` times through Django's test client (middleware,
session, ORM, template rendering), prints ms per page, SQL statements per page and the top entries
by own time and by cumulative time. docs/performance.md keeps the before/after.
"""

from __future__ import annotations

import argparse

from profiling import bench_buyer, print_top, profiled, statements_of


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--skus", type=int, default=50, help="how many different products to rotate through")
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--dump", help="also write the raw profile here (pstats format)")
    args = parser.parse_args()

    with bench_buyer() as (world, client):
        from bench import config

        paths = [config.PAGES["product"].format(sku=p.sku) for p in world.products[: args.skus]]

        def page(i: int) -> None:
            response = client.get(paths[i % len(paths)])
            assert response.status_code == 200, response.content[:300]

        for i in range(len(paths)):  # warm-up: imports, caches, connection
            page(i)
        sent = statements_of(lambda: page(0))
        profile, cpu, wall = profiled(page, args.requests)
        print(
            f"{args.requests} product pages: {cpu / args.requests * 1000:.2f} ms CPU/page in this process, "
            f"{wall / args.requests * 1000:.2f} ms wall, {len(sent)} SQL statements/page"
        )
        for sql in sent:
            print("   ", sql[:160])
        print_top(profile, args.top, args.dump)


if __name__ == "__main__":
    main()
