"""Reads for invoices, balances, ageing and credit exposure (contract section 8).

The credit exposure here is the one the cart, checkout and proxy orders use (via
``orders.selectors.credit_available``): open invoices not paid, plus orders not yet invoiced,
plus the order being placed, against the customer's credit limit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import DecimalField, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext

from b2bshop.errors import NotFound
from billing.models import Invoice, Payment
from customers.models import Customer
from orders.models import Order

UNINVOICED_STATUSES = ("confirmed", "accepted", "shipped", "awaiting_approval")
"""Orders that count against credit until they are on an invoice (contract section 8)."""

AGEING_BUCKETS = ("current", "1_30", "31_60", "61_90", "over_90")
"""Days past the due date: not yet due, 1–30, 31–60, 61–90, more than 90."""

_ZERO = Value(Decimal(0), output_field=DecimalField(max_digits=14, decimal_places=0))


def _sum_subquery(queryset: QuerySet, column: str) -> Coalesce:
    summed = queryset.values("customer_id").annotate(s=Sum(column)).values("s")
    return Coalesce(Subquery(summed, output_field=DecimalField(max_digits=16, decimal_places=0)), _ZERO)


def uninvoiced_orders(*, customer_id: int) -> QuerySet[Order]:
    """Orders that are placed and not yet on an invoice (nor cancelled, nor invoiced by the ERP)."""
    return Order.objects.filter(
        customer_id=customer_id, status__in=UNINVOICED_STATUSES, invoice_link__isnull=True
    )


def _with_exposure(queryset: QuerySet[Customer]) -> QuerySet[Customer]:
    """Annotate invoiced, paid and pending (orders not yet invoiced) per customer, as subqueries."""
    return queryset.annotate(
        invoiced=_sum_subquery(Invoice.objects.filter(customer_id=OuterRef("pk")), "purchases_total"),
        paid=_sum_subquery(Payment.objects.filter(customer_id=OuterRef("pk")), "amount"),
        pending=_sum_subquery(
            Order.objects.filter(
                customer_id=OuterRef("pk"), status__in=UNINVOICED_STATUSES, invoice_link__isnull=True
            ),
            "total",
        ),
    )


def credit_exposure(*, customer_id: int) -> Decimal:
    """Invoiced − paid + orders not yet invoiced, in one statement.

    Payments reduce the open balance whether or not an invoice has reported them yet.
    """
    row = (
        _with_exposure(Customer.objects.filter(pk=customer_id))
        .values_list("invoiced", "paid", "pending")  # type: ignore[misc]  # annotated by _with_exposure
        .first()
    )
    if row is None:
        return Decimal(0)
    invoiced, paid, pending = row
    return invoiced - paid + pending


def customers_near_credit_limit(*, ratio: Decimal) -> QuerySet[Customer]:
    """Customers whose exposure has reached ``ratio`` of their credit limit (the next order may be refused).

    Annotated with ``exposure``; one statement however many customers there are.
    """
    return (
        _with_exposure(Customer.objects.filter(credit_limit__isnull=False))
        .annotate(exposure=F("invoiced") - F("paid") + F("pending"))
        .filter(exposure__gte=F("credit_limit") * ratio)
    )


def credit_available(*, customer: Customer) -> Decimal | None:
    """Credit limit minus the exposure; None = no limit. The caller holds the customer lock at checkout."""
    if customer.credit_limit is None:
        return None
    return customer.credit_limit - credit_exposure(customer_id=customer.pk)


# --------------------------------------------------------------------------- balances and ageing


@dataclass(frozen=True, slots=True)
class OpenInvoice:
    number: str
    due_date: date
    amount: Decimal
    unpaid: Decimal
    days_overdue: int


@dataclass(frozen=True, slots=True)
class Ageing:
    """A customer's open balance by days past due (売掛金年齢表)."""

    balance: Decimal
    buckets: dict[str, Decimal]
    open_invoices: list[OpenInvoice] = field(default_factory=list)

    @property
    def overdue(self) -> Decimal:
        return sum((v for k, v in self.buckets.items() if k != "current"), Decimal(0))

    @property
    def is_overdue(self) -> bool:
        return self.overdue > 0

    @property
    def max_days_overdue(self) -> int:
        return max((i.days_overdue for i in self.open_invoices if i.unpaid > 0), default=0)


def bucket_for(days_overdue: int) -> str:
    if days_overdue <= 0:
        return "current"
    if days_overdue <= 30:
        return "1_30"
    if days_overdue <= 60:
        return "31_60"
    if days_overdue <= 90:
        return "61_90"
    return "over_90"


def age_invoices(*, invoices: Iterable[tuple[str, date, Decimal]], paid: Decimal, today: date) -> Ageing:
    """Apply ``paid`` to the invoices oldest first (FIFO) and age what stays unpaid. Pure.

    ``invoices``: (number, due date, this period's purchases incl. tax), oldest first. Money paid
    beyond every invoice is a credit balance: it lowers ``balance`` below zero, no bucket.
    """
    remaining = paid
    buckets = dict.fromkeys(AGEING_BUCKETS, Decimal(0))
    open_invoices: list[OpenInvoice] = []
    invoiced = Decimal(0)
    for number, due, amount in invoices:
        invoiced += amount
        applied = min(max(remaining, Decimal(0)), amount)
        remaining -= applied
        unpaid = amount - applied
        if unpaid <= 0:
            continue
        days = (today - due).days
        buckets[bucket_for(days)] += unpaid
        open_invoices.append(OpenInvoice(number, due, amount, unpaid, days))
    return Ageing(balance=invoiced - paid, buckets=buckets, open_invoices=open_invoices)


def customer_ageing(*, customer: Customer, today: date) -> Ageing:
    return list_receivables(today=today, customers=[customer])[0][1]


def list_receivables(
    *, today: date, customers: Iterable[Customer] | None = None
) -> list[tuple[Customer, Ageing]]:
    """Every customer with invoices or payments (or the given ones), with balance and ageing.

    Three queries whatever the number of customers: customers, their invoices, their payment sums.
    """
    if customers is None:
        chosen = list(
            Customer.objects.filter(Q(invoices__isnull=False) | Q(payments__isnull=False))
            .distinct()
            .order_by("code")
        )
    else:
        chosen = list(customers)
    ids = [c.pk for c in chosen]
    invoices: dict[int, list[tuple[str, date, Decimal]]] = defaultdict(list)
    for customer_id, number, due, amount in (
        Invoice.objects.filter(customer_id__in=ids)
        .order_by("closing_date", "id")
        .values_list("customer_id", "number", "due_date", "purchases_total")
    ):
        invoices[customer_id].append((number, due, amount))
    paid = dict(
        Payment.objects.filter(customer_id__in=ids)
        .values("customer_id")
        .annotate(s=Sum("amount"))
        .values_list("customer_id", "s")
    )
    return [
        (c, age_invoices(invoices=invoices[c.pk], paid=paid.get(c.pk, Decimal(0)), today=today))
        for c in chosen
    ]


# --------------------------------------------------------------------------- invoices


def list_invoices(*, customer: Customer) -> QuerySet[Invoice]:
    """Own company's invoices, newest first."""
    return Invoice.objects.filter(customer=customer).order_by("-closing_date", "-id")


def invoice_with_details(queryset: QuerySet[Invoice]) -> QuerySet[Invoice]:
    """Invoices with customer, orders (with lines and fees) and payments loaded: a fixed number of queries."""
    return queryset.select_related("customer").prefetch_related(
        "invoice_orders__order__lines", "invoice_orders__order__fees", "payments"
    )


def get_invoice(*, number: str, customer: Customer | None = None) -> Invoice:
    """One invoice with its details; scoped to ``customer`` when given. Another company's: NotFound."""
    queryset = Invoice.objects.filter(number=number)
    if customer is not None:
        queryset = queryset.filter(customer=customer)
    invoice = invoice_with_details(queryset).first()
    if invoice is None:
        raise NotFound(gettext("Invoice not found."), code="invoice_not_found")
    return invoice
