"""The one price function: what does this customer pay per unit for N of this SKU on this day.

Price sources, all optional except the list price:
  * the product's list price (``base_price``), from quantity 1;
  * list price tiers: Price rows with neither customer nor price group, from ``min_quantity``;
  * the customer's price group rate (掛け率): list price × rate, rounded down to ¥0.01;
  * price group fixed prices: Price rows for the customer's price group, from ``min_quantity``;
  * customer contract prices: Price rows for the customer, from ``min_quantity``.
A Price row applies when ``min_quantity <= N`` and the day is within ``valid_from..valid_to``
(both inclusive, each optional). **The lowest applicable unit price wins**, so a volume tier
or a group rate can still beat an older contract price; nobody ever pays more than list.

Every page, API, cart, checkout, e-mail and the proxy-order screen call ``price_sheets`` (or
``unit_price_for`` for one SKU): one query for any number of products.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_DOWN, Decimal

from django.db import connection
from django.db.models import Q

from b2bshop.hot_sql import fetch_rows
from catalog.models import Price, Product
from customers.models import Customer

CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class PriceSheet:
    """All unit prices one customer may get for one product on one day, as (min_quantity, unit_price)."""

    product_id: int
    list_price: Decimal
    candidates: tuple[tuple[int, Decimal, str], ...] = field(
        default_factory=tuple
    )  # (min_qty, price, source)

    def unit_price(self, quantity: int = 1) -> Decimal:
        """The lowest unit price applicable to `quantity` units."""
        quantity = max(quantity, 1)
        return min(price for min_qty, price, _source in self.candidates if min_qty <= quantity)

    def source(self, quantity: int = 1) -> str:
        """Which source gave the winning price: list, tier, group_rate, group, contract."""
        quantity = max(quantity, 1)
        best = min(
            ((price, src) for min_qty, price, src in self.candidates if min_qty <= quantity),
            key=lambda pair: pair[0],
        )
        return best[1]

    def tiers(self) -> list[tuple[int, Decimal]]:
        """Break points where the unit price drops: [(1, 120), (50, 110), (100, 98)]."""
        points = sorted({min_qty for min_qty, _price, _src in self.candidates})
        result: list[tuple[int, Decimal]] = []
        for qty in points:
            price = self.unit_price(qty)
            if not result or price < result[-1][1]:
                result.append((qty, price))
        return result


def price_sheets(
    *, customer: Customer | None, products: Iterable[Product], on: date
) -> dict[int, PriceSheet]:
    """Price sheets for many products in one query. `customer` None gives list prices only (staff previews)."""
    products = list(products)
    if not products:
        return {}
    group = customer.price_group if customer is not None and customer.price_group_id else None
    rows: dict[int, list[tuple[int, Decimal, str]]] = {}
    for p in products:
        base = p.base_price
        rows[p.id] = [(1, base, "list")]
        if group is not None and group.rate is not None:
            rows[p.id].append((1, (base * group.rate).quantize(CENT, ROUND_DOWN), "group_rate"))
    for product_id, min_qty, unit_price, customer_id, group_id in _price_rows(
        product_ids=[p.id for p in products],
        customer_id=customer.pk if customer is not None else None,
        group_id=group.pk if group is not None else None,
        on=on,
    ):
        source = "contract" if customer_id else "group" if group_id else "tier"
        rows[product_id].append((min_qty, unit_price, source))
    return {p.id: PriceSheet(p.id, p.base_price, tuple(rows[p.id])) for p in products}


# Hand-written: every catalog page, product page, cart and checkout sends this statement, and the
# ORM spent longer compiling its OR-ed filters than PostgreSQL spends answering it (profile in
# docs/performance.md). One fixed shape: a NULL customer or group simply matches no row.
_PRICE_ROWS = (
    'SELECT "product_id", "min_quantity", "unit_price", "customer_id", "price_group_id" '
    'FROM "catalog_price" WHERE "product_id" = ANY(%s) '
    'AND (("customer_id" IS NULL AND "price_group_id" IS NULL) OR "customer_id" = %s OR "price_group_id" = %s) '
    'AND ("valid_from" IS NULL OR "valid_from" <= %s) AND ("valid_to" IS NULL OR "valid_to" >= %s)'
)


def _price_rows(
    *, product_ids: list[int], customer_id: int | None, group_id: int | None, on: date
) -> list[tuple[int, int, Decimal, int | None, int | None]]:
    """(product_id, min_quantity, unit_price, customer_id, price_group_id) of the Price rows that apply."""
    if connection.vendor == "postgresql":
        return fetch_rows(_PRICE_ROWS, [product_ids, customer_id, group_id, on, on])
    # SQLite (the ``make run`` demo) has no arrays: the same filter through the ORM.
    audience = Q(customer__isnull=True, price_group__isnull=True)
    if customer_id is not None:
        audience |= Q(customer_id=customer_id)
    if group_id is not None:
        audience |= Q(price_group_id=group_id)
    valid = (Q(valid_from__isnull=True) | Q(valid_from__lte=on)) & (
        Q(valid_to__isnull=True) | Q(valid_to__gte=on)
    )
    return list(
        Price.objects.filter(audience & valid, product_id__in=product_ids)
        .values_list("product_id", "min_quantity", "unit_price", "customer_id", "price_group_id")
        .order_by()
    )


def unit_price_for(*, customer: Customer | None, product: Product, quantity: int, on: date) -> Decimal:
    """Convenience for one SKU; use `price_sheets` for lists."""
    return price_sheets(customer=customer, products=[product], on=on)[product.id].unit_price(quantity)
