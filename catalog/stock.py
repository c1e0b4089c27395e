"""Stock: available = on_hand (from the ERP) − held (for orders the ERP has not absorbed yet).

Lifecycle of a hold (contract section 3):
  1. ``hold_stock`` — in the checkout transaction, rows locked in product-id order, then one
     conditional UPDATE (``on_hand - held >= q``): concurrent checkouts never oversell.
  2. ``mark_holds_releasable`` — when the ERP accepts or cancels the order, its holds become
     releasable *after* that moment (``release_after``).
  3. ``apply_stock_figures`` — when the ERP reports a stock figure for the SKU taken after
     ``release_after`` (its ``as_of``; no ``as_of`` = taken on arrival), the figure already
     reflects the order, so the hold is released in the same statement that writes ``on_hand``.
     No unit is counted twice or not at all. Figures older than the last applied one are stale.
Query counts are constant in the number of SKUs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction

from b2bshop.errors import ApplicationError
from catalog.models import Product, Stock, StockHold


class InsufficientStock(ApplicationError):
    """Some lines ask for more than is available; `details["lines"]` lists sku, requested, available."""

    code = "insufficient_stock"
    status_code = 409


@dataclass(frozen=True, slots=True)
class StockFigure:
    product_id: int
    on_hand: int
    as_of: datetime | None  # None: taken when it arrived


@dataclass(frozen=True, slots=True)
class StockUpdateResult:
    updated: int
    stale: int
    released_holds: int


def _values_update(sql_template: str, rows: Sequence[tuple]) -> int:
    """Run an UPDATE ... FROM (VALUES ...) for many rows in one statement; returns the row count."""
    if not rows:
        return 0
    width = len(rows[0])
    placeholders = ", ".join("(" + ", ".join(["%s"] * width) + ")" for _ in rows)
    params = [value for row in rows for value in row]
    with connection.cursor() as cursor:
        cursor.execute(sql_template.format(values=placeholders), params)
        return cursor.rowcount


def _open_holds_before(taken_by_product: dict[int, datetime]) -> list[tuple[int, int, int]]:
    """Open holds whose order the ERP accepted/cancelled before the figure for that SKU was taken."""
    rows = sorted(taken_by_product.items())
    placeholders = ", ".join(["(%s, %s::timestamptz)"] * len(rows))
    # Only %s placeholders are joined into the statement; values travel as parameters.
    sql = (
        "SELECT h.id, h.product_id, h.quantity FROM catalog_stockhold h "  # noqa: S608
        "JOIN (VALUES " + placeholders + ") AS v(pid, taken) ON h.product_id = v.pid "
        "WHERE h.released_at IS NULL AND h.release_after IS NOT NULL AND h.release_after < v.taken "
        "ORDER BY h.id FOR UPDATE OF h"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for row in rows for value in row])
        return list(cursor.fetchall())


def hold_stock(*, order_id: int, items: Sequence[tuple[Product, int]]) -> None:
    """Hold `quantity` of each product for an order. Call inside the order's transaction.

    Raises InsufficientStock (nothing held; the caller's transaction must roll back).
    """
    wanted: dict[int, int] = defaultdict(int)
    by_id: dict[int, Product] = {}
    for product, quantity in items:
        wanted[product.id] += quantity
        by_id[product.id] = product
    if not wanted:
        return
    assert transaction.get_connection().in_atomic_block, "hold_stock must run inside the order transaction"
    # Lock in a fixed order so two checkouts over the same SKUs cannot deadlock.
    stocks = {
        s.product_id: s
        for s in Stock.objects.select_for_update().filter(product_id__in=sorted(wanted)).order_by("product_id")
    }
    short = [
        {
            "sku": by_id[pid].sku,
            "requested": qty,
            "available": stocks[pid].available if pid in stocks else 0,
        }
        for pid, qty in sorted(wanted.items())
        if pid not in stocks or stocks[pid].on_hand - stocks[pid].held < qty
    ]
    if short:
        raise InsufficientStock("not enough stock", details={"lines": short})
    updated = _values_update(
        "UPDATE catalog_stock SET held = catalog_stock.held + v.q FROM (VALUES {values}) AS v(pid, q) "
        "WHERE catalog_stock.product_id = v.pid AND catalog_stock.on_hand - catalog_stock.held >= v.q",
        [(pid, qty) for pid, qty in sorted(wanted.items())],
    )
    if updated != len(wanted):  # the database is the last line of defence
        raise InsufficientStock("not enough stock", details={"lines": []})
    StockHold.objects.bulk_create(
        [StockHold(order_id=order_id, product_id=pid, quantity=qty) for pid, qty in sorted(wanted.items())]
    )


def mark_holds_releasable(*, order_id: int, at: datetime) -> int:
    """The ERP accepted or cancelled the order at `at`: its holds go once a later stock figure arrives."""
    return StockHold.objects.filter(order_id=order_id, released_at__isnull=True, release_after__isnull=True).update(
        release_after=at
    )


def apply_stock_figures(*, figures: Sequence[StockFigure], received_at: datetime) -> StockUpdateResult:
    """Write absolute on-hand counts from the ERP and release the holds they already reflect.

    Stale figures (as_of older than the last applied one) are ignored. Constant query count.
    """
    if not figures:
        return StockUpdateResult(0, 0, 0)
    latest: dict[int, StockFigure] = {}
    for fig in figures:  # the newest figure per SKU within one call wins
        taken = fig.as_of or received_at
        prev = latest.get(fig.product_id)
        if prev is None or (prev.as_of or received_at) <= taken:
            latest[fig.product_id] = fig
    stale = len(figures) - len(latest)
    with transaction.atomic():
        ids = sorted(latest)
        current = {
            s.product_id: s for s in Stock.objects.select_for_update().filter(product_id__in=ids).order_by("product_id")
        }
        missing = [pid for pid in ids if pid not in current]
        if missing:
            Stock.objects.bulk_create([Stock(product_id=pid) for pid in missing], ignore_conflicts=True)
            current.update(
                {s.product_id: s for s in Stock.objects.select_for_update().filter(product_id__in=missing)}
            )
        fresh: dict[int, datetime] = {}
        for pid in ids:
            taken = latest[pid].as_of or received_at
            last = current[pid].as_of
            if last is not None and taken < last:
                stale += 1
                continue
            fresh[pid] = taken
        release = defaultdict(int)
        hold_ids: list[int] = []
        if fresh:
            for hold_id, pid, quantity in _open_holds_before(fresh):
                release[pid] += quantity
                hold_ids.append(hold_id)
            if hold_ids:
                StockHold.objects.filter(id__in=hold_ids).update(released_at=received_at)
            _values_update(
                "UPDATE catalog_stock SET on_hand = v.on_hand, as_of = v.as_of, "
                "held = GREATEST(catalog_stock.held - v.released, 0), updated_at = v.now "
                "FROM (VALUES {values}) AS v(pid, on_hand, as_of, released, now) "
                "WHERE catalog_stock.product_id = v.pid",
                [(pid, latest[pid].on_hand, taken, release[pid], received_at) for pid, taken in sorted(fresh.items())],
            )
    return StockUpdateResult(updated=len(fresh), stale=stale, released_holds=len(hold_ids))
