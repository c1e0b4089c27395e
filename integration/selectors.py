"""Reads for the ERP integration: the reconciliation report between the shop and the ERP.

So nobody learns of a lost order from a customer, the report lists (1) orders confirmed but not accepted by the ERP after ERP_ACCEPT_WITHIN_HOURS, with their
push state, (2) failed pushes, (3) stale stock: SKUs with stock activity (units held for orders, or
ordered since their figure was taken) whose ERP figure is older than STOCK_MAX_AGE_HOURS or was
never sent. A SKU nobody ordered keeps its old figure without harm, so it is not listed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import DateTimeField, Exists, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from catalog.models import Stock
from orders.models import Order, OrderLine, OrderPush

ROW_LIMIT = 200


@dataclass
class ReconciliationReport:
    now: datetime
    accept_within_hours: float
    stock_max_age_hours: float
    unaccepted_count: int = 0
    failed_count: int = 0
    stale_stock_count: int = 0
    unaccepted: list[dict[str, Any]] = field(default_factory=list)
    failed: list[dict[str, Any]] = field(default_factory=list)
    stale_stock: list[dict[str, Any]] = field(default_factory=list)

    @property
    def is_clean(self) -> bool:
        return not (self.unaccepted_count or self.failed_count or self.stale_stock_count)

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["now"] = self.now.isoformat()
        return data


def _iso(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def stale_stock(*, now: datetime) -> QuerySet[Stock]:
    """Active SKUs with stock activity whose ERP figure is older than STOCK_MAX_AGE_HOURS (or missing).

    Activity: units held for orders, or an order placed after the figure was taken (after the
    cut-off when there is no figure). What the ERP should send again (``PUT .../stock``).
    """
    stock_cutoff = now - timedelta(hours=settings.STOCK_MAX_AGE_HOURS)
    ordered_since_figure = Exists(
        OrderLine.objects.filter(
            product_id=OuterRef("product_id"),
            order__placed_at__gt=Coalesce(
                OuterRef("as_of"), Value(stock_cutoff, output_field=DateTimeField())
            ),
        )
    )
    return (
        Stock.objects.filter(product__active=True)
        .filter(Q(as_of__lt=stock_cutoff) | Q(as_of__isnull=True))
        .filter(Q(held__gt=0) | ordered_since_figure)
    )


def build_report(*, now: datetime) -> ReconciliationReport:
    """What needs a person's attention now. Read-only; a constant number of queries."""
    report = ReconciliationReport(
        now=now,
        accept_within_hours=settings.ERP_ACCEPT_WITHIN_HOURS,
        stock_max_age_hours=settings.STOCK_MAX_AGE_HOURS,
    )
    accept_cutoff = now - timedelta(hours=settings.ERP_ACCEPT_WITHIN_HOURS)
    unaccepted = Order.objects.filter(status=Order.Status.CONFIRMED, placed_at__lte=accept_cutoff)
    report.unaccepted_count = unaccepted.count()
    report.unaccepted = [
        {
            "number": number,
            "customer": code,
            "placed_at": _iso(placed_at),
            "push_status": push_status or "missing",
            "attempts": attempts or 0,
            "last_error": (last_error or "")[:300],
        }
        for number, code, placed_at, push_status, attempts, last_error in unaccepted.order_by(
            "placed_at", "id"
        ).values_list(
            "number", "customer__code", "placed_at", "push__status", "push__attempts", "push__last_error"
        )[:ROW_LIMIT]
    ]
    failed = OrderPush.objects.filter(status=OrderPush.Status.FAILED)
    report.failed_count = failed.count()
    report.failed = [
        {
            "id": pk,
            "number": number,
            "attempts": attempts,
            "last_status_code": code,
            "last_error": (error or "")[:300],
            "updated_at": _iso(updated_at),
        }
        for pk, number, attempts, code, error, updated_at in failed.order_by("updated_at", "id").values_list(
            "id", "order__number", "attempts", "last_status_code", "last_error", "updated_at"
        )[:ROW_LIMIT]
    ]
    stale = stale_stock(now=now)
    report.stale_stock_count = stale.count()
    report.stale_stock = [
        {"sku": sku, "as_of": _iso(as_of), "on_hand": on_hand, "held": held}
        for sku, as_of, on_hand, held in stale.order_by("as_of", "product_id").values_list(
            "product__sku", "as_of", "on_hand", "held"
        )[:ROW_LIMIT]
    ]
    return report


def stale_stock_rows(*, now: datetime) -> Iterator[tuple[str, str, int, int]]:
    """Every stale SKU (sku, figure time, on hand, held) for the ERP team's stock resend list."""
    rows = (
        stale_stock(now=now)
        .order_by("product__sku")
        .values_list("product__sku", "as_of", "on_hand", "held")
        .iterator(chunk_size=2000)
    )
    for sku, as_of, on_hand, held in rows:
        yield sku, _iso(as_of) or "", on_hand, held
