"""Web-channel rollout (スモールスタート): staff switch web ordering on for chosen customers and invite their buyers.

The choice is the shop's (the ERP's `ec_enabled` only changes it when the ERP sends one). Buyers of
customers switched on get one invitation e-mail each, through the e-mail outbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse

from customers import services as customer_services
from customers.models import Customer, User
from mail.models import OutgoingEmail
from mail.services import enqueue_email, language_for
from orders.models import Order

INVITATION = "web_invitation"
ONLINE = ("web", "api")


@dataclass(frozen=True, slots=True)
class RolloutResult:
    enabled: int
    invited: int


def enable_web_ordering(*, customer_ids: list[int], now: datetime) -> RolloutResult:
    """Switch web ordering on and queue one invitation per active buyer not invited before."""
    with transaction.atomic():
        changed = customer_services.set_web_ordering(customer_ids=customer_ids, enabled=True)
        invited = 0
        buyers = User.objects.filter(customer_id__in=customer_ids, is_active=True).exclude(email="")
        for user in buyers.select_related("customer").order_by("pk"):
            assert user.customer is not None  # filtered on customer_id above
            email = enqueue_email(
                kind=INVITATION,
                template="engagement/email/invitation",
                context={
                    "user": user,
                    "customer": user.customer,
                    "login_url": settings.SITE_URL + reverse("login"),
                },
                to=user.email,
                language=language_for(user),
                reason=f"web ordering enabled for {user.customer.code}",
                ref=f"customer:{user.customer.code}",
                recipient_id=user.id,
                dedupe_key=f"{INVITATION}:{user.id}",
                now=now,
            )
            invited += int(email.created_at == now)  # a row from an earlier rollout keeps its own time
    return RolloutResult(enabled=len(changed), invited=invited)


def disable_web_ordering(*, customer_ids: list[int]) -> int:
    """Take customers out of the pilot: their buyers see prices and whom to call; staff still key in orders."""
    return len(customer_services.set_web_ordering(customer_ids=customer_ids, enabled=False))


def with_pilot_figures(queryset: QuerySet[Customer]) -> QuerySet[Customer]:
    """Annotate buyers, invited, activated (signed in since), orders and online orders per customer."""
    invited = OutgoingEmail.objects.filter(kind=INVITATION, recipient__customer_id=OuterRef("pk")).order_by()
    invited_count = (
        invited.values("recipient__customer_id").annotate(n=Count("recipient_id", distinct=True)).values("n")
    )
    activated = User.objects.filter(customer_id=OuterRef("pk"), last_login__isnull=False).filter(
        Exists(OutgoingEmail.objects.filter(kind=INVITATION, recipient_id=OuterRef("pk")))
    )
    activated_count = activated.order_by().values("customer_id").annotate(n=Count("pk")).values("n")
    orders = Order.objects.filter(customer_id=OuterRef("pk")).exclude(status="cancelled").order_by()
    order_count = orders.values("customer_id").annotate(n=Count("pk")).values("n")
    online_count = orders.filter(channel__in=ONLINE).values("customer_id").annotate(n=Count("pk")).values("n")
    return queryset.annotate(
        buyer_count=Count("buyers", filter=Q(buyers__is_active=True), distinct=True),
        invited_count=Subquery(invited_count, output_field=IntegerField()),
        activated_count=Subquery(activated_count, output_field=IntegerField()),
        order_count=Subquery(order_count, output_field=IntegerField()),
        online_count=Subquery(online_count, output_field=IntegerField()),
    )


def pilot_totals(queryset: QuerySet[Customer]) -> dict[str, int]:
    """Dashboard totals over the (filtered) customers: invited, activated, ordering online, online share."""
    rows = list(
        with_pilot_figures(queryset.order_by()).values_list(  # type: ignore[misc]  # annotated just above
            "ec_enabled", "invited_count", "activated_count", "order_count", "online_count"
        )
    )
    orders = sum(r[3] or 0 for r in rows)
    online = sum(r[4] or 0 for r in rows)
    return {
        "customers": len(rows),
        "enabled": sum(1 for r in rows if r[0]),
        "invited": sum(r[1] or 0 for r in rows),
        "activated": sum(r[2] or 0 for r in rows),
        "ordering_online": sum(1 for r in rows if r[4]),
        "online_share_percent": round(100 * online / orders) if orders else 0,
    }
