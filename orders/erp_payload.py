"""The one serializer of an order for the ERP (contract section 4).

The outbound push body and the `/api/v1/erp/orders` resources are built here and nowhere else,
so what the ERP pulls is always exactly what it was pushed, plus the order's current state.
"""

from __future__ import annotations

import json
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from b2bshop.money import money_str
from customers.selectors import SHIP_TO_FIELDS
from orders.models import Order, OrderEvent


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    if hasattr(value, "tzinfo"):
        return timezone.localtime(value).isoformat()
    return value.isoformat()


def with_payload_relations(queryset: QuerySet[Order]) -> QuerySet[Order]:
    """Everything `order_payload`/`order_resource` read, in a constant number of queries."""
    return with_push_relations(queryset).prefetch_related(
        Prefetch("events", queryset=OrderEvent.objects.order_by("occurred_at", "id"))
    )


def with_push_relations(queryset: QuerySet[Order]) -> QuerySet[Order]:
    """What `order_payload` alone reads (no events): three queries for any number of orders."""
    return queryset.select_related("customer").prefetch_related("lines", "fees")


def order_payload(order: Order) -> dict[str, Any]:
    """Section 4 body. Money as strings, tax rates as strings ("10", "8"), dates ISO 8601 in JST."""
    ship_to = order.ship_to or {}
    return {
        "number": order.number,
        "customer": order.customer.code,
        "ordered_at": _iso(order.placed_at),
        "po_number": order.po_number,
        "ship_to": {key: str(ship_to.get(key, "") or "") for key in SHIP_TO_FIELDS},
        "requested_delivery_date": _iso(order.requested_delivery_date),
        "note": order.note,
        "lines": [
            {
                "line_no": line.line_no,
                "sku": line.sku,
                "name": line.name,
                "quantity": line.quantity,
                "unit_price": money_str(line.unit_price),
                "amount": money_str(line.amount),
                "tax_rate": str(line.tax_rate),
            }
            for line in sorted(order.lines.all(), key=lambda item: item.line_no)
        ],
        "fees": [
            {"kind": fee.kind, "amount": money_str(fee.amount), "tax_rate": str(fee.tax_rate)}
            for fee in sorted(order.fees.all(), key=lambda item: item.id)
        ],
        "subtotal": money_str(order.subtotal),
        "tax": {"10": money_str(order.tax_10), "8": money_str(order.tax_8)},
        "total": money_str(order.total),
        "currency": "JPY",
    }


def order_resource(order: Order) -> dict[str, Any]:
    """What `GET /api/v1/erp/orders[/{number}]` answers: the section 4 body plus the order's state."""
    return {
        **order_payload(order),
        "status": order.status,
        "tracking_number": order.tracking_number,
        "updated_at": _iso(order.updated_at),
        "events": [
            {
                "type": event.type,
                "occurred_at": _iso(event.occurred_at),
                "tracking_number": event.tracking_number,
            }
            for event in order.events.all()
        ],
    }


def encode_body(payload: dict[str, Any]) -> bytes:
    """Canonical bytes of a push body: UTF-8 JSON (Japanese unescaped), no insignificant spaces."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
