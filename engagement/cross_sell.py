"""Cross-sell (「この商品を買った会社はこちらも購入」) and the small-order hint.

`compute_cross_sell` rebuilds the summary table `CrossSell` from order co-occurrence in one
set-based statement (beat, nightly; `manage.py compute_cross_sell [--dry-run]`): two products are
related when at least `CROSS_SELL_MIN_CUSTOMERS` customers bought them in one order. The
storefront only reads that small table, for one company at a time, through the company's catalog
visibility (so a price group's hidden products never show) and at the company's own prices
(`catalog.prices.price_sheets`), leaving out whatever the company already buys.

The small-order hint (`small_order_suggestions`) takes the missing amount from the rule engine's
own hint (`small_order_fee_avoidable`), never a hard-coded threshold, and suggests items the
company usually buys whose usual quantity alone lifts the order above it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Sum

from b2bshop.money import line_amount
from catalog.models import Product
from catalog.prices import price_sheets
from catalog.selectors import visible_products
from customers.models import Customer, User
from engagement import selectors
from engagement.models import CrossSell
from orders.models import OrderLine
from orders.services.cart import CartState, buyer_cart

SMALL_ORDER_HINT = "small_order_fee_avoidable"

# Pairs of distinct products in one (not cancelled) order, counted once per customer, so one big
# customer ordering the same two items every week does not outweigh many customers.
PAIRS_SQL = """
WITH lines AS (
  SELECT DISTINCT o.id AS order_id, o.customer_id, l.product_id
  FROM orders_order o JOIN orders_orderline l ON l.order_id = o.id
  JOIN catalog_product p ON p.id = l.product_id AND p.active
  WHERE o.status <> 'cancelled' AND o.placed_at >= %(since)s AND o.placed_at < %(until)s
), buyers AS (
  SELECT product_id, count(DISTINCT customer_id) AS n FROM lines GROUP BY product_id
), pairs AS (
  SELECT a.product_id, b.product_id AS related_id, count(DISTINCT a.customer_id) AS together
  FROM lines a JOIN lines b ON b.order_id = a.order_id AND b.product_id <> a.product_id
  GROUP BY a.product_id, b.product_id
  HAVING count(DISTINCT a.customer_id) >= %(min_customers)s
), ranked AS (
  SELECT p.product_id, p.related_id, p.together, round(p.together::numeric / b.n, 4) AS score,
         row_number() OVER (PARTITION BY p.product_id ORDER BY p.together DESC, p.related_id) AS rank
  FROM pairs p JOIN buyers b ON b.product_id = p.product_id
)
"""
COUNT_SQL = PAIRS_SQL + "SELECT count(*), count(DISTINCT product_id) FROM ranked WHERE rank <= %(top)s"  # noqa: S608 - literals
INSERT_SQL = PAIRS_SQL + (  # noqa: S608 - literals only
    "INSERT INTO engagement_crosssell (product_id, related_id, customers, score, rank, computed_at) "
    "SELECT product_id, related_id, together, score, rank, %(now)s FROM ranked WHERE rank <= %(top)s"
)


@dataclass(frozen=True, slots=True)
class CrossSellRun:
    pairs: int
    products: int
    dry_run: bool


def compute_cross_sell(*, now: datetime, dry_run: bool = False) -> CrossSellRun:
    """Rebuild the cross-sell table in one transaction (readers see the old pairs until it commits)."""
    params: dict[str, Any] = {
        "since": now - timedelta(days=settings.CROSS_SELL_DAYS),
        "until": now,
        "min_customers": settings.CROSS_SELL_MIN_CUSTOMERS,
        "top": settings.CROSS_SELL_PER_PRODUCT,
        "now": now,
    }
    with transaction.atomic(), connection.cursor() as cursor:
        if dry_run:
            cursor.execute(COUNT_SQL, params)
            pairs, products = cursor.fetchone()
            return CrossSellRun(pairs=pairs, products=products, dry_run=True)
        # Two runs at once (beat and a manual command) take turns instead of colliding on the pairs.
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('engagement.compute_cross_sell'))")
        cursor.execute("DELETE FROM engagement_crosssell")
        cursor.execute(INSERT_SQL, params)
        cursor.execute("SELECT count(*), count(DISTINCT product_id) FROM engagement_crosssell")
        pairs, products = cursor.fetchone()
    return CrossSellRun(pairs=pairs, products=products, dry_run=False)


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A product to show, at the company's price; `quantity` is its usual quantity (hints only)."""

    product: Product
    unit_price: Decimal
    quantity: int | None = None
    amount: Decimal | None = None


def _already_bought(*, customer: Customer, since: datetime) -> Exists:
    return Exists(
        OrderLine.objects.filter(
            order__customer_id=customer.pk, order__placed_at__gte=since, product_id=OuterRef("related_id")
        ).exclude(order__status="cancelled")
    )


def cross_sell_for(
    *, customer: Customer, product_ids: Sequence[int], on: date, now: datetime, limit: int = 4
) -> list[Suggestion]:
    """Products bought together with `product_ids` that `customer` may see and does not buy yet.

    Pairs of several source products add up (a cart's lines vote together). Two queries plus the
    price sheets, whatever the number of source products.
    """
    if not product_ids:
        return []
    since = now - timedelta(days=settings.CROSS_SELL_DAYS)
    visible = visible_products(customer=customer).filter(active=True)
    ranked = (
        CrossSell.objects.filter(product_id__in=list(product_ids))
        .exclude(related_id__in=list(product_ids))
        .filter(related_id__in=visible.values("pk"))
        .exclude(_already_bought(customer=customer, since=since))
        .values("related_id")
        .annotate(weight=Sum("customers"))
        .order_by("-weight", "related_id")[:limit]
    )
    ids = [row["related_id"] for row in ranked]
    products = visible.in_bulk(ids)
    sheets = price_sheets(customer=customer, products=products.values(), on=on)
    return [Suggestion(product=products[i], unit_price=sheets[i].unit_price(1)) for i in ids if i in products]


@dataclass(frozen=True, slots=True)
class SmallOrderHint:
    """The cart is below the small-order fee threshold by `missing`; these usual items would lift it."""

    missing: Decimal
    fee: Decimal
    suggestions: list[Suggestion]


def small_order_suggestions(*, state: CartState, on: date, limit: int = 3) -> SmallOrderHint | None:
    """None when no small-order fee applies to the cart; else items that would avoid it.

    Each suggestion is an item the company usually buys (よく買う商品), not in the cart yet, whose
    usual quantity at today's price covers the missing amount; most often bought first.
    """
    hint = next((h for h in state.evaluation.hints if h.code == SMALL_ORDER_HINT), None)
    if hint is None:
        return None
    missing = Decimal(hint.params["missing"])
    in_cart = {product.id for product in state.products.values()}
    favourites = [
        f
        for f in selectors.list_favourites(
            customer_id=state.customer.pk, since=on - timedelta(days=settings.CROSS_SELL_DAYS), limit=30
        )
        if f.product_id not in in_cart
    ]
    products = (
        visible_products(customer=state.customer)
        .filter(active=True)
        .in_bulk([f.product_id for f in favourites])
    )
    sheets = price_sheets(customer=state.customer, products=products.values(), on=on)
    suggestions: list[Suggestion] = []
    for favourite in favourites:
        product = products.get(favourite.product_id)
        if product is None:
            continue
        quantity = favourite.last_quantity
        unit_price = sheets[product.id].unit_price(quantity)
        amount = line_amount(quantity, unit_price)
        if amount >= missing:
            suggestions.append(
                Suggestion(product=product, unit_price=unit_price, quantity=quantity, amount=amount)
            )
        if len(suggestions) >= limit:
            break
    return SmallOrderHint(missing=missing, fee=Decimal(hint.params["fee"]), suggestions=suggestions)


@dataclass(frozen=True, slots=True)
class CartPanel:
    """What the cart page shows under the cart: the small-order hint and cross-sell."""

    hint: SmallOrderHint | None
    cross_sell: list[Suggestion]


def cart_panel(*, buyer: User, on: date, now: datetime) -> CartPanel:
    """The buyer's cart evaluated once, then the small-order hint and what goes with its lines."""
    state = buyer_cart(buyer=buyer, on=on)
    in_cart = [product.id for product in state.products.values()]
    return CartPanel(
        hint=small_order_suggestions(state=state, on=on),
        cross_sell=cross_sell_for(customer=state.customer, product_ids=in_cart, on=on, now=now),
    )
