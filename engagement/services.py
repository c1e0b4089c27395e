"""Reorder reminders: one grouped e-mail per customer per day, never twice for a due cycle.

`send_reminders` streams the due items from `selectors.reorder_due` (one set-based query),
groups them by customer and, per customer, in one transaction: records the day's digest (unique
per customer and day), records each item's due cycle (unique per customer, product and cycle)
and writes the e-mail to the outbox. A job killed halfway commits whole customers or nothing of
them, so a rerun sends only what was not sent.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import groupby

from django.conf import settings
from django.core import signing
from django.db import connection, transaction
from django.urls import reverse

from catalog.models import Product
from catalog.prices import price_sheets
from customers.models import Customer, User
from engagement import selectors
from engagement.cross_sell import cross_sell_for
from engagement.models import EmailOptOut, ReminderDigest, ReorderReminder
from mail.models import OutgoingEmail
from mail.services import enqueue_email, language_for

BATCH_CUSTOMERS = 200
UNSUBSCRIBE_SALT = "engagement.unsubscribe"


@dataclass(slots=True)
class ReminderRun:
    """What one run did (or, with dry_run, would do)."""

    on: date
    dry_run: bool
    due_items: int = 0
    customers_due: int = 0
    emails: int = 0
    already_sent: int = 0
    no_recipient: int = 0
    planned: list[tuple[int, list[int]]] = field(default_factory=list)  # dry run: (customer, products)


def unsubscribe_token(*, user_id: int, topic: str) -> str:
    return signing.dumps({"u": user_id, "t": topic}, salt=UNSUBSCRIBE_SALT, compress=True)


class BadUnsubscribeLink(Exception):
    """The link was altered or has expired; `expired` tells which."""

    def __init__(self, *, expired: bool) -> None:
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def read_unsubscribe_token(*, token: str) -> tuple[int, str]:
    """(user id, topic) from a link. Raises BadUnsubscribeLink for a tampered or expired one."""
    try:
        data = signing.loads(
            token, salt=UNSUBSCRIBE_SALT, max_age=timedelta(days=settings.UNSUBSCRIBE_LINK_DAYS)
        )
    except signing.SignatureExpired as exc:
        raise BadUnsubscribeLink(expired=True) from exc
    except signing.BadSignature as exc:
        raise BadUnsubscribeLink(expired=False) from exc
    if not isinstance(data, dict) or data.get("t") not in EmailOptOut.Topic.values:
        raise BadUnsubscribeLink(expired=False)
    return int(data["u"]), str(data["t"])


def unsubscribe(*, token: str, now: datetime) -> tuple[User, str]:
    """Record the opt-out a link stands for (idempotent). Raises BadUnsubscribeLink; changes nothing then."""
    user_id, topic = read_unsubscribe_token(token=token)
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise BadUnsubscribeLink(expired=False)
    EmailOptOut.objects.get_or_create(user=user, topic=topic, defaults={"created_at": now})
    return user, topic


def _by_customer(items: Iterable[selectors.DueItem]) -> Iterator[list[tuple[int, list[selectors.DueItem]]]]:
    """Batches of (customer id, its due items); the input is ordered by customer."""
    batch: list[tuple[int, list[selectors.DueItem]]] = []
    for customer_id, group in groupby(items, key=lambda item: item.customer_id):
        batch.append((customer_id, list(group)))
        if len(batch) >= BATCH_CUSTOMERS:
            yield batch
            batch = []
    if batch:
        yield batch


def send_reminders(*, on: date, now: datetime, dry_run: bool = False) -> ReminderRun:
    """Queue the reorder reminders due on `on` (contract section 9). Safe to rerun any number of times."""
    run = ReminderRun(on=on, dry_run=dry_run)
    before = selectors.day_start(on + timedelta(days=1))
    for batch in _by_customer(selectors.reorder_due(on=on)):
        customer_ids = [customer_id for customer_id, _items in batch]
        run.customers_due += len(batch)
        run.due_items += sum(len(items) for _c, items in batch)
        if dry_run:
            run.planned += [(c, [i.product_id for i in items]) for c, items in batch]
            continue
        recipients = selectors.usual_buyers(
            customer_ids=customer_ids, topic=EmailOptOut.Topic.REORDER_REMINDERS
        )
        quantities = selectors.last_quantities(
            pairs=[(c, i.product_id) for c, items in batch for i in items], before=before
        )
        customers = Customer.objects.select_related("price_group").in_bulk(customer_ids)
        users = User.objects.in_bulk(list(recipients.values()))
        products = Product.objects.in_bulk([i.product_id for _c, items in batch for i in items])
        for customer_id, items in batch:
            if customer_id not in recipients:
                run.no_recipient += 1
                continue
            sent = _remind_customer(
                customer=customers[customer_id],
                recipient=users[recipients[customer_id]],
                items=items,
                products=products,
                quantities=quantities,
                on=on,
                now=now,
            )
            if sent:
                run.emails += 1
            else:
                run.already_sent += 1
    return run


def _remind_customer(
    *,
    customer: Customer,
    recipient: User,
    items: list[selectors.DueItem],
    products: dict[int, Product],
    quantities: dict[tuple[int, int], int],
    on: date,
    now: datetime,
) -> bool:
    """One customer's digest, its new due cycles and its e-mail, all or nothing. False: nothing new."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO engagement_reminderdigest (customer_id, on_date, recipient_id, created_at) "
            "VALUES (%s, %s, %s, %s) ON CONFLICT (customer_id, on_date) DO NOTHING RETURNING id",
            [customer.id, on, recipient.id, now],
        )
        row = cursor.fetchone()
        if row is None:
            return False  # this customer's e-mail for today exists already
        digest_id = row[0]
        fresh = [
            ReorderReminder(
                digest_id=digest_id,
                customer_id=customer.id,
                product_id=item.product_id,
                cycle_key=item.last_date,
                median_gap_days=item.median_gap_days,
                due_date=item.due_date,
                quantity=max(quantities.get((customer.id, item.product_id), 1), 1),
            )
            for item in items
        ]
        ReorderReminder.objects.bulk_create(fresh, ignore_conflicts=True)
        # Rows whose cycle was reminded before stayed with their old digest: read back what is new.
        new = list(ReorderReminder.objects.filter(digest_id=digest_id).order_by("product_id"))
        if not new:
            transaction.set_rollback(True)  # every cycle was reminded before: no digest, no e-mail
            return False
        digest = ReminderDigest.objects.get(pk=digest_id)
        digest.email = _enqueue_digest_email(
            digest=digest,
            customer=customer,
            recipient=recipient,
            reminders=new,
            products=products,
            on=on,
            now=now,
        )
        digest.save(update_fields=["email"])
    return True


def _enqueue_digest_email(
    *,
    digest: ReminderDigest,
    customer: Customer,
    recipient: User,
    reminders: list[ReorderReminder],
    products: dict[int, Product],
    on: date,
    now: datetime,
) -> OutgoingEmail:
    sheets = price_sheets(customer=customer, products=[products[r.product_id] for r in reminders], on=on)
    lines = [
        {
            "product": products[r.product_id],
            "quantity": r.quantity,
            "unit_price": sheets[r.product_id].unit_price(r.quantity),
            "last_date": r.cycle_key,
            "median_gap_days": r.median_gap_days,
        }
        for r in reminders
    ]
    unsubscribe_url = settings.SITE_URL + reverse(
        "engagement:unsubscribe",
        args=[unsubscribe_token(user_id=recipient.id, topic=EmailOptOut.Topic.REORDER_REMINDERS)],
    )
    cart_url = settings.SITE_URL + reverse("engagement:reminder", args=[digest.id])
    return enqueue_email(
        kind="reorder_reminder",
        template="engagement/email/reminder",
        context={
            "customer": customer,
            "user": recipient,
            "lines": lines,
            "cart_url": cart_url,
            "unsubscribe_url": unsubscribe_url,
            "also_buy": cross_sell_for(
                customer=customer, product_ids=[r.product_id for r in reminders], on=on, now=now, limit=3
            ),
            "site_url": settings.SITE_URL,
        },
        to=recipient.email,
        language=language_for(recipient),
        reason=f"reorder reminder: {len(lines)} item(s) due on {on.isoformat()}",
        ref=f"reminder:{digest.id}",
        recipient_id=recipient.id,
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
        dedupe_key=f"reorder_reminder:{customer.id}:{on.isoformat()}",
        now=now,
    )


def fill_cart_from_reminder(*, buyer: User, digest: ReminderDigest) -> int:
    """Put the reminder's still-orderable items into the buyer's cart at their usual quantities."""
    from orders.services.cart import add_items

    reminders = list(ReorderReminder.objects.filter(digest=digest).select_related("product"))
    items = [(r.product, r.quantity) for r in reminders if r.product.active]
    add_items(buyer=buyer, items=items)
    return len(items)
