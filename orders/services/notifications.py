"""Order e-mails (confirmation, shipping), written to the e-mail outbox in the order's transaction.

The outbox (mail.services) renders them in each recipient's language and a Celery worker sends
them, so a crash right after commit can no longer lose one.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.utils import translation

from customers.models import User
from mail.models import OutgoingEmail
from mail.services import enqueue_email, language_for
from orders.models import Order
from orders.services.documents import order_view


def enqueue_order_confirmation(*, order: Order, now: datetime, schedule: bool = True) -> list[OutgoingEmail]:
    """Queue the confirmation to the buyer who placed the order (proxy orders: the company's buyers).

    Call inside the order's transaction; the order's lines and fees should be loaded.
    ``schedule=False``: the caller publishes the sends (checkout: ``schedule_order_placed``).
    """
    if order.placed_by is not None:
        recipients = [order.placed_by] if order.placed_by.email and order.placed_by.is_active else []
    else:
        recipients = list(User.objects.filter(customer=order.customer, is_active=True).order_by("id"))
    emails = []
    for user in recipients:
        language = language_for(user)
        with translation.override(language):
            view = order_view(order)
        emails.append(
            enqueue_email(
                kind="order_confirmation",
                template="orders/email/confirmation",
                context={"order": order, "view": view, "user": user, "site_url": settings.SITE_URL},
                to=user.email,
                language=language,
                reason=f"order {order.number} placed",
                ref=f"order:{order.number}",
                recipient_id=user.id,
                now=now,
                schedule=schedule,
            )
        )
    return emails


def enqueue_shipping_email(*, order: Order, now: datetime) -> OutgoingEmail | None:
    """Queue the shipping notice to the buyer who placed the order; call in the event's transaction."""
    buyer = order.placed_by
    if buyer is None or not buyer.email or not buyer.is_active:
        return None
    return enqueue_email(
        kind="order_shipped",
        template="orders/email/shipped",
        context={"order": order, "user": buyer, "site_url": settings.SITE_URL},
        to=buyer.email,
        language=language_for(buyer),
        reason=f"order {order.number} shipped",
        ref=f"order:{order.number}",
        recipient_id=buyer.id,
        now=now,
    )
