"""Request scenarios whose SQL statement counts must stay constant as items grow.

Shared by the harness (`queries` entry, run inside a rolled-back transaction on the bench
database) and by tests/bench/test_query_counts.py (`make test`), so both count the same thing.
Each `*_request` function prepares state (not counted) and returns the one request to count.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlsplit

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import Resolver404, resolve
from django.utils import timezone

from bench import config

WORLD_PRODUCTS = 500
_seq = itertools.count(1)

CONTRACT_RULES = [
    {"code": "small-order-fee", "kind": "small_order_fee", "below": 10000, "fee": 500, "tax_rate": 10},
    {"code": "min-amount", "kind": "minimum_order_amount", "amount": 3000},
    {"code": "moq-bolts", "kind": "minimum_quantity", "quantity": 50, "scope": {"categories": ["BOLT"]}},
    {
        "code": "case-units",
        "kind": "order_multiple",
        "use_case_quantity": True,
        "scope": {"categories": ["DRINK"]},
    },
    {
        "code": "ship-hokkaido",
        "kind": "shipping_fee",
        "fee": 1500,
        "free_from": 30000,
        "tax_rate": 10,
        "scope": {"prefectures": ["北海道", "沖縄県"]},
    },
]


def route_exists(path: str) -> bool:
    """False while the feature behind `path` has not been merged (the URL does not resolve)."""
    try:
        resolve(urlsplit(path).path)
    except Resolver404:
        return False
    return True


def ensure_rules() -> None:
    from pricing_rules.models import Rule

    for rule in CONTRACT_RULES:
        Rule.objects.update_or_create(
            code=rule["code"], defaults={k: v for k, v in rule.items() if k != "code"}
        )


@dataclass
class World:
    category: object
    customer: object
    buyer: object
    erp_token: str
    products: list


def warm_caches(customer) -> None:
    """Fill this process's version-keyed caches (b2bshop.versions), as a running server has them.

    Statement counts are per request in the steady state; the first request after a rule or
    category change pays one more statement per table it reloads.
    """
    from catalog.selectors import all_categories, has_visibility_rules
    from pricing_rules.selectors import list_rules

    list_rules()
    all_categories()
    has_visibility_rules(customer=customer)


def build_world(*, products: int = WORLD_PRODUCTS) -> World:
    """A category of `products` SKUs with stock and prices, one customer (price group, contract prices,
    default ship-to), a buyer, an ERP integration token, and the contract's example rules."""
    from catalog.models import Category, Price, Product, Stock
    from catalog.text import product_search_text
    from customers.models import Customer, PriceGroup, ShipTo, User
    from customers.services import issue_api_token

    n = next(_seq)
    ensure_rules()
    group = PriceGroup.objects.create(code=f"QPG{n}", name=f"QC group {n}", rate=Decimal("0.90"))
    category = Category.objects.create(code=f"QCAT{n}", name=f"QCカテゴリ{n}")
    rows = []
    for i in range(1, products + 1):
        sku, name = f"Q{n}-{i:05d}", f"QC商品{i}"
        rows.append(
            Product(
                sku=sku,
                name=name,
                category=category,
                unit="個",
                base_price=Decimal("500"),
                tax_rate=10,
                search_text=product_search_text(sku=sku, name=name, name_en="", name_kana="", jan_code=""),
            )
        )
    items = Product.objects.bulk_create(rows)
    Stock.objects.bulk_create([Stock(product=p, on_hand=100_000) for p in items])
    customer = Customer.objects.create(
        code=f"QC{n:05d}",
        name=f"株式会社クエリ商事{n}",
        price_group=group,
        prefecture="東京都",
        postal_code="100-0001",
        address="千代田区1-1",
        phone="03-0000-0000",
    )
    ShipTo.objects.create(
        customer=customer,
        name="本社",
        postal_code="100-0001",
        prefecture="東京都",
        address="千代田区1-1",
        is_default=True,
    )
    Price.objects.bulk_create(
        [Price(product=p, min_quantity=10, unit_price=Decimal("480")) for p in items[:100]]
        + [Price(product=p, price_group=group, unit_price=Decimal("460")) for p in items[:100:2]]
        + [Price(product=p, customer=customer, unit_price=Decimal("450")) for p in items[:100:5]]
    )
    buyer = User.objects.create_user(
        f"qc-buyer{n}@bench.example.jp", "bench-pass-123", customer=customer, role="buyer"
    )
    integration = User.objects.create_user(f"qc-erp{n}@integration.invalid", None, is_integration=True)
    warm_caches(customer)
    return World(
        category=category,
        customer=customer,
        buyer=buyer,
        erp_token=issue_api_token(user=integration).raw,
        products=items,
    )


# Savepoints exist only because tests run inside a transaction; production requests do not send them.
BOOKKEEPING = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


def statements(captured: list[dict]) -> list[str]:
    """The SQL statements a request sends in production (test savepoints left out)."""
    return [q["sql"] for q in captured if not q["sql"].upper().startswith(BOOKKEEPING)]


def count_queries(act: Callable[[], object]) -> tuple[object, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = act()
    return response, len(statements(ctx.captured_queries))


def _json(client, method: str, path: str, body: object, **extra):
    return getattr(client, method)(path, data=json.dumps(body), content_type="application/json", **extra)


# ---------------------------------------------------------------- storefront pages and buyer API
def catalog_page_request(world: World, client) -> tuple[str, Callable]:
    client.force_login(world.buyer)
    path = config.PAGES["catalog_list"].format(category=world.category.code, query="QC商品")
    return path, lambda: client.get(path)


def catalog_api_request(world: World, client) -> tuple[str, Callable]:
    client.force_login(world.buyer)
    path = f"{config.API['products']}?category={world.category.code}"
    return path, lambda: client.get(path)


def product_page_request(world: World, client) -> tuple[str, Callable]:
    client.force_login(world.buyer)
    path = config.PAGES["product"].format(sku=world.products[0].sku)
    return path, lambda: client.get(path)


def cart_request(world: World, client, *, lines: int) -> tuple[str, Callable]:
    """PUT the `lines`-th line into a cart already holding lines - 1 (the answer is the whole cart)."""
    client.force_login(world.buyer)
    for p in world.products[: lines - 1]:
        _json(client, "put", config.API["cart_item"].format(sku=p.sku), {"quantity": 2})
    path = config.API["cart_item"].format(sku=world.products[lines - 1].sku)
    return path, lambda: _json(client, "put", path, {"quantity": 2})


def cart_bulk_request(world: World, client, *, lines: int) -> tuple[str, Callable]:
    """PUT a whole cart of `lines` lines over a cart already holding other lines (one replaces them)."""
    client.force_login(world.buyer)
    for p in world.products[-3:]:
        _json(client, "put", config.API["cart_item"].format(sku=p.sku), {"quantity": 1})
    path = config.API["cart"]
    body = {"lines": [{"sku": p.sku, "quantity": 2} for p in world.products[:lines]]}
    return path, lambda: _json(client, "put", path, body)


def checkout_request(world: World, client, *, lines: int) -> tuple[str, Callable]:
    client.force_login(world.buyer)
    for p in world.products[:lines]:
        _json(client, "put", config.API["cart_item"].format(sku=p.sku), {"quantity": 2})
    path = config.API["checkout"]
    key = f"bench-queries-{next(_seq)}"
    return path, lambda: _json(client, "post", path, {}, headers={"Idempotency-Key": key})


def order_history_request(world: World, client, *, orders: int) -> tuple[str, Callable]:
    from orders.models import Order, OrderLine

    client.force_login(world.buyer)
    now = timezone.now()
    made = Order.objects.bulk_create(
        [
            Order(
                number=f"QO{world.customer.pk}-{i:05d}",
                customer=world.customer,
                placed_by=world.buyer,
                subtotal=Decimal("1000"),
                total=Decimal("1100"),
                tax_10=Decimal("100"),
                placed_at=now - timedelta(days=i),
            )
            for i in range(orders)
        ]
    )
    p = world.products[0]
    OrderLine.objects.bulk_create(
        [
            OrderLine(
                order=o,
                line_no=k,
                product=p,
                sku=p.sku,
                name=p.name,
                unit=p.unit,
                quantity=1,
                unit_price=Decimal("500"),
                amount=Decimal("500"),
                tax_rate=10,
            )
            for o in made
            for k in (1, 2)
        ]
    )
    path = config.API["orders"]
    return path, lambda: client.get(path)


# ---------------------------------------------------------------- ERP API
def erp_stock_request(world: World, client, *, items: int) -> tuple[str, Callable]:
    body = {"items": [{"sku": p.sku, "on_hand": 5000 + k} for k, p in enumerate(world.products[:items])]}
    path = config.API["erp_stock"]
    return path, lambda: _json(client, "post", path, body, HTTP_AUTHORIZATION=f"Bearer {world.erp_token}")


def erp_prices_request(world: World, client, *, items: int) -> tuple[str, Callable]:
    body = {
        "items": [
            {"sku": p.sku, "customer": world.customer.code, "min_quantity": 1, "unit_price": "444"}
            for p in world.products[:items]
        ]
    }
    path = config.API["erp_prices"]
    return path, lambda: _json(client, "post", path, body, HTTP_AUTHORIZATION=f"Bearer {world.erp_token}")


def erp_products_request(world: World, client, *, items: int) -> tuple[str, Callable]:
    body = {
        "items": [
            {
                "sku": p.sku,
                "name": p.name + " 改",
                "unit": "個",
                "case_quantity": 1,
                "base_price": "510",
                "tax_rate": "10",
                "active": True,
                "category": world.category.code,
            }
            for p in world.products[:items]
        ]
    }
    path = config.API["erp_products"]
    return path, lambda: _json(client, "post", path, body, HTTP_AUTHORIZATION=f"Bearer {world.erp_token}")


# name -> (request builder, keyword, small, large, bound); bound None = no target, only "constant".
QUERY_CASES: dict[str, tuple[Callable, str | None, int, int, int | None]] = {
    "catalog list page": (catalog_page_request, None, 0, 0, 10),
    "catalog list API": (catalog_api_request, None, 0, 0, 10),
    "product page": (product_page_request, None, 0, 0, 10),
    "cart PUT": (cart_request, "lines", 1, 50, 12),
    "bulk cart PUT": (cart_bulk_request, "lines", 5, 50, 12),
    "checkout": (checkout_request, "lines", 5, 50, 20),
    "order history": (order_history_request, "orders", 10, 100, None),
    "ERP bulk stock": (erp_stock_request, "items", 50, 500, 6),
    "ERP bulk prices": (erp_prices_request, "items", 50, 500, 6),
    "ERP bulk products": (erp_products_request, "items", 50, 500, None),
}
