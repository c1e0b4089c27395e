"""Order events reported by the ERP: the order state machine (contract section 3).

    confirmed ──accepted──▶ accepted ──shipped──▶ shipped ──invoiced──▶ invoiced
        │                      │  └──────────invoiced (INVOICE_BASIS=accepted)──▶ │ (shipped: recorded, stays)
        └──────cancelled───────┴──▶ cancelled

`shipped` requires `accepted` first: acceptance is the moment the ERP takes responsibility for
the order's stock (its holds become releasable), so an ERP that ships at once sends `accepted`
and then `shipped`. An event whose type the order already has is a repeat: 200, nothing changes
(for `shipped` only if the tracking number is the same or omitted). Everything else is 409.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from b2bshop.errors import Conflict, NotFound
from catalog.stock import mark_holds_releasable
from customers.models import User
from orders.models import Order, OrderEvent
from orders.services.notifications import enqueue_shipping_email

logger = logging.getLogger(__name__)

S = Order.Status
EVENT_TYPES = ("accepted", "shipped", "invoiced", "cancelled")

# event type -> (statuses it may follow, status it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "accepted": (frozenset({S.CONFIRMED}), S.ACCEPTED),
    "shipped": (frozenset({S.ACCEPTED, S.INVOICED}), S.SHIPPED),
    # From accepted too: with INVOICE_BASIS=accepted the closing run invoices orders not shipped yet.
    "invoiced": (frozenset({S.ACCEPTED, S.SHIPPED}), S.INVOICED),
    "cancelled": (frozenset({S.CONFIRMED, S.ACCEPTED}), S.CANCELLED),
}


class IllegalTransition(Conflict):
    code = "illegal_transition"


@dataclass(frozen=True, slots=True)
class EventResult:
    order: Order
    changed: bool


def next_status(*, current: str, event_type: str) -> str | None:
    """The status `event_type` leads to from `current`, or None if it is not allowed. Pure."""
    allowed_from, target = TRANSITIONS[event_type]
    if current not in allowed_from:
        return None
    if current == S.INVOICED:  # invoiced on acceptance, shipped later: the shipment is recorded, status stays
        return S.INVOICED
    return target


def record_erp_event(
    *,
    number: str,
    event_type: str,
    tracking_number: str = "",
    occurred_at: datetime | None,
    actor: User | None,
    now: datetime,
) -> EventResult:
    """Apply one ERP event to order `number`. Raises NotFound, IllegalTransition.

    Locks the order row for the decision. accepted/cancelled make the order's stock holds
    releasable from `occurred_at` (default `now`); shipped queues the buyer's e-mail (mail outbox).
    """
    if event_type not in TRANSITIONS:
        raise IllegalTransition(_("Unknown event type %(type)s.") % {"type": event_type})
    at = occurred_at or now
    tracking_number = (tracking_number or "").strip()
    with transaction.atomic():
        order = (
            Order.objects.select_for_update(of=("self",))
            .select_related("placed_by")
            .filter(number=number)
            .first()
        )
        if order is None:
            raise NotFound(_("No order with number %(number)s.") % {"number": number})
        previous = order.events.filter(type=event_type).order_by("-occurred_at", "-id").first()
        if previous is not None:
            if event_type == "shipped" and tracking_number and tracking_number != previous.tracking_number:
                raise IllegalTransition(
                    _("Order %(number)s was already shipped with tracking number %(tracking)s.")
                    % {"number": number, "tracking": previous.tracking_number or "-"},
                    details={"status": order.status},
                )
            return EventResult(order=order, changed=False)  # a repeat: nothing changes
        target = next_status(current=order.status, event_type=event_type)
        if target is None:
            raise IllegalTransition(
                _("Order %(number)s is %(status)s; the event %(type)s is not allowed now.")
                % {"number": number, "status": order.status, "type": event_type},
                details={"status": order.status, "type": event_type},
            )
        order.status = target
        update = ["status", "updated_at"]
        if event_type == "shipped" and tracking_number:
            order.tracking_number = tracking_number
            update.append("tracking_number")
        order.save(update_fields=update)
        OrderEvent.objects.create(
            order=order, type=event_type, occurred_at=at, tracking_number=tracking_number, actor=actor
        )
        if event_type in ("accepted", "cancelled"):
            # The ERP has absorbed (or dropped) the order: the next stock figure taken after
            # `at` already reflects it, so the hold goes then (catalog.stock).
            mark_holds_releasable(order_id=order.id, at=at)
        if event_type == "shipped":
            enqueue_shipping_email(order=order, now=now)  # the e-mail outbox row, in this transaction
    return EventResult(order=order, changed=True)


def timeline(*, order: Order) -> list[OrderEvent]:
    """The buyer-visible status history of an order, oldest first."""
    return list(order.events.order_by("occurred_at", "id"))
