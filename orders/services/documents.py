"""JSON and display shapes of carts and orders (contract sections 4 and 5).

Messages are rendered here, at request time, in the active language.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone

from b2bshop.money import money_str
from orders.erp_payload import order_payload
from orders.models import Order, OrderEvent
from orders.services.approval import DECISION_EVENTS
from orders.services.calendar import earliest_delivery_date
from pricing_rules import engine
from pricing_rules.messages import fee_kind_label, fee_message, hint_message, violation_message


def _num(value: Any) -> Any:
    if value is None or isinstance(value, int):
        return value
    return money_str(value)


def violation_document(violation: engine.Violation) -> dict[str, Any]:
    doc: dict[str, Any] = {"code": violation.code}
    if violation.sku is not None:
        doc["sku"] = violation.sku
    doc["message"] = violation_message(violation)
    if violation.required is not None:
        doc["required"] = _num(violation.required)
    suggested = violation.params.get("suggested")
    if suggested is not None:
        doc["suggested"] = suggested
    return doc


def cart_document(evaluation: engine.Evaluation) -> dict[str, Any]:
    """The cart shape of contract section 5 (plus stepper limits per line)."""
    return {
        "lines": [
            {
                "sku": line.sku,
                "name": line.name,
                "unit": line.unit,
                "quantity": line.quantity,
                "unit_price": money_str(line.unit_price),
                "amount": money_str(line.amount),
                "tax_rate": str(line.tax_rate),
                "min_quantity": line.min_quantity,
                "multiple": line.multiple,
                "max_quantity": line.max_quantity,
            }
            for line in evaluation.lines
        ],
        "violations": [violation_document(v) for v in evaluation.violations],
        "fees": [
            {
                "kind": fee.kind,
                "amount": money_str(fee.amount),
                "tax_rate": str(fee.tax_rate),
                "message": fee_message(fee),
            }
            for fee in evaluation.fees
        ],
        "subtotal": money_str(evaluation.subtotal),
        "tax": {str(rate): money_str(evaluation.tax.get(rate, Decimal(0))) for rate in engine.TAX_RATES},
        "total": money_str(evaluation.total),
        "can_checkout": evaluation.can_checkout,
        "hints": [{"code": hint.code, "message": hint_message(hint)} for hint in evaluation.hints],
    }


def order_document(order: Order) -> dict[str, Any]:
    """An order for its buyer: the contract section 4 body (orders.erp_payload), plus status, channel, timeline.

    Expects ``customer`` loaded and ``lines``, ``fees``, ``events`` prefetched.
    """
    return {
        **order_payload(order),
        "status": order.status,
        "tracking_number": order.tracking_number,
        "channel": order.channel,
        "timeline": [timeline_entry(event) for event in order.events.all()],
    }


def timeline_entry(event: OrderEvent) -> dict[str, Any]:
    """One timeline row; approval decisions also say who decided and why (a colleague of the buyer)."""
    entry: dict[str, Any] = {
        "type": event.type,
        "occurred_at": timezone.localtime(event.occurred_at).isoformat(),
        "tracking_number": event.tracking_number,
    }
    if event.type in DECISION_EVENTS:
        actor = event.actor
        entry["actor"] = (actor.full_name or actor.email) if actor is not None else None
        entry["reason"] = event.reason
    return entry


def order_summary(order: Order) -> dict[str, Any]:
    """A list row: no lines, so the history list is one query per page."""
    return {
        "number": order.number,
        "ordered_at": timezone.localtime(order.placed_at).isoformat(),
        "po_number": order.po_number,
        "status": order.status,
        "channel": order.channel,
        "subtotal": money_str(order.subtotal),
        "total": money_str(order.total),
        "currency": "JPY",
    }


def approval_summary(order: Order) -> dict[str, Any]:
    """A 承認待ち row: the list row plus who placed it (``placed_by`` must be loaded)."""
    placed_by = order.placed_by
    return {
        **order_summary(order),
        "placed_by": (placed_by.full_name or placed_by.email) if placed_by else "",
        "placed_by_email": placed_by.email if placed_by else "",
    }


def order_view(order: Order) -> dict[str, Any]:
    """What the confirmation page and e-mail show: lines, fee labels, tax per rate, the delivery day.

    An order left on "as soon as possible" shows the actual day: the earliest delivery date
    counted from the day it was placed (the ERP still receives no date, per the contract).
    """
    requested = order.requested_delivery_date
    return {
        "delivery_date": requested or earliest_delivery_date(today=timezone.localdate(order.placed_at)),
        "as_soon_as_possible": requested is None,
        "lines": sorted(order.lines.all(), key=lambda line: line.line_no),
        "fees": [{"label": fee_kind_label(fee.kind), "fee": fee} for fee in order.fees.all()],
        "tax": [(10, order.tax_10), (8, order.tax_8)],
    }
