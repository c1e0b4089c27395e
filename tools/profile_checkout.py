"""cProfile over the buyer API order flow (bulk cart PUT + checkout) in one process.

    DATABASE_URL=postgres://…/b2bshop_x .venv/bin/python tools/profile_checkout.py [--orders 200] [--lines 5]

Creates a throw-away test database (test_<name>), builds the bench world (bench.scenarios), places
``--orders`` orders through Django's test client (the whole request path: middleware, DRF, ORM,
PostgreSQL round trips), prints ms per order, SQL statements per order and the top entries by
own time and by cumulative time. docs/performance.md keeps the before/after.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
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
    parser.add_argument("--orders", type=int, default=200)
    parser.add_argument("--lines", type=int, default=5)
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
        with CaptureQueriesContext(connection) as queries:
            order(0)
        statements = len(scenarios.statements(queries.captured_queries))
        profile = cProfile.Profile()
        cpu0, wall0 = time.process_time(), time.perf_counter()
        profile.enable()
        for i in range(1, args.orders + 1):
            order(i)
        profile.disable()
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
        if args.dump:
            profile.dump_stats(args.dump)
        print(
            f"{args.orders} orders of {args.lines} lines (bulk PUT + checkout): "
            f"{cpu / args.orders * 1000:.1f} ms CPU/order in this process, {wall / args.orders * 1000:.1f} ms wall, "
            f"{statements} SQL statements/order"
        )
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
