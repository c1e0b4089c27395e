"""What-if replay (contract section 9): past orders re-evaluated under a draft rules file.

The orders' own lines are re-evaluated by ``pricing_rules.engine.evaluate``, the function
checkout calls, with inputs built by the same builders the cart uses
(``catalog.limits.engine_product`` / ``engine_buyer``) and the unit prices the orders
paid (order line snapshots). Orders stream from one server-side cursor in batches; memory holds
one batch plus caches bounded by the catalog, the customer master and ``LINE_CACHE_SIZE``, never
the whole period.

What is taken from today rather than from the day of the order: the product's own MOQ, multiple,
maximum and category (the order does not snapshot them) and the customer's price group. A
product that is inactive today still counts as orderable (the order did happen); stock and
credit are not replayed. Rules are evaluated on the order's date, so a draft with validity dates
applies only to orders inside them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from io import TextIOBase
from typing import Any, TextIO

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext

from b2bshop.csv_safe import safe_writer
from b2bshop.errors import ApplicationError
from catalog.limits import category_chains, engine_buyer, engine_product
from catalog.models import Product
from customers.models import Customer
from insights.selectors import Costs, Period, configured_costs, line_margin_sql
from orders.models import Order, OrderLine
from pricing_rules import engine

REPORT_COLUMNS = ("number", "customer", "blocked", "violations", "fees_before", "fees_after")


@dataclass(frozen=True, slots=True)
class ReplayedOrder:
    number: str
    customer_code: str
    customer_name: str
    channel: str
    subtotal: Decimal
    margin: Decimal
    blocked: bool
    violations: tuple[str, ...]
    fees_before: Decimal
    fees_after: Decimal

    def report_row(self) -> list[Any]:
        return [
            self.number,
            self.customer_code,
            "true" if self.blocked else "false",
            " ".join(self.violations),
            str(self.fees_before),
            str(self.fees_after),
        ]


@dataclass(slots=True)
class _Order:
    id: int
    number: str
    customer_id: int
    channel: str
    subtotal: Decimal
    fees_total: Decimal
    on: date
    prefecture: str
    margin: Decimal
    # Per line, all in the same order: product id (None once the product was deleted), quantity,
    # unit price paid, and the line's own snapshot (SKU, name, unit, tax rate) for deleted products only.
    product_ids: list[int | None]
    quantities: list[int]
    unit_prices: list[Decimal]
    skus: list[str | None]
    names: list[str | None]
    units: list[str | None]
    tax_rates: list[int | None]


class ProductDeletedDuringReplay(ApplicationError):
    code = "product_deleted_during_replay"


# Distinct (product, quantity, price paid) lines kept as engine lines; a full cache is emptied.
LINE_CACHE_SIZE = 200_000


class _Catalog:
    """Engine products, buyers and lines met so far; bounded by the catalog, the customer master and LINE_CACHE_SIZE."""

    def __init__(self, *, rules: Sequence[engine.Rule]):
        self.needs_categories = any(rule.scope.categories for rule in rules)
        self.products: dict[int, engine.Product] = {}
        self.customers: dict[int, Customer] = {}
        self.buyers: dict[tuple[int, str], engine.Buyer] = {}  # frozen, so shared by a customer's orders
        # engine.Line is frozen too: a reorder of the same item, quantity and price reuses its line.
        self.line_cache: dict[tuple[int, int, Decimal], engine.Line] = {}

    def load(self, orders: Sequence[_Order]) -> None:
        """Read the products and customers of a batch not seen before: at most three statements."""
        known = self.products
        product_ids = {pid for o in orders for pid in o.product_ids if pid is not None and pid not in known}
        if product_ids:
            products = list(
                Product.objects.filter(pk__in=product_ids).only(
                    "sku", "name", "unit", "category_id", "case_quantity", "moq", "order_multiple",
                    "max_quantity", "tax_rate", "active",
                )
            )  # fmt: skip
            chains = category_chains(products) if self.needs_categories else {}
            for p in products:
                # The order happened: a product withdrawn since is not a reason to block it now.
                p.active = True
                known[p.pk] = engine_product(p, chains=chains, available=None)
            if len(products) < len(product_ids):
                raise ProductDeletedDuringReplay(
                    gettext("A product was deleted while the replay ran; run it again.")
                )
        customer_ids = {o.customer_id for o in orders} - self.customers.keys()
        if customer_ids:
            for c in Customer.objects.filter(pk__in=customer_ids).select_related("price_group"):
                self.customers[c.pk] = c

    def lines(self, order: _Order) -> list[engine.Line]:
        """The order's engine lines at the unit prices it paid."""
        cache = self.line_cache
        lines = []
        for i, (pid, quantity, price) in enumerate(
            zip(order.product_ids, order.quantities, order.unit_prices, strict=True)
        ):
            if pid is None:  # the product was deleted before the replay: only the line's snapshot is left
                product = engine.Product(
                    sku=order.skus[i] or "", name=order.names[i] or "", unit=order.units[i] or "",
                    tax_rate=order.tax_rates[i] or 10,
                )  # fmt: skip
                lines.append(engine.Line(product=product, quantity=quantity, unit_price=price))
                continue
            key = (pid, quantity, price)
            line = cache.get(key)
            if line is None:
                if len(cache) >= LINE_CACHE_SIZE:
                    cache.clear()
                line = cache[key] = engine.Line(
                    product=self.products[pid], quantity=quantity, unit_price=price
                )
            lines.append(line)
        return lines

    def buyer(self, order: _Order) -> tuple[Customer, engine.Buyer]:
        customer = self.customers[order.customer_id]
        key = (order.customer_id, order.prefecture)
        buyer = self.buyers.get(key)
        if buyer is None:
            buyer = engine_buyer(
                customer, ship_to_prefecture=order.prefecture, credit_available=None, ec_enabled=True
            )
            self.buyers[key] = buyer
        return customer, buyer


def _orders_sql() -> str:
    o, line, product = Order._meta.db_table, OrderLine._meta.db_table, Product._meta.db_table
    # One row per order with its lines as arrays: a tenth of the rows a line-per-row stream would
    # send, the order date and ship-to prefecture already converted, and the gross margin summed
    # by the same expression the economics page uses, so no line amount or cost reaches Python.
    # The arrays carry no ORDER BY: PostgreSQL 15 would sort every order's lines once per array,
    # and they are aligned anyway (one aggregation pass feeds them row by row); line order does not
    # change an evaluation. The line's snapshot is sent only for products deleted since.
    snapshot = ", ".join(
        f"array_agg(CASE WHEN l.product_id IS NULL THEN l.{column} END)"
        for column in ("sku", "name", "unit", "tax_rate")
    )
    return f"""
        SELECT o.id, o.number, o.customer_id, o.channel, o.subtotal, o.fees_total,
               (o.placed_at AT TIME ZONE %(tz)s)::date, COALESCE(o.ship_to ->> 'prefecture', ''),
               COALESCE(SUM({line_margin_sql()}), 0),
               array_agg(l.product_id), array_agg(l.quantity), array_agg(l.unit_price), {snapshot}
        FROM {o} o JOIN {line} l ON l.order_id = o.id LEFT JOIN {product} p ON p.id = l.product_id
        WHERE o.status <> %(cancelled)s AND o.placed_at >= %(start)s AND o.placed_at < %(end)s
        GROUP BY o.id ORDER BY o.id"""  # noqa: S608 - table names from the models, values as parameters


def _order_batches(*, period: Period, batch_size: int, margin_rate: Decimal) -> Iterator[list[_Order]]:
    """Orders of the period with their lines, ``batch_size`` orders at a time, from one server-side cursor."""
    params: dict[str, Any] = {
        "tz": timezone.get_current_timezone_name(),
        "cancelled": Order.Status.CANCELLED,
        "start": period.start_at,
        "end": period.end_at,
        "rate": margin_rate,
    }
    with connection.chunked_cursor() as cursor:
        cursor.execute(_orders_sql(), params)
        while rows := cursor.fetchmany(batch_size):
            yield [_Order(*row) for row in rows]


def replay_orders(
    *, rules: Sequence[engine.Rule], period: Period, batch_size: int = 1000, costs: Costs | None = None
) -> Iterator[ReplayedOrder]:
    """Every order of ``period`` (not cancelled) evaluated under ``rules``, in order-id order."""
    costs = costs or configured_costs()
    rules = tuple(rules)
    catalog = _Catalog(rules=rules)
    evaluate = engine.evaluate
    for batch in _order_batches(period=period, batch_size=batch_size, margin_rate=costs.default_margin_rate):
        catalog.load(batch)
        for order in batch:
            customer, buyer = catalog.buyer(order)
            evaluation = evaluate(lines=catalog.lines(order), buyer=buyer, rules=rules, on=order.on)
            yield ReplayedOrder(
                number=order.number,
                customer_code=customer.code,
                customer_name=customer.name,
                channel=order.channel,
                subtotal=order.subtotal,
                margin=order.margin,
                blocked=bool(evaluation.violations),
                violations=tuple(sorted(set(evaluation.violation_codes))),
                fees_before=order.fees_total,
                fees_after=evaluation.fees_total,
            )


# ----------------------------------------------------------------------------- summary


@dataclass
class _BandTotals:
    orders: int = 0
    blocked: int = 0
    profit_before: Decimal = Decimal(0)
    profit_after: Decimal = Decimal(0)


@dataclass
class _CustomerImpact:
    name: str
    orders: int = 0
    blocked: int = 0
    blocked_revenue: Decimal = Decimal(0)
    fees_before: Decimal = Decimal(0)
    fees_after: Decimal = Decimal(0)


@dataclass
class ReplaySummary:
    """Running totals of a replay; ``as_dict`` is what a ``ReplayRun`` stores (JSON, money as strings)."""

    costs: Costs
    orders: int = 0
    blocked: int = 0
    blocked_revenue: Decimal = Decimal(0)
    fees_before: Decimal = Decimal(0)
    fees_after: Decimal = Decimal(0)
    handling_saved: Decimal = Decimal(0)
    violations: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    customers: dict[str, _CustomerImpact] = field(default_factory=dict)
    bands: list[_BandTotals] = field(default_factory=list)
    blocked_examples: list[ReplayedOrder] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.bands = [_BandTotals() for _ in range(len(self.costs.bands) + 1)]

    def _band(self, subtotal: Decimal) -> _BandTotals:
        index = sum(1 for bound in self.costs.bands if subtotal >= bound)
        return self.bands[index]

    def add(self, order: ReplayedOrder) -> None:
        handling = self.costs.handling.get(order.channel, self.costs.proxy_cost)
        before = order.margin + order.fees_before - handling
        band = self._band(order.subtotal)
        band.orders += 1
        band.profit_before += before
        impact = self.customers.setdefault(order.customer_code, _CustomerImpact(name=order.customer_name))
        impact.orders += 1
        impact.fees_before += order.fees_before
        self.orders += 1
        self.fees_before += order.fees_before
        if order.blocked:
            self.blocked += 1
            self.blocked_revenue += order.subtotal
            self.handling_saved += handling
            band.blocked += 1
            impact.blocked += 1
            impact.blocked_revenue += order.subtotal
            for code in order.violations:
                self.violations[code] += 1
            if len(self.blocked_examples) < 200:
                self.blocked_examples.append(order)
        else:
            self.fees_after += order.fees_after
            impact.fees_after += order.fees_after
            band.profit_after += order.margin + order.fees_after - handling

    def most_affected(self, limit: int = 20) -> list[tuple[str, _CustomerImpact]]:
        """Customers whose orders the draft blocks or charges most (blocked revenue + extra fees)."""
        affected = [
            (code, c) for code, c in self.customers.items() if c.blocked or c.fees_after != c.fees_before
        ]
        affected.sort(
            key=lambda item: (
                -(item[1].blocked_revenue + abs(item[1].fees_after - item[1].fees_before)),
                item[0],
            )
        )
        return affected[:limit]

    def as_dict(self) -> dict[str, Any]:
        lowers = [Decimal(0), *self.costs.bands]
        uppers: list[Decimal | None] = [*self.costs.bands, None]
        return {
            "orders": self.orders,
            "blocked": self.blocked,
            "blocked_revenue": str(self.blocked_revenue),
            "fees_before": str(self.fees_before),
            "fees_after": str(self.fees_after),
            "handling_saved": str(self.handling_saved),
            "violations": dict(sorted(self.violations.items())),
            "customers": [
                {
                    "code": code,
                    "name": c.name,
                    "orders": c.orders,
                    "blocked": c.blocked,
                    "blocked_revenue": str(c.blocked_revenue),
                    "fees_before": str(c.fees_before),
                    "fees_after": str(c.fees_after),
                }
                for code, c in self.most_affected()
            ],
            "bands": [
                {
                    "lower": str(lower),
                    "upper": str(upper) if upper is not None else None,
                    "orders": b.orders,
                    "blocked": b.blocked,
                    "profit_before": str(b.profit_before.quantize(Decimal(1))),
                    "profit_after": str(b.profit_after.quantize(Decimal(1))),
                }
                for lower, upper, b in zip(lowers, uppers, self.bands, strict=True)
            ],
            "blocked_examples": [
                {
                    "number": o.number,
                    "customer": o.customer_code,
                    "name": o.customer_name,
                    "subtotal": str(o.subtotal),
                    "violations": list(o.violations),
                }
                for o in self.blocked_examples
            ],
        }


def run_replay(
    *,
    rules: Sequence[engine.Rule],
    period: Period,
    report: TextIO | TextIOBase | None = None,
    batch_size: int = 1000,
    costs: Costs | None = None,
) -> ReplaySummary:
    """Replay ``period`` under ``rules``; write the contract report (one row per order) to ``report``."""
    costs = costs or configured_costs()
    summary = ReplaySummary(costs=costs)
    writer = safe_writer(report) if report is not None else None
    if writer is not None:
        writer.writerow(REPORT_COLUMNS)
    for order in replay_orders(rules=rules, period=period, batch_size=batch_size, costs=costs):
        summary.add(order)
        if writer is not None:
            writer.writerow(order.report_row())
    return summary
