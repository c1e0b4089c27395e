"""cProfile over the storefront product page (GET /products/<sku>/ as a logged-in buyer) in one process.

    DATABASE_URL=postgres://…/b2bshop_x .venv/bin/python tools/profile_product_page.py [--requests 500]

Creates a throw-away test database (test_<name>), builds the bench world (bench.scenarios), requests
the product page of rotating SKUs ``--requests`` times through Django's test client (middleware,
session, ORM, template rendering), prints ms per page, SQL statements per page and the top entries
by own time and by cumulative time. docs/performance.md keeps the before/after.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--skus", type=int, default=50, help="how many different products to rotate through")
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--dump", help="also write the raw profile here (pstats format)")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from bench import config, scenarios

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        world = scenarios.build_world()
        client = Client()
        client.force_login(world.buyer)
        paths = [config.PAGES["product"].format(sku=p.sku) for p in world.products[: args.skus]]

        def page(i: int) -> None:
            response = client.get(paths[i % len(paths)])
            assert response.status_code == 200, response.content[:300]

        for i in range(len(paths)):  # warm-up: imports, caches, connection
            page(i)
        with CaptureQueriesContext(connection) as queries:
            page(0)
        sent = scenarios.statements(queries.captured_queries)  # before the next request resets the log
        statements = len(sent)
        profile = cProfile.Profile()
        cpu0, wall0 = time.process_time(), time.perf_counter()
        profile.enable()
        for i in range(args.requests):
            page(i)
        profile.disable()
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
        if args.dump:
            profile.dump_stats(args.dump)
        print(
            f"{args.requests} product pages: {cpu / args.requests * 1000:.2f} ms CPU/page in this process, "
            f"{wall / args.requests * 1000:.2f} ms wall, {statements} SQL statements/page"
        )
        for sql in sent:
            print("   ", sql[:160])
        for sort in ("tottime", "cumulative"):
            out = io.StringIO()
            pstats.Stats(profile, stream=out).strip_dirs().sort_stats(sort).print_stats(args.top)
            print(f"--- top {args.top} by {sort}")
            print(
                "\n".join(
                    line
                    for line in out.getvalue().splitlines()
                    if line.strip()[:1].isdigit() or "ncalls" in line
                )
            )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
