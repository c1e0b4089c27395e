"""CPU per request of one real gunicorn worker and its PostgreSQL backend: catalog pages vs the 50-row page.

    DATABASE_URL=postgres://…/b2bshop_x .venv/bin/python tools/worker_cpu.py [--requests 100] [--rounds 3]

The cross-check of tools/profile_product_page.py --baseline: the same bench world (plus the bench's
120 categories) on a throw-away test database, served by ONE sync gunicorn worker with the
production settings (as ``make bench`` starts it, ``collectstatic`` first), requested one at a time
with the buyer's session cookie. It reads the worker's and its PostgreSQL backend's CPU from /proc
around each batch, so what the in-process profile cannot see (WSGI, the server's statement work)
is counted. ``make bench`` divides two cores among the same processes, so rows50 CPU / page CPU is
the throughput ratio to expect. Light on a shared machine: one worker, one request at a time.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

os.environ["BENCH_URLS"] = "1"

from profiling import ROOT, add_bench_categories, bench_buyer  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--requests", type=int, default=100, help="requests per page per round")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    with bench_buyer() as (world, client):
        from django.conf import settings
        from django.db import connection

        from bench import config
        from bench.server import CLK_TCK, cpu_seconds, free_port, server_env

        add_bench_categories(120)
        database = connection.settings_dict["NAME"]
        cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        port = free_port()
        env = server_env()  # what `make bench` starts gunicorn with, on this throw-away database
        env.update(
            DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{database}",
            SECRET_KEY=settings.SECRET_KEY,  # the session's auth hash was made with it
            ERP_SIGNING_SECRET=settings.ERP_SIGNING_SECRET,
        )
        python = Path(sys.executable).parent
        subprocess.run(  # noqa: S603 - our own interpreter and arguments
            [str(python / "python"), "manage.py", "collectstatic", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        server = subprocess.Popen(  # noqa: S603 - our own gunicorn and arguments
            [str(python / "gunicorn"), "b2bshop.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "1",
             "--worker-class", "sync", "--log-level", "warning"],
            cwd=ROOT, env=env, start_new_session=True,
        )  # fmt: skip
        try:
            base = f"http://127.0.0.1:{port}"

            def get(path: str) -> None:
                request = urllib.request.Request(base + path, headers={"Cookie": cookie})  # noqa: S310 - loopback
                with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
                    assert response.status == 200, path
                    response.read()

            for _ in range(100):
                try:
                    urllib.request.urlopen(base + "/healthz", timeout=2)  # noqa: S310 - loopback
                    break
                except OSError:
                    time.sleep(0.2)
            worker = int(Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()[0])
            paths = {
                "rows50": [f"/bench/rows50?from={p.sku}" for p in world.products[:400:10]],
                "product": [config.PAGES["product"].format(sku=p.sku) for p in world.products[:50]],
                "list": [config.PAGES["catalog_list"].format(category=world.category.code)],
            }
            for some in paths.values():  # warm-up: imports, caches, the worker's connection
                for path in some:
                    get(path)
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                    [database],
                )
                backends = [row[0] for row in cursor.fetchall()]
            spent: dict[str, list[tuple[float, float]]] = {name: [] for name in paths}
            for _ in range(args.rounds):
                for name, some in paths.items():
                    w0, b0 = cpu_seconds([worker]), cpu_seconds(backends)
                    for i in range(args.requests):
                        get(some[i % len(some)])
                    w1, b1 = cpu_seconds([worker]), cpu_seconds(backends)
                    spent[name].append(((w1 - w0) * 1000 / args.requests, (b1 - b0) * 1000 / args.requests))
            total = {}
            for name, values in spent.items():
                web, db = statistics.median(v[0] for v in values), statistics.median(v[1] for v in values)
                total[name] = statistics.median(v[0] + v[1] for v in values)
                print(f"{name}: {web:.1f} ms worker + {db:.1f} ms PostgreSQL CPU per request")
            print(
                f"expected throughput vs rows50: list {total['rows50'] / total['list']:.2f}x, "
                f"product {total['rows50'] / total['product']:.2f}x (CPU resolution {1000 / CLK_TCK:.0f} ms per batch)"
            )
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
