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
An order the ERP never received (an approval rejected or expired) gives its units back at once
(``release_holds_now``): no ERP figure will ever reflect it.
On PostgreSQL each step is a constant number of statements whatever the number of SKUs (the
stock update is one statement); the embedded SQLite demo (`make run`) takes a portable path.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import Case, F, IntegerField, Value, When
from django.db.models.functions import Greatest
from django.utils.translation import gettext

from b2bshop.errors import ApplicationError
from b2bshop.hot_sql import fetch_joined, in_list, insert_rows
from catalog.models import Product, Stock, StockHold


class InsufficientStock(ApplicationError):
    """Some lines ask for more than is available; `details["lines"]` lists sku, requested, available."""

    code = "insufficient_stock"
    status_code = 409
    top_level = ("lines",)

    def __init__(self, lines: list[dict[str, Any]]):
        super().__init__(
            gettext("Some products are not in stock in the quantity ordered."), details={"lines": lines}
        )


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


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def _values(rows: Sequence[tuple], casts: Sequence[str]) -> tuple[str, list]:
    """A VALUES list of %s placeholders (with type casts) and its flat parameter list."""
    row = "(" + ", ".join(f"%s{cast}" for cast in casts) + ")"
    return ", ".join([row] * len(rows)), [value for r in rows for value in r]


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
        for s in fetch_joined(
            Stock,
            (),
            *in_list('r."product_id"', sorted(wanted)),
            tail='ORDER BY r."product_id"' + (" FOR UPDATE" if _postgres() else ""),
        )
    }
    short = [
        {"sku": by_id[pid].sku, "requested": qty, "available": stocks[pid].available if pid in stocks else 0}
        for pid, qty in sorted(wanted.items())
        if pid not in stocks or stocks[pid].on_hand - stocks[pid].held < qty
    ]
    if short:
        raise InsufficientStock(short)
    rows = sorted(wanted.items())
    if _postgres():
        values, params = _values(rows, ("::bigint", "::integer"))
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE catalog_stock SET held = catalog_stock.held + v.q "  # noqa: S608 - placeholders only
                f"FROM (VALUES {values}) AS v(pid, q) "
                "WHERE catalog_stock.product_id = v.pid AND catalog_stock.on_hand - catalog_stock.held >= v.q",
                params,
            )
            updated = cursor.rowcount
    else:
        updated = sum(
            Stock.objects.filter(product_id=pid, on_hand__gte=F("held") + qty).update(held=F("held") + qty)
            for pid, qty in rows
        )
    if updated != len(rows):  # the database is the last line of defence
        raise InsufficientStock([])
    insert_rows([StockHold(order_id=order_id, product_id=pid, quantity=qty) for pid, qty in rows])


def release_holds_now(*, order_id: int, now: datetime) -> int:
    """Give an order's held units back at once; returns how many units were released.

    Only for orders the ERP never received (rejected or expired approvals): no ERP stock figure
    will ever reflect them, so waiting for one (``mark_holds_releasable``) would hold them for
    good. Call inside the caller's transaction; stock rows are locked in product-id order like
    ``hold_stock``, so it cannot deadlock with a checkout.
    """
    holds = list(
        StockHold.objects.filter(order_id=order_id, released_at__isnull=True).values_list(
            "product_id", "quantity"
        )
    )
    if not holds:
        return 0
    freed: dict[int, int] = defaultdict(int)
    for product_id, quantity in holds:
        freed[product_id] += quantity
    list(Stock.objects.select_for_update().filter(product_id__in=sorted(freed)).order_by("product_id"))
    StockHold.objects.filter(order_id=order_id, released_at__isnull=True).update(released_at=now)
    released = Case(
        *(When(product_id=pid, then=Value(qty)) for pid, qty in freed.items()),
        default=Value(0),
        output_field=IntegerField(),
    )
    Stock.objects.filter(product_id__in=sorted(freed)).update(held=Greatest(F("held") - released, 0))
    return sum(freed.values())


def mark_holds_releasable(*, order_id: int, at: datetime) -> int:
    """The ERP accepted or cancelled the order at `at`: its holds go once a later stock figure arrives."""
    return StockHold.objects.filter(
        order_id=order_id, released_at__isnull=True, release_after__isnull=True
    ).update(release_after=at)


# One statement: release the holds each fresh figure already reflects, then upsert on_hand/as_of and
# subtract the released units from `held`. A figure is fresh unless the stored as_of is newer.
_APPLY_SQL = """
WITH v(pid, on_hand, taken) AS (VALUES {values}),
fresh AS (
    SELECT v.pid, v.taken FROM v LEFT JOIN catalog_stock s ON s.product_id = v.pid
    WHERE s.as_of IS NULL OR s.as_of <= v.taken
),
released AS (
    UPDATE catalog_stockhold h SET released_at = %s
    FROM fresh
    WHERE h.product_id = fresh.pid AND h.released_at IS NULL
      AND h.release_after IS NOT NULL AND h.release_after < fresh.taken
    RETURNING h.product_id, h.quantity
),
released_sum AS (SELECT product_id, SUM(quantity) AS quantity FROM released GROUP BY product_id)
INSERT INTO catalog_stock AS s (product_id, on_hand, held, as_of, updated_at)
SELECT v.pid, v.on_hand, 0, v.taken, %s FROM v
ON CONFLICT (product_id) DO UPDATE SET
    on_hand = EXCLUDED.on_hand,
    as_of = EXCLUDED.as_of,
    updated_at = EXCLUDED.updated_at,
    held = GREATEST(s.held - COALESCE((SELECT r.quantity FROM released_sum r WHERE r.product_id = s.product_id), 0), 0)
WHERE s.as_of IS NULL OR s.as_of <= EXCLUDED.as_of
RETURNING s.product_id, (SELECT COUNT(*) FROM released)
"""


_STOCK_LANE_SQL = "SELECT pg_advisory_xact_lock(hashtext('catalog.apply_stock_figures'))"


_lane = threading.local()


@contextmanager
def stock_batch_lane() -> Iterator[None]:
    """One ERP stock batch at a time, from reading its body to its commit (PostgreSQL; the SQLite demo
    has one writer anyway). ``apply_stock_figures`` needs this for its own statement; taking it
    around the whole request too keeps an ERP that sends batches in parallel to one core's worth of
    parsing, validating and writing, so buyers' pages keep the other (bench: catalog p95 under ERP
    stock load). Opens a transaction; the lock is released at its commit or rollback. Inside an
    open lane (same thread) it adds nothing.
    """
    if not _postgres() or getattr(_lane, "held", False):
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(_STOCK_LANE_SQL)
        _lane.held = True
        try:
            yield
        finally:
            _lane.held = False


def apply_stock_figures(*, figures: Sequence[StockFigure], received_at: datetime) -> StockUpdateResult:
    """Write absolute on-hand counts from the ERP and release the holds they already reflect.

    Stale figures (as_of older than the last applied one) are ignored and counted.

    On PostgreSQL one batch applies at a time (``stock_batch_lane``'s lock, taken here too). The statement
    decides which holds a figure releases and what ``held`` becomes from one snapshot; two batches
    for the same SKUs running side by side could release a hold in one and skip the ``held``
    decrement in the other, or wait on each other's hold and stock rows (a deadlock). Serialised,
    each batch sees the last one's result.
    """
    if not figures:
        return StockUpdateResult(0, 0, 0)
    latest: dict[int, tuple[int, datetime]] = {}
    for fig in figures:  # the newest figure per SKU within one call wins
        taken = fig.as_of or received_at
        if fig.product_id not in latest or latest[fig.product_id][1] <= taken:
            latest[fig.product_id] = (fig.on_hand, taken)
    duplicates = len(figures) - len(latest)
    rows = [(pid, on_hand, taken) for pid, (on_hand, taken) in sorted(latest.items())]
    if _postgres():
        values, params = _values(rows, ("::bigint", "::integer", "::timestamptz"))
        with stock_batch_lane(), connection.cursor() as cursor:
            cursor.execute(_APPLY_SQL.format(values=values), [*params, received_at, received_at])
            applied = cursor.fetchall()
        released = applied[0][1] if applied else 0
        return StockUpdateResult(
            updated=len(applied), stale=duplicates + len(rows) - len(applied), released_holds=released
        )
    return _apply_portably(rows=rows, duplicates=duplicates, received_at=received_at)


def _apply_portably(
    *, rows: list[tuple[int, int, datetime]], duplicates: int, received_at: datetime
) -> StockUpdateResult:
    """The same rules, row by row, for the single-process SQLite demo database."""
    updated = released = 0
    with transaction.atomic():
        for pid, on_hand, taken in rows:
            stock, _ = Stock.objects.select_for_update().get_or_create(product_id=pid)
            if stock.as_of is not None and taken < stock.as_of:
                continue
            holds = StockHold.objects.filter(
                product_id=pid, released_at__isnull=True, release_after__isnull=False, release_after__lt=taken
            )
            freed = sum(h.quantity for h in holds)
            released += holds.update(released_at=received_at)
            stock.on_hand, stock.as_of, stock.held = on_hand, taken, max(stock.held - freed, 0)
            stock.save()
            updated += 1
    return StockUpdateResult(updated=updated, stale=duplicates + len(rows) - updated, released_holds=released)
