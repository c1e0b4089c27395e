"""Order e-mails, sent after commit in the recipient's language."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation

from customers.models import User
from orders.models import Order
from orders.services.documents import order_view


def send_order_confirmation(*, order_id: int) -> int:
    """Mail the confirmation to the buyer who placed the order (proxy orders: the company's buyers)."""
    order = (
        Order.objects.select_related("customer", "placed_by")
        .prefetch_related("lines", "fees")
        .get(pk=order_id)
    )
    if order.placed_by is not None:
        recipients = [order.placed_by]
    else:
        recipients = list(User.objects.filter(customer=order.customer, is_active=True).order_by("id"))
    sent = 0
    for user in recipients:
        with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
            context = {"order": order, "view": order_view(order), "user": user}
            subject = render_to_string("orders/email/confirmation_subject.txt", context).strip()
            body = render_to_string("orders/email/confirmation.txt", context)
        sent += send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    return sent
