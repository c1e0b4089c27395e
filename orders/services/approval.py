"""Order approval (承認, contract section 5): orders above a buyer's spending limit wait for a colleague.

    checkout ──(total > buyer's limit)──▶ awaiting_approval ──approve──▶ confirmed (pushed to the ERP)
                                                │
                                                ├──reject──────────▶ cancelled (stock released at once)
                                                └──days pass───────▶ cancelled (stock released at once)

While an order waits, its stock is held and nothing is sent to the ERP: the ERP push outbox row
is written only by ``approve_order``, in the same transaction as the status change. Only an
approver or a company admin of the order's own company may decide; to everybody else the order
does not exist (NotFound, 404).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from b2bshop.audit import record_event
from b2bshop.errors import Conflict, NotFound, ValidationFailed
from catalog.stock import release_holds_now
from customers.models import Customer, User
from mail.services import enqueue_email, language_for
from orders.models import Order, OrderEvent
from orders.outbox import enqueue_order_push

logger = logging.getLogger(__name__)

MAX_REASON_LENGTH = 500

APPROVED = "approved"
REJECTED = "rejected"
EXPIRED = "approval_expired"
DECISION_EVENTS = (APPROVED, REJECTED, EXPIRED)


class NotAwaitingApproval(Conflict):
    """The order was already decided (or never needed approval)."""

    code = "not_awaiting_approval"


def needs_approval(*, placed_by: User | None, total: Decimal) -> bool:
    """True when a buyer's own order exceeds their spending limit.

    Approvers' and admins' own orders, staff proxy orders and buyers without a limit never wait.
    """
    if placed_by is None or placed_by.role != User.Role.BUYER or placed_by.spending_limit is None:
        return False
    return total > placed_by.spending_limit


def list_awaiting_approval(*, customer: Customer) -> QuerySet[Order]:
    """The company's orders waiting for a decision, oldest first (the 承認待ち list)."""
    return (
        Order.objects.filter(customer=customer, status=Order.Status.AWAITING_APPROVAL)
        .select_related("placed_by")
        .order_by("placed_at", "id")
    )


def _lock_for_decision(*, approver: User, number: str) -> Order:
    """The order, row-locked, if ``approver`` may decide it; NotFound for anybody else."""
    if not approver.can_approve or approver.customer_id is None:
        raise NotFound(gettext("Order not found."), code="order_not_found")
    order = (
        Order.objects.select_for_update(of=("self",))
        .select_related("customer", "placed_by")
        .filter(customer_id=approver.customer_id, number=number)
        .first()
    )
    if order is None:
        raise NotFound(gettext("Order not found."), code="order_not_found")
    return order


def _clean_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON_LENGTH:
        raise ValidationFailed(
            gettext("The reason may have at most %(max)s characters.") % {"max": MAX_REASON_LENGTH},
            code="invalid_reason",
        )
    return reason


def approve_order(*, approver: User, number: str, now: datetime, reason: str | None = "") -> Order:
    """Approve an order awaiting approval: it becomes ``confirmed`` and is pushed to the ERP.

    Raises NotFound (not an approver/admin of the order's company, or no such order),
    NotAwaitingApproval (already rejected or expired). Approving an order that was already
    approved changes nothing and returns it (a double tap, or two approvers at once).
    """
    reason = _clean_reason(reason)
    with transaction.atomic():
        order = _lock_for_decision(approver=approver, number=number)
        if order.status != Order.Status.AWAITING_APPROVAL:
            if order.events.filter(type=APPROVED).exists():
                return order
            raise NotAwaitingApproval(_not_awaiting_message(order), details={"status": order.status})
        order.status = Order.Status.CONFIRMED
        order.save(update_fields=["status", "updated_at"])
        event = OrderEvent.objects.create(
            order=order, type=APPROVED, occurred_at=now, actor=approver, reason=reason
        )
        record_event(obj=order, event="order_approved", details={"reason": reason}, actor=approver)
        enqueue_order_push(order=order)
        _mail_decision(order=order, event=event, now=now)
    return order


def reject_order(*, approver: User, number: str, now: datetime, reason: str | None = "") -> Order:
    """Reject an order awaiting approval: it becomes ``cancelled`` and its stock is released at once.

    Raises NotFound (as ``approve_order``), NotAwaitingApproval (approved or expired already).
    Rejecting an already rejected order changes nothing and returns it.
    """
    reason = _clean_reason(reason)
    with transaction.atomic():
        order = _lock_for_decision(approver=approver, number=number)
        if order.status != Order.Status.AWAITING_APPROVAL:
            if order.events.filter(type=REJECTED).exists():
                return order
            raise NotAwaitingApproval(_not_awaiting_message(order), details={"status": order.status})
        _cancel(order=order, event_type=REJECTED, actor=approver, reason=reason, now=now)
        record_event(obj=order, event="order_rejected", details={"reason": reason}, actor=approver)
    return order


def cancel_expired_approvals(*, now: datetime, days: int | None = None) -> int:
    """Cancel orders that waited longer than ``days`` (ORDER_APPROVAL_EXPIRY_DAYS); returns how many.

    Each order is decided in its own short transaction, skipping rows an approver holds right now.
    """
    days = settings.ORDER_APPROVAL_EXPIRY_DAYS if days is None else days
    cutoff = now - timedelta(days=days)
    candidates = list(
        Order.objects.filter(status=Order.Status.AWAITING_APPROVAL, placed_at__lte=cutoff)
        .order_by("placed_at", "id")
        .values_list("id", flat=True)
    )
    cancelled = 0
    for order_id in candidates:
        with transaction.atomic():
            order = (
                Order.objects.select_for_update(skip_locked=True)
                .filter(pk=order_id, status=Order.Status.AWAITING_APPROVAL, placed_at__lte=cutoff)
                .first()
            )
            if order is None:  # decided meanwhile, or an approver is deciding it now
                continue
            _cancel(order=order, event_type=EXPIRED, actor=None, reason="", now=now)
            cancelled += 1
    if cancelled:
        logger.info("cancelled %s orders not approved within %s days", cancelled, days)
    return cancelled


def _cancel(*, order: Order, event_type: str, actor: User | None, reason: str, now: datetime) -> None:
    order.status = Order.Status.CANCELLED
    order.save(update_fields=["status", "updated_at"])
    event = OrderEvent.objects.create(
        order=order, type=event_type, occurred_at=now, actor=actor, reason=reason
    )
    release_holds_now(order_id=order.id, now=now)
    _mail_decision(order=order, event=event, now=now)


def _not_awaiting_message(order: Order) -> str:
    return gettext("Order %(number)s is not awaiting approval (it is %(status)s).") % {
        "number": order.number,
        "status": order.get_status_display(),
    }


# ---------------------------------------------------------------- e-mails (after commit)


def _order_url(order: Order) -> str:
    return settings.SITE_URL + reverse("orders:detail", args=[order.number])


def _enqueue_message(*, kind: str, user: User, subject: str, body: str, order: Order, now: datetime) -> None:
    """One outbox e-mail (mail app), written in the caller's transaction so it is never lost."""
    enqueue_email(
        kind=kind,
        template="mail/email/message",
        context={"subject": subject, "body": body},
        to=user.email,
        language=language_for(user),
        reason=f"order {order.number} {kind}",
        ref=f"order:{order.number}",
        recipient_id=user.id,
        now=now,
    )


def request_approval(*, order: Order, now: datetime) -> int:
    """Queue the approval request to every active approver and admin; call in the order's transaction."""
    approvers = User.objects.filter(
        customer_id=order.customer_id, is_active=True, role__in=[User.Role.APPROVER, User.Role.ADMIN]
    ).order_by("id")
    buyer = order.placed_by
    sent = 0
    for user in approvers:
        with translation.override(language_for(user)):
            subject = gettext("Approval requested: order %(number)s") % {"number": order.number}
            body = "\n".join(
                [
                    order.customer.name,
                    "",
                    gettext("%(buyer)s placed order %(number)s for %(total)s, above their spending limit.")
                    % {
                        "buyer": (buyer.full_name or buyer.email) if buyer else "-",
                        "number": order.number,
                        "total": f"¥{order.total:,.0f}",
                    },
                    gettext("Please approve or reject it:"),
                    _order_url(order),
                    "",
                    gettext("Orders not decided within %(days)s days are cancelled automatically.")
                    % {"days": settings.ORDER_APPROVAL_EXPIRY_DAYS},
                ]
            )
        _enqueue_message(kind="approval_request", user=user, subject=subject, body=body, order=order, now=now)
        sent += 1
    return sent


def _mail_decision(*, order: Order, event: OrderEvent, now: datetime) -> bool:
    """Queue the decision (approved, rejected, expired) to the buyer; call in the decision's transaction."""
    buyer = order.placed_by
    if buyer is None or not buyer.is_active:
        return False
    with translation.override(language_for(buyer)):
        who = (event.actor.full_name or event.actor.email) if event.actor else ""
        if event.type == APPROVED:
            subject = gettext("Order %(number)s was approved") % {"number": order.number}
            text = gettext("%(who)s approved your order %(number)s. It has been sent for processing.")
        elif event.type == REJECTED:
            subject = gettext("Order %(number)s was rejected") % {"number": order.number}
            text = gettext("%(who)s rejected your order %(number)s. It has been cancelled.")
        else:
            subject = gettext("Order %(number)s was cancelled") % {"number": order.number}
            text = gettext("Your order %(number)s was not approved in time and has been cancelled.")
        lines = [text % {"who": who, "number": order.number}]
        if event.reason:
            lines.append(gettext("Reason: %(reason)s") % {"reason": event.reason})
        lines += ["", _order_url(order)]
    _enqueue_message(
        kind="approval_decision", user=buyer, subject=subject, body="\n".join(lines), order=order, now=now
    )
    return True
