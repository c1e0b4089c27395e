"""Catalog benchmark: 50,000 products, 10,000 customers with prices, gunicorn, 8 concurrent clients.

    make bench-catalog                  # or: .venv/bin/python bench/catalog.py [--reload] [--seconds 6]

Loads the data once into a separate database (BENCH_DATABASE_URL, default .../b2bshop_bench), then
reports for the product list page, a search page and the store products API: SQL queries per request
(measured in-process), and median / p95 latency and throughput under 8 concurrent keep-alive-less
HTTP clients against gunicorn with production settings (DEBUG off, CONN_MAX_AGE > 0, cached
templates), next to a trivial JSON view on the same server in the same run. Also the query count of
one bulk stock update of 1,000 SKUs. Results: bench/results/catalog-*.json and a printed table.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from datetime import date, datetime
from decimal import ROUND_DOWN, Decimal
from pathlib import Path
from urllib.parse import quote, urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BENCH_DB = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/b2bshop_bench_catalog")
PORT = int(os.environ.get("BENCH_PORT", "8097"))
ENV = {
    "DJANGO_SETTINGS_MODULE": "b2bshop.settings",
    "DATABASE_URL": BENCH_DB,
    "DEBUG": "0",
    "SECURE_SSL_REDIRECT": "0",
    "SECRET_KEY": "bench-only-secret-key-" + "b" * 40,
    "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "PLAIN_STATIC": "1",
    "BENCH_URLS": "1",
    "API_RATE_STORE": "off",
    "CONN_MAX_AGE": "600",
    "LOG_LEVEL": "WARNING",
    "REDIS_URL": "",
}
N_PRODUCTS, N_CUSTOMERS, CONTRACT_PER_CUSTOMER = 50_000, 10_000, 10
CLIENTS = 8

WORDS = ["ボールペン", "油性マーカー", "コピー用紙", "クリアファイル", "ステープラー", "段ボール箱", "OPPテープ",
         "エアキャップ", "軍手", "ニトリル手袋", "作業ズボン", "モンキーレンチ", "ドライバー", "インパクトドライバー",
         "コンベックス", "六角ボルト", "六角ナット", "タッピンねじ", "中性洗剤", "ペーパータオル", "ゴミ袋",
         "ミネラルウォーター", "緑茶", "ドリップコーヒー", "LED電球", "延長コード", "乾電池", "ヘルメット",
         "不織布マスク", "保護メガネ"]  # fmt: skip
KANA = {"軍手": "グンテ", "六角ボルト": "ロッカクボルト", "六角ナット": "ロッカクナット", "緑茶": "リョクチャ",
        "中性洗剤": "チュウセイセンザイ", "乾電池": "カンデンチ"}  # fmt: skip


def ensure_database() -> None:
    import psycopg2

    url = urlparse(BENCH_DB)
    admin = psycopg2.connect(host=url.hostname, port=url.port or 5432, user=url.username or "postgres",
                             dbname="postgres")  # fmt: skip
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [url.path.lstrip("/")])
        if cur.fetchone() is None:
            cur.execute(f'CREATE DATABASE "{url.path.lstrip("/")}"')
    admin.close()


def setup_django() -> None:
    os.environ.update(ENV)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def load(rng: random.Random) -> None:
    """Bulk-load the catalog, customers and prices (about a minute)."""
    from django.db import connection, transaction

    from catalog.models import Category, Price, Product, Stock
    from catalog.text import jan_check_digit, product_search_text
    from customers.models import Customer, PriceGroup
    from demo.seed import VARIANTS  # the demo's product-name variants ("M", "業務用", "100入"…)

    started = time.monotonic()
    with connection.cursor() as cur:
        cur.execute("TRUNCATE catalog_price, catalog_stockhold, catalog_stock, catalog_product, catalog_category, "
                    "customers_apitoken, customers_shipto, orders_order, customers_customer, customers_pricegroup "
                    "RESTART IDENTITY CASCADE")  # fmt: skip
        cur.execute("DELETE FROM customers_user WHERE customer_id IS NOT NULL OR is_integration")
    with transaction.atomic():
        tops = [Category.objects.create(code=f"T{i:02d}", name=f"大分類{i}", sort_order=i) for i in range(10)]
        subs = [Category.objects.create(code=f"T{i:02d}S{j}", name=f"中分類{i}-{j}", parent=t, sort_order=j)
                for i, t in enumerate(tops) for j in range(5)]  # fmt: skip
        products = []
        for n in range(1, N_PRODUCTS + 1):
            word = rng.choice(WORDS)
            name = f"{word} {rng.choice(VARIANTS)} {n}"
            sku = f"B{n:06d}"
            body = "45" + f"{n:010d}"
            jan = body + str(jan_check_digit(body))
            kana = KANA.get(word, "")
            products.append(Product(
                sku=sku, name=name, name_kana=kana, category=rng.choice(subs), unit="個",
                case_quantity=rng.choice([1, 1, 10, 24, 100]), jan_code=jan, tax_rate=rng.choice([10, 10, 10, 8]),
                base_price=Decimal(rng.randint(50, 20000)), moq=rng.choice([None, None, 5, 10]),
                order_multiple=rng.choice([None, None, None, 12]), active=rng.random() > 0.02,
                search_text=product_search_text(sku=sku, name=name, name_en="", name_kana=kana, jan_code=jan)))  # fmt: skip
        Product.objects.bulk_create(products, batch_size=5000)
        ids = list(Product.objects.order_by("id").values_list("id", "base_price"))
        Stock.objects.bulk_create([Stock(product_id=pid, on_hand=rng.choice([0, 3, 50, 500, 5000])) for pid, _ in ids],
                                  batch_size=5000)  # fmt: skip
        groups = [PriceGroup.objects.create(code=code, name=code, rate=rate)
                  for code, rate in [("STD", None), ("A", Decimal("0.95")), ("B", Decimal("0.90")),
                                     ("C", Decimal("0.85"))]]  # fmt: skip
        Customer.objects.bulk_create([
            Customer(code=f"BC{i:05d}", name=f"ベンチ商事{i}", price_group=rng.choice(groups), prefecture="東京都",
                     postal_code="100-0001", address="千代田区1-1", closing_day=31) for i in range(N_CUSTOMERS)],
            batch_size=5000)  # fmt: skip
        customer_ids = list(Customer.objects.order_by("id").values_list("id", flat=True))
        cent = Decimal("0.01")
        rows = [Price(product_id=pid, min_quantity=50, unit_price=(base * Decimal("0.93")).quantize(cent, ROUND_DOWN))
                for pid, base in rng.sample(ids, 5000)]  # fmt: skip
        rows += [Price(product_id=pid, price_group=groups[1], unit_price=(base * Decimal("0.9")).quantize(cent, ROUND_DOWN))
                 for pid, base in rng.sample(ids, 10000)]  # fmt: skip
        # Customer 0 (the bench buyer) gets contract prices on the first page of the list, everyone else at random.
        for k, cid in enumerate(customer_ids):
            picks = ids[:50] if k == 0 else rng.sample(ids, CONTRACT_PER_CUSTOMER)
            rows += [Price(product_id=pid, customer_id=cid, unit_price=(base * Decimal("0.8")).quantize(cent, ROUND_DOWN),
                           valid_from=date(2026, 1, 1)) for pid, base in picks]  # fmt: skip
        Price.objects.bulk_create(rows, batch_size=10000)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    print(f"loaded {len(ids)} products, {len(customer_ids)} customers, {len(rows)} prices "
          f"in {time.monotonic() - started:.0f} s")  # fmt: skip


def prepare_logins() -> dict[str, str]:
    from django.test import Client

    from customers.models import Customer, User
    from customers.services import issue_api_token

    customer = Customer.objects.order_by("id").first()
    buyer = User.objects.filter(email="bench-buyer@example.jp").first() or User.objects.create_user(
        "bench-buyer@example.jp", "bench-pass-123", customer=customer, role="admin")  # fmt: skip
    client = Client()
    client.force_login(buyer)
    return {"session": client.cookies["sessionid"].value, "token": issue_api_token(user=buyer, name="bench").raw,
            "buyer_id": str(buyer.id)}  # fmt: skip


def count_queries(targets: dict[str, tuple[str, dict[str, str]]], logins: dict[str, str]) -> dict[str, int]:
    """SQL statements per request, measured in-process on the same settings and data."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for name, (path, headers) in targets.items():
        client = Client(
            **{("HTTP_" + k.upper().replace("-", "_")): v for k, v in headers.items() if k != "Cookie"}
        )
        client.cookies["sessionid"] = logins["session"]
        client.get(path)  # warm caches (templates, content types)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        counts[name] = len(ctx.captured_queries)
    return counts


def bulk_stock_queries() -> dict[str, float]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    from catalog.models import Product
    from customers.models import User

    erp = User.objects.filter(email="bench-erp@integration.invalid").first() or User.objects.create_user(
        "bench-erp@integration.invalid", None, is_integration=True)  # fmt: skip
    client = APIClient()
    client.force_authenticate(erp)
    skus = list(Product.objects.order_by("?").values_list("sku", flat=True)[:1000])
    items = [{"sku": sku, "on_hand": random.randint(0, 5000)} for sku in skus]  # noqa: S311
    with CaptureQueriesContext(connection) as ctx:
        started = time.perf_counter()
        response = client.post("/api/v1/erp/stock", {"items": items}, format="json")
        elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.content[:500]
    return {"items": len(items), "queries": len(ctx.captured_queries), "ms": round(elapsed * 1000, 1)}


def start_gunicorn(workers: int) -> subprocess.Popen:
    env = {**os.environ, **ENV}
    proc = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "b2bshop.wsgi:application", "-b", f"127.0.0.1:{PORT}", "-w", str(workers),
         "--log-level", "warning"], cwd=ROOT, env=env)  # fmt: skip
    for _ in range(100):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
            conn.request("GET", "/bench/hello")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise SystemExit("gunicorn did not start")


def hammer(path: str, headers: dict[str, str], seconds: float) -> dict[str, float]:
    """CLIENTS threads, each sending requests back to back for `seconds` (after a 1 s warm-up)."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + 1 + seconds
    measure_from = time.monotonic() + 1

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        mine: list[float] = []
        while (now := time.monotonic()) < stop_at:
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
                ok = False
            if now >= measure_from:
                if ok:
                    mine.append(time.perf_counter() - started)
                else:
                    with lock:
                        errors[0] += 1
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    latencies.sort()
    return {
        "requests": len(latencies),
        "errors": errors[0],
        "rps": round(len(latencies) / seconds, 1),
        "median_ms": round(statistics.median(latencies) * 1000, 1) if latencies else None,
        "p95_ms": round(latencies[int(len(latencies) * 0.95) - 1] * 1000, 1) if latencies else None,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reload", action="store_true", help="drop and reload the bench data")
    parser.add_argument("--seconds", type=float, default=6.0, help="measuring time per target")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("BENCH_WORKERS", "4")))
    args = parser.parse_args()
    ensure_database()
    setup_django()
    from catalog.models import Product

    if args.reload or Product.objects.count() < N_PRODUCTS:
        load(random.Random(20261126))
    logins = prepare_logins()
    cookie = {"Cookie": f"sessionid={logins['session']}"}
    search = quote("ぼーるぺん")
    targets = {
        "hello (trivial view)": ("/bench/hello", {}),
        "product list page": ("/products/", cookie),
        "search page (kana)": (f"/products/?q={search}", cookie),
        "store products API (50)": ("/api/v1/store/products", {"Authorization": f"Bearer {logins['token']}"}),
        "store products API (200)": (
            "/api/v1/store/products?page_size=200",
            {"Authorization": f"Bearer {logins['token']}"},
        ),  # fmt: skip
    }
    queries = count_queries(targets, logins)
    stock = bulk_stock_queries()
    from django.db import connections

    connections.close_all()
    server = start_gunicorn(args.workers)
    results = {}
    try:
        for name, (path, headers) in targets.items():
            results[name] = {"path": path, "queries": queries[name], **hammer(path, headers, args.seconds)}
    finally:
        server.terminate()
        server.wait(timeout=10)
    hello = results["hello (trivial view)"]
    for row in results.values():
        row["vs_hello_rps"] = round(row["rps"] / hello["rps"], 2) if hello["rps"] else None
    report = {
        "at": datetime.now().astimezone().isoformat(timespec="seconds"),
        "data": {"products": N_PRODUCTS, "customers": N_CUSTOMERS},
        "server": f"gunicorn sync, {args.workers} workers, DEBUG off, CONN_MAX_AGE 600; {os.cpu_count()} CPUs",
        "clients": CLIENTS,
        "seconds_per_target": args.seconds,
        "targets": results,
        "bulk_stock_update": stock,
    }
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"catalog-{datetime.now().strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"\n{report['server']}, {CLIENTS} concurrent clients, {args.seconds:.0f} s per target")
    print(
        f"{'target':28} {'queries':>7} {'req/s':>8} {'median ms':>10} {'p95 ms':>8} {'vs hello':>9} {'errors':>6}"
    )
    for name, row in results.items():
        print(f"{name:28} {row['queries']:>7} {row['rps']:>8} {row['median_ms']:>10} {row['p95_ms']:>8} "
              f"{row['vs_hello_rps']:>9} {row['errors']:>6}")  # fmt: skip
    print(f"bulk stock update of {stock['items']} SKUs: {stock['queries']} SQL statements, {stock['ms']} ms")
    print(f"written to {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
