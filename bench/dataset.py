"""The fixed, seeded bench data set, generated in PostgreSQL with INSERT … SELECT generate_series.

50,000 products (with stock and list tiers) in 100 leaf categories, 10 price groups with group
prices, 10,000 customers (80 % in a price group, each with 10 contract prices, a default ship-to
and one buyer), 300,000 past orders with 3,000,000 order lines for the batch jobs, and the
contract's example trading rules. Deterministic: every value is a function of the row number.

Cached: a `bench_dataset` table records the version (generator version + a hash of the
migration files); when it matches, nothing is generated again.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable

from django.contrib.auth.hashers import make_password
from django.db import connection

from bench import config

PASSWORD = "bench-pass-123"

_FILLERS = {
    "character varying": "''",
    "text": "''",
    "integer": "0",
    "smallint": "0",
    "bigint": "0",
    "numeric": "0",
    "boolean": "false",
    "jsonb": "'{}'::jsonb",
    "json": "'{}'::json",
    "date": "current_date",
    "timestamp with time zone": "now()",
}


def dataset_version() -> str:
    """Generator version plus a hash of every migration file name (a schema change rebuilds the data)."""
    names = sorted(
        str(p.relative_to(config.ROOT))
        for p in config.ROOT.glob("*/migrations/[0-9]*.py")
        if ".venv" not in p.parts
    )
    digest = hashlib.sha256("\n".join(names).encode()).hexdigest()[:12]
    return f"{config.DATASET_VERSION}-{digest}"


def present_version() -> str | None:
    with connection.cursor() as cur:
        cur.execute("SELECT to_regclass('bench_dataset')")
        if cur.fetchone()[0] is None:
            return None
        cur.execute("SELECT version FROM bench_dataset LIMIT 1")
        row = cur.fetchone()
    return row[0] if row else None


def _missing_required(table: str, provided: list[str]) -> tuple[str, str]:
    """Columns another branch may add later (NOT NULL, no default): fill with a neutral value.

    Keeps the generator working after merges that add required fields; returns
    (", col1, col2", ", val1, val2") to splice into an INSERT.
    """
    with connection.cursor() as cur:
        cur.execute(
            """SELECT column_name, data_type FROM information_schema.columns
               WHERE table_name = %s AND is_nullable = 'NO' AND column_default IS NULL""",
            [table],
        )
        rows = [(c, t) for c, t in cur.fetchall() if c not in provided and c != "id"]
    cols = "".join(f", {c}" for c, _ in rows)
    vals = "".join(f", {_FILLERS.get(t, 'DEFAULT')}" for _, t in rows)
    return cols, vals


def _insert(table: str, columns: list[str], select_sql: str) -> None:
    extra_cols, extra_vals = _missing_required(table, columns)
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}{extra_cols}) SELECT {select_sql.format(extra=extra_vals)}"
    )
    with connection.cursor() as cur:
        cur.execute(sql)  # no parameters: the generator's own `%` operators stay literal


def _steps(password_hash: str) -> list[tuple[str, Callable[[], None]]]:
    P, C = config.PRODUCTS, config.CUSTOMERS  # noqa: N806
    n_orders = config.ORDER_LINES // config.LINES_PER_ORDER
    prefs = (
        "ARRAY['東京都','大阪府','愛知県','神奈川県','福岡県','北海道','埼玉県','兵庫県','宮城県','広島県']"
    )

    def categories() -> None:
        _insert(
            "catalog_category",
            ["id", "code", "name", "name_en", "sort_order", "parent_id"],
            "t, 'C' || lpad(t::text, 2, '0'), 'カテゴリ' || t, 'Category ' || t, t, NULL{extra}"
            " FROM generate_series(1, 20) t",
        )
        _insert(
            "catalog_category",
            ["id", "code", "name", "name_en", "sort_order", "parent_id"],
            "100 + l, 'C' || lpad(((l - 1) / 5 + 1)::text, 2, '0') || '-' || ((l - 1) % 5 + 1),"
            " 'サブカテゴリ' || l, 'Subcategory ' || l, l, (l - 1) / 5 + 1{extra}"
            f" FROM generate_series(1, {config.LEAF_CATEGORIES}) l",
        )

    def products() -> None:
        _insert(
            "catalog_product",
            [
                "id",
                "sku",
                "name",
                "name_en",
                "name_kana",
                "unit",
                "case_quantity",
                "jan_code",
                "tax_rate",
                "base_price",
                "moq",
                "order_multiple",
                "max_quantity",
                "active",
                "image",
                "description",
                "search_text",
                "created_at",
                "updated_at",
                "category_id",
            ],
            "i, 'B' || lpad(i::text, 6, '0'),"
            " (ARRAY['六角ボルト','ナット','平座金','ステンレス棚','作業手袋','養生テープ','結束バンド','安全靴'])[i % 8 + 1]"
            "   || ' M' || (i % 24 + 3) || ' 型番' || i,"
            " 'Item ' || i, 'ショウヒン' || i, (ARRAY['個','箱','袋','本'])[i % 4 + 1], 1 + (i % 5) * 5, '',"
            " CASE WHEN i % 10 = 0 THEN 8 ELSE 10 END, (100 + (i * 37) % 4900)::numeric, NULL, NULL, NULL, true,"
            " '', '', lower('b' || lpad(i::text, 6, '0') || ' 型番' || i), now(), now(),"
            f" 100 + (i % {config.LEAF_CATEGORIES}) + 1{{extra}}"
            f" FROM generate_series(1, {P}) i",
        )
        _insert(
            "catalog_stock",
            ["product_id", "on_hand", "held", "as_of", "updated_at"],
            f"i, 1000000, 0, NULL, now(){{extra}} FROM generate_series(1, {P}) i",
        )

    def price_groups() -> None:
        _insert(
            "customers_pricegroup",
            ["id", "code", "name", "rate"],
            "g, 'PG' || g, '価格グループ' || g, CASE WHEN g % 2 = 0 THEN 0.85 + g / 100.0 ELSE NULL END{extra}"
            f" FROM generate_series(1, {config.PRICE_GROUPS}) g",
        )

    def customers() -> None:
        _insert(
            "customers_customer",
            [
                "id",
                "code",
                "name",
                "name_kana",
                "legal_form",
                "trading_status",
                "prefecture",
                "postal_code",
                "address",
                "phone",
                "domain",
                "closing_day",
                "payment_terms_days",
                "credit_limit",
                "invoice_registration_number",
                "ec_enabled",
                "name_key",
                "created_at",
                "updated_at",
                "owner_id",
                "price_group_id",
            ],
            "c, 'BC' || lpad(c::text, 5, '0'), '株式会社ベンチ商事' || c, 'ベンチショウジ' || c, '株式会社', 'customer',"
            f" ({prefs})[c % 10 + 1], '100-0001', '千代田区1-' || c, '03-0000-' || lpad((c % 10000)::text, 4, '0'),"
            " 'bench' || c || '.example.jp', CASE WHEN c % 3 = 0 THEN 20 ELSE 31 END, 30, NULL, '', true,"
            " 'ベンチ商事' || c, now(), now(), NULL,"
            f" CASE WHEN c % 5 = 0 THEN NULL ELSE c % {config.PRICE_GROUPS} + 1 END{{extra}}"
            f" FROM generate_series(1, {C}) c",
        )
        _insert(
            "customers_shipto",
            ["customer_id", "name", "postal_code", "prefecture", "address", "phone", "is_default"],
            f"c, 'ベンチ商事' || c || ' 本社', '100-0001', ({prefs})[c % 10 + 1], '千代田区1-' || c, '03-0000-0000',"
            f" true{{extra}} FROM generate_series(1, {C}) c",
        )
        _insert(
            "customers_user",
            [
                "id",
                "password",
                "last_login",
                "is_superuser",
                "email",
                "full_name",
                "role",
                "is_staff",
                "is_active",
                "is_integration",
                "preferred_language",
                "date_joined",
                "customer_id",
            ],
            f"c, '{password_hash}', NULL, false, 'buyer' || c || '@bench.example.jp', 'バイヤー' || c, 'buyer', false, true, false,"
            f" 'ja', now(), c{{extra}} FROM generate_series(1, {C}) c",
        )

    def prices() -> None:
        price_cols = [
            "product_id",
            "customer_id",
            "price_group_id",
            "min_quantity",
            "unit_price",
            "valid_from",
            "valid_to",
            "updated_at",
        ]
        # List volume tier: 5 % off from 10 units for every product.
        _insert(
            "catalog_price",
            price_cols,
            f"i, NULL, NULL, 10, round((100 + (i * 37) % 4900) * 0.95), NULL, NULL, now(){{extra}}"
            f" FROM generate_series(1, {P}) i",
        )
        # Fixed group prices: each group has one product in ten.
        _insert(
            "catalog_price",
            price_cols,
            f"i, NULL, g, 1, round((100 + (i * 37) % 4900) * 0.9), NULL, NULL, now(){{extra}}"
            f" FROM generate_series(1, {config.PRICE_GROUPS}) g, generate_series(1, {P}) i"
            f" WHERE i % {config.PRICE_GROUPS} = g - 1",
        )
        # Contract prices: 10 distinct products per customer.
        _insert(
            "catalog_price",
            price_cols,
            f"((c * 7919 + k * 5003) % {P}) + 1, c, NULL, 1,"
            f" round((100 + (((c * 7919 + k * 5003) % {P}) + 1) * 37 % 4900) * 0.8), NULL, NULL, now(){{extra}}"
            f" FROM generate_series(1, {C}) c, generate_series(0, {config.CONTRACT_PRICES_PER_CUSTOMER - 1}) k",
        )

    def orders() -> None:
        _insert(
            "orders_order",
            [
                "id",
                "number",
                "channel",
                "status",
                "ship_to",
                "requested_delivery_date",
                "po_number",
                "note",
                "subtotal",
                "fees_total",
                "tax_10",
                "tax_8",
                "total",
                "snapshot",
                "idempotency_key",
                "cart_fingerprint",
                "tracking_number",
                "placed_at",
                "updated_at",
                "customer_id",
                "keyed_by_id",
                "placed_by_id",
            ],
            "o, 'BO' || lpad(o::text, 8, '0'), 'web', 'invoiced', '{{}}'::jsonb, NULL, '', '', 10000, 0, 1000, 0,"
            " 11000, '{{}}'::jsonb, '', '', '',"
            f" now() - ((o % 730) || ' days')::interval - ((o % 1440) || ' minutes')::interval, now(),"
            f" o % {C} + 1, NULL, o % {C} + 1{{extra}} FROM generate_series(1, {n_orders}) o",
        )

    def order_lines() -> None:
        # One statement per 500k lines keeps memory and WAL bursts modest.
        per = config.LINES_PER_ORDER
        chunk = 50_000
        for start in range(1, n_orders + 1, chunk):
            end = min(start + chunk - 1, n_orders)
            _insert(
                "orders_orderline",
                [
                    "order_id",
                    "line_no",
                    "product_id",
                    "sku",
                    "name",
                    "unit",
                    "quantity",
                    "unit_price",
                    "amount",
                    "tax_rate",
                ],
                f"o, l, ((o * 31 + l * 977 + (o % {C}) * 13) % {P}) + 1,"
                f" 'B' || lpad((((o * 31 + l * 977 + (o % {C}) * 13) % {P}) + 1)::text, 6, '0'), '商品', '個',"
                f" 1 + (o + l) % 20, 100, 100 * (1 + (o + l) % 20), 10{{extra}}"
                f" FROM generate_series({start}, {end}) o, generate_series(1, {per}) l",
            )

    def rules() -> None:
        from pricing_rules.models import Rule

        Rule.objects.all().delete()
        Rule.objects.create(code="small-order-fee", kind="small_order_fee", below=10000, fee=500, tax_rate=10)
        Rule.objects.create(code="min-amount", kind="minimum_order_amount", amount=3000)
        Rule.objects.create(
            code="moq-bolts", kind="minimum_quantity", quantity=50, scope={"categories": ["BOLT"]}
        )
        Rule.objects.create(
            code="case-units", kind="order_multiple", use_case_quantity=True, scope={"categories": ["DRINK"]}
        )
        Rule.objects.create(
            code="ship-hokkaido",
            kind="shipping_fee",
            fee=1500,
            free_from=30000,
            tax_rate=10,
            scope={"prefectures": ["北海道", "沖縄県"]},
        )

    def finish() -> None:
        with connection.cursor() as cur:
            for table in (
                "catalog_category",
                "catalog_product",
                "customers_pricegroup",
                "customers_customer",
                "customers_user",
                "orders_order",
            ):
                sql = f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"  # noqa: S608
                cur.execute(sql)
            cur.execute(
                "CREATE TABLE IF NOT EXISTS bench_insert (id bigserial PRIMARY KEY, at timestamptz, payload text)"
            )
            cur.execute("ANALYZE")

    return [
        ("categories", categories),
        ("products + stock", products),
        ("price groups", price_groups),
        ("customers, ship-tos, buyers", customers),
        ("prices", prices),
        ("orders", orders),
        ("order lines", order_lines),
        ("rules", rules),
        ("sequences, analyze", finish),
    ]


def ensure(*, log: Callable[[str], None] = print) -> bool:
    """Generate the data set unless this version is present; True when it was generated now."""
    version = dataset_version()
    if present_version() == version:
        log(f"data set {version} present (cached)")
        return False
    _truncate()
    password_hash = make_password(PASSWORD)
    for label, step in _steps(password_hash):
        t0 = time.perf_counter()
        step()
        log(f"  data set: {label} in {time.perf_counter() - t0:.1f}s")
    with connection.cursor() as cur:
        cur.execute("CREATE TABLE IF NOT EXISTS bench_dataset (version text, created_at timestamptz)")
        cur.execute("DELETE FROM bench_dataset")
        cur.execute("INSERT INTO bench_dataset VALUES (%s, now())", [version])
    return True


def _truncate() -> None:
    """Empty every shop table (a stale or partial data set), keeping the schema and migrations."""
    with connection.cursor() as cur:
        cur.execute(
            """SELECT tablename FROM pg_tables WHERE schemaname = 'public'
               AND tablename NOT IN ('django_migrations', 'django_content_type', 'auth_permission')"""
        )
        tables = [r[0] for r in cur.fetchall()]
        if tables:
            cur.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE")
