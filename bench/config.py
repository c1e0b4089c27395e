"""Everything the harness is configured by, in one place (sizes, URLs, ports, prices).

HTML page URLs of the storefront are not fixed by the contract: adjust PAGES (or set the
BENCH_PAGE_* environment variables) when the catalog pages land under other paths.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH_DIR = ROOT / "bench"
RESULTS_DIR = BENCH_DIR / "results"
LUA_DIR = BENCH_DIR / "lua"
VENV_BIN = Path(os.environ.get("BENCH_VENV_BIN", ROOT / ".venv" / "bin"))

# ---------------------------------------------------------------- storefront pages (not in the contract)
PAGES = {
    # {category} is a leaf category code, {query} a search word, {sku} a product SKU.
    "catalog_list": os.environ.get("BENCH_PAGE_CATALOG_LIST", "/categories/{category}/"),
    "catalog_search": os.environ.get("BENCH_PAGE_CATALOG_SEARCH", "/products/?q={query}"),
    "product": os.environ.get("BENCH_PAGE_PRODUCT", "/products/{sku}/"),
}

# ---------------------------------------------------------------- contract endpoints (fixed)
API = {
    "products": "/api/v1/store/products",
    "cart": "/api/v1/store/cart",
    "cart_item": "/api/v1/store/cart/items/{sku}",
    "checkout": "/api/v1/store/checkout",
    "orders": "/api/v1/store/orders",
    "erp_stock": "/api/v1/erp/stock",
    "erp_prices": "/api/v1/erp/prices/bulk",
    "erp_products": "/api/v1/erp/products/bulk",
}

# ---------------------------------------------------------------- services
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/b2bshop_bench")
PGBENCH_DB = os.environ.get("BENCH_PGBENCH_DB", DATABASE_URL.rsplit("/", 1)[1] + "_pgbench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/6")
SECRET_KEY = "bench-only-secret-key-" + "b" * 40
ERP_SIGNING_SECRET = "bench-signing-secret"
CORES = os.cpu_count() or 2
GUNICORN_WORKERS = int(os.environ.get("BENCH_WORKERS", str(2 * CORES + 1)))
CELERY_CONCURRENCY = int(os.environ.get("BENCH_CELERY_CONCURRENCY", str(CORES)))
WRK = os.environ.get("BENCH_WRK", "/usr/bin/wrk")

# ---------------------------------------------------------------- data set
DATASET_VERSION = "1"  # bump when the generator changes; migrations are hashed in automatically
PRODUCTS = 50_000
CUSTOMERS = 10_000
PRICE_GROUPS = 10
CONTRACT_PRICES_PER_CUSTOMER = 10
ORDER_LINES = 3_000_000
LINES_PER_ORDER = 10
LEAF_CATEGORIES = 100  # 20 top-level x 5 children, 500 products each
BENCH_BUYERS = 32  # customers 1..32 get logged-in sessions and tokens for the load runs

# ---------------------------------------------------------------- timing
ROUND_SECONDS = float(os.environ.get("BENCH_ROUND_SECONDS", "5"))
PAIRS = int(os.environ.get("BENCH_PAIRS", "3"))
CONCURRENCY = 8

# ---------------------------------------------------------------- cost
VCPU_HOUR_JPY = float(os.environ.get("BENCH_VCPU_HOUR_JPY", "6.0"))
VCPU_HOUR_SOURCE = (
    "assumed ~¥6 per vCPU-hour: a general-purpose on-demand cloud VM in Tokyo "
    "(about US$0.04/vCPU-h at ¥150/US$), November 2026; override with BENCH_VCPU_HOUR_JPY"
)
