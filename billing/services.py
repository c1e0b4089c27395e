"""Writes of order-to-cash: the closing run (締め処理) and payments reported by the ERP.

Locks, in this order, inside one transaction per customer: the customer row (FOR NO KEY UPDATE:
checkouts of that customer wait, inserts that only reference it do not), then the orders and
payments the invoice takes. Concurrent runs for the same date therefore queue on the customer
row and the second finds the invoice already there; the unique order on ``InvoiceOrder`` and
the unique (customer, closing date) on ``Invoice`` hold even if that reasoning had a hole.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import DateTimeField, Max, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext

from b2bshop.errors import Conflict, NotFound, ValidationFailed
from b2bshop.money import tax_for
from billing import terms
from billing.documents import full_address
from billing.models import Invoice, InvoiceOrder, Payment
from customers.models import Customer, User
from orders import events
from orders.models import Holiday, Order, OrderEvent
from orders.services.calendar import is_business_day
from pricing_rules.engine import TAX_RATES

logger = logging.getLogger(__name__)

# --------------------------------------------------------------------------- settings


def invoice_basis_statuses() -> tuple[str, ...]:
    """Order statuses an invoice covers: shipped (出荷基準), or accepted and shipped (受注基準)."""
    if settings.INVOICE_BASIS == "accepted":
        return (Order.Status.ACCEPTED, Order.Status.SHIPPED)
    return (Order.Status.SHIPPED,)


def holiday_rule() -> terms.HolidayRule:
    return terms.HolidayRule(settings.INVOICE_HOLIDAY_CLOSING)


def business_day_checker(*, around: date) -> Callable[[date], bool]:
    """Weekends and Holiday rows are closed, as for deliveries (orders.services.calendar)."""
    closed = set(
        Holiday.objects.filter(
            date__range=(around - timedelta(days=75), around + timedelta(days=75))
        ).values_list("date", flat=True)
    )
    return lambda day: is_business_day(day, closed)


def next_invoice_number(*, closing_date: date) -> str:
    """E.g. 'INV2611-000042' (closing year and month + a sequence value); never reused."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval('billing_invoice_number_seq')")
            value = cursor.fetchone()[0]
    else:  # single-process SQLite demo only
        value = (Invoice.objects.aggregate(m=Max("id"))["m"] or 0) + 1
    return f"INV{closing_date:%y%m}-{value:06d}"


# --------------------------------------------------------------------------- drafts


@dataclass(frozen=True, slots=True)
class InvoiceDraft:
    """What one customer's invoice for one closing date will say; computed before anything is written."""

    customer: Customer
    closing_date: date
    closed_on: date
    period_start: date | None
    due_date: date
    previous_balance: Decimal
    payments: tuple[Payment, ...]
    orders: tuple[tuple[Order, date], ...]  # (order, transaction date)
    taxable: dict[int, Decimal]
    tax: dict[int, Decimal]
    orders_tax: dict[int, Decimal]

    @property
    def payments_received(self) -> Decimal:
        return sum((p.amount for p in self.payments), Decimal(0))

    @property
    def carried_over(self) -> Decimal:
        return self.previous_balance - self.payments_received

    @property
    def purchases_total(self) -> Decimal:
        return sum(self.taxable.values(), Decimal(0)) + sum(self.tax.values(), Decimal(0))

    @property
    def total_due(self) -> Decimal:
        return self.carried_over + self.purchases_total

    @property
    def is_empty(self) -> bool:
        return not self.orders and not self.payments and self.previous_balance == 0


def invoice_taxes(
    orders: Sequence[Order],
) -> tuple[dict[int, Decimal], dict[int, Decimal], dict[int, Decimal]]:
    """(taxable base, invoice tax, sum of the orders' tax) per rate. Pure over loaded orders.

    The base of a rate is every line and fee at that rate; its tax is computed once over the
    invoice and rounded down (適格請求書: 一の適格請求書につき税率ごとに1回の端数処理). The
    orders' own tax was rounded per order, so the two may differ by a few yen.
    """
    taxable = dict.fromkeys(TAX_RATES, Decimal(0))
    orders_tax = dict.fromkeys(TAX_RATES, Decimal(0))
    for order in orders:
        for line in order.lines.all():
            taxable[line.tax_rate] += line.amount
        for fee in order.fees.all():
            taxable[fee.tax_rate] += fee.amount
        orders_tax[10] += order.tax_10
        orders_tax[8] += order.tax_8
    tax = {rate: tax_for(base, rate) for rate, base in taxable.items()}
    return taxable, tax, orders_tax


def _transaction_at() -> Coalesce:
    """When the order counts as a transaction: shipped, else accepted, else placed."""

    def event_at(kind: str) -> Subquery:
        return Subquery(
            OrderEvent.objects.filter(order_id=OuterRef("pk"), type=kind)
            .order_by("-occurred_at")
            .values("occurred_at")[:1]
        )

    return Coalesce(event_at("shipped"), event_at("accepted"), "placed_at", output_field=DateTimeField())


def _day_end(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), datetime.min.time()))


def draft_invoice(*, customer: Customer, closing_date: date, closed_on: date, lock: bool) -> InvoiceDraft:
    """The invoice ``customer`` gets for ``closing_date``: uninvoiced orders up to ``closed_on``.

    With ``lock`` the orders and payments it takes are row-locked (call inside a transaction).
    """
    orders_qs = (
        Order.objects.filter(
            customer=customer, status__in=invoice_basis_statuses(), invoice_link__isnull=True
        )
        .annotate(transaction_at=_transaction_at())
        .filter(transaction_at__lt=_day_end(closed_on))
        .order_by("transaction_at", "id")
        .prefetch_related("lines", "fees")
    )
    payments_qs = Payment.objects.filter(
        customer=customer, invoice__isnull=True, received_on__lte=closed_on
    ).order_by("received_on", "id")
    if lock:
        orders_qs = orders_qs.select_for_update(of=("self",))
        payments_qs = payments_qs.select_for_update()
    orders = list(orders_qs)
    previous = (
        Invoice.objects.filter(customer=customer, closing_date__lt=closing_date)
        .order_by("-closing_date", "-id")
        .first()
    )
    taxable, tax, orders_tax = invoice_taxes(orders)
    return InvoiceDraft(
        customer=customer,
        closing_date=closing_date,
        closed_on=closed_on,
        period_start=previous.closed_on + timedelta(days=1) if previous else None,
        due_date=terms.due_date(
            closing_date=closing_date, terms=customer.payment_terms, days=customer.payment_terms_days
        ),
        previous_balance=previous.total_due if previous else Decimal(0),
        payments=tuple(payments_qs),
        orders=tuple((o, timezone.localdate(o.transaction_at)) for o in orders),
        taxable=taxable,
        tax=tax,
        orders_tax=orders_tax,
    )


# --------------------------------------------------------------------------- the closing run


@dataclass(slots=True)
class ClosingResult:
    run_date: date
    closing_days: dict[int, date]
    created: list[Invoice] = field(default_factory=list)
    drafts: list[InvoiceDraft] = field(default_factory=list)  # dry run: what would be created
    already_closed: int = 0
    nothing_to_bill: int = 0


@dataclass(frozen=True, slots=True)
class Issuer:
    """The shop as the invoice's issuer (適格請求書発行事業者)."""

    name: str
    address: str
    registration_number: str


def issuer_from_settings() -> Issuer:
    return Issuer(
        name=settings.SHOP_INVOICE_ISSUER_NAME,
        address=settings.SHOP_INVOICE_ISSUER_ADDRESS,
        registration_number=settings.SHOP_INVOICE_REGISTRATION_NUMBER,
    )


def issue_invoice(draft: InvoiceDraft, *, now: datetime, issuer: Issuer | None = None) -> Invoice:
    """Write the invoice of ``draft``, link its orders and payments, give each order its ``invoiced`` event.

    Must run in the transaction that drafted it with ``lock=True``.
    """
    issuer = issuer or issuer_from_settings()
    customer = draft.customer
    invoice = Invoice.objects.create(
        number=next_invoice_number(closing_date=draft.closing_date),
        customer=customer,
        closing_date=draft.closing_date,
        closed_on=draft.closed_on,
        period_start=draft.period_start,
        period_end=draft.closed_on,
        due_date=draft.due_date,
        issuer_name=issuer.name,
        issuer_address=issuer.address,
        issuer_registration_number=issuer.registration_number,
        recipient_name=customer.name,
        recipient_postal_code=customer.postal_code,
        recipient_address=full_address(customer.prefecture, customer.address),
        previous_balance=draft.previous_balance,
        payments_received=draft.payments_received,
        carried_over=draft.carried_over,
        taxable_10=draft.taxable[10],
        taxable_8=draft.taxable[8],
        tax_10=draft.tax[10],
        tax_8=draft.tax[8],
        orders_tax_10=draft.orders_tax[10],
        orders_tax_8=draft.orders_tax[8],
        purchases_total=draft.purchases_total,
        total_due=draft.total_due,
        issued_at=now,
    )
    InvoiceOrder.objects.bulk_create(
        [InvoiceOrder(invoice=invoice, order=order, transaction_date=day) for order, day in draft.orders]
    )
    Payment.objects.filter(pk__in=[p.pk for p in draft.payments]).update(invoice=invoice)
    for order, _day in draft.orders:
        events.record_erp_event(
            number=order.number, event_type="invoiced", occurred_at=now, actor=None, now=now
        )
    return invoice


def close_customer(*, customer_id: int, closing_date: date, closed_on: date, now: datetime) -> Invoice | None:
    """Issue ``customer_id``'s invoice for ``closing_date`` unless it exists or there is nothing to bill.

    Locks the customer row first (see the module docstring). Returns None when nothing was created.
    """
    with transaction.atomic():
        customer = Customer.objects.select_for_update(no_key=True).get(pk=customer_id)
        if Invoice.objects.filter(customer=customer, closing_date=closing_date).exists():
            return None
        draft = draft_invoice(customer=customer, closing_date=closing_date, closed_on=closed_on, lock=True)
        if draft.is_empty:
            return None
        return issue_invoice(draft, now=now)


def close_invoices(*, run_date: date, now: datetime, dry_run: bool = False) -> ClosingResult:
    """The closing run for ``run_date``: one invoice per customer whose closing day closes then.

    Re-running the same date creates nothing new. One transaction per customer, so one
    customer's failure leaves the others' invoices in place (the next run retries it).
    """
    closing_days = terms.closings_on(
        run_date=run_date, is_business_day=business_day_checker(around=run_date), rule=holiday_rule()
    )
    result = ClosingResult(run_date=run_date, closing_days=closing_days)
    customers = Customer.objects.filter(
        closing_day__in=list(closing_days), trading_status=Customer.TradingStatus.CUSTOMER
    ).order_by("pk")
    for customer in customers:
        closing_date = closing_days[customer.closing_day]
        if dry_run:
            if Invoice.objects.filter(customer=customer, closing_date=closing_date).exists():
                result.already_closed += 1
                continue
            draft = draft_invoice(
                customer=customer, closing_date=closing_date, closed_on=run_date, lock=False
            )
            if draft.is_empty:
                result.nothing_to_bill += 1
            else:
                result.drafts.append(draft)
            continue
        try:
            invoice = close_customer(
                customer_id=customer.pk, closing_date=closing_date, closed_on=run_date, now=now
            )
        except IntegrityError:  # another run won a race the locks should have prevented
            logger.warning("closing run %s: %s was closed concurrently", run_date, customer.code)
            invoice = None
        if invoice is None:
            if Invoice.objects.filter(customer=customer, closing_date=closing_date).exists():
                result.already_closed += 1
            else:
                result.nothing_to_bill += 1
        else:
            result.created.append(invoice)
    return result


# --------------------------------------------------------------------------- payments


class PaymentConflict(Conflict):
    code = "payment_reference_conflict"


@dataclass(frozen=True, slots=True)
class PaymentResult:
    payment: Payment
    created: bool


def record_payment(
    *, customer_code: str, amount: Decimal, received_on: date, reference: str, actor: User | None
) -> PaymentResult:
    """Record money received (入金), idempotent by ``reference`` per customer.

    The same reference with the same amount and date: the existing payment, ``created=False``.
    With another amount or date: PaymentConflict (409). Unknown customer: NotFound.
    """
    reference = reference.strip()
    if not reference:
        raise ValidationFailed(
            gettext("Send the payment reference."),
            details={"reference": [gettext("This field is required.")]},
        )
    if amount <= 0:
        message = gettext("The amount must be more than zero.")
        raise ValidationFailed(message, details={"amount": [message]})
    customer = Customer.objects.filter(code=customer_code).first()
    if customer is None:
        raise NotFound(gettext("No customer with code %(code)s.") % {"code": customer_code})
    try:
        with transaction.atomic():
            payment, created = Payment.objects.get_or_create(
                customer=customer,
                reference=reference,
                defaults={"amount": amount, "received_on": received_on, "recorded_by": actor},
            )
    except IntegrityError:  # the same reference arrived twice at once; the other one won
        payment, created = Payment.objects.get(customer=customer, reference=reference), False
    if not created and (payment.amount != amount or payment.received_on != received_on):
        raise PaymentConflict(
            gettext("Payment %(reference)s was already recorded with amount %(amount)s on %(date)s.")
            % {"reference": reference, "amount": payment.amount, "date": payment.received_on.isoformat()},
            details={"amount": str(payment.amount), "received_on": payment.received_on.isoformat()},
        )
    return PaymentResult(payment=payment, created=created)
