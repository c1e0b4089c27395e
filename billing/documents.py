"""JSON shapes of invoices (ERP and store APIs) and what the PDFs print.

``REDUCED_MARK`` (※) flags 8 % (reduced-rate) items, as a qualified invoice requires.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone

from b2bshop.money import money_str
from billing.models import Invoice
from orders.models import Order

REDUCED_RATE = 8
REDUCED_MARK = "※"

FEE_LABELS = {"small_order_fee": "小口手数料", "shipping": "送料"}


def full_address(prefecture: str, address: str) -> str:
    """Prefecture and address as printed; the address may already start with the prefecture."""
    return address if address.startswith(prefecture) else f"{prefecture}{address}"


@dataclass(frozen=True, slots=True)
class Item:
    """One printed row: an order line or a fee."""

    order_number: str
    transaction_date: date | None
    sku: str
    name: str
    quantity: int | None
    unit: str
    unit_price: Decimal | None
    amount: Decimal
    tax_rate: int

    @property
    def reduced(self) -> bool:
        return self.tax_rate == REDUCED_RATE

    @property
    def mark(self) -> str:
        return REDUCED_MARK if self.reduced else ""


def order_items(order: Order, *, transaction_date: date | None = None) -> list[Item]:
    """An order's lines then its fees (``lines`` and ``fees`` prefetched)."""
    items = [
        Item(order.number, transaction_date, line.sku, line.name, line.quantity, line.unit,
             line.unit_price, line.amount, line.tax_rate)
        for line in sorted(order.lines.all(), key=lambda line: line.line_no)
    ]  # fmt: skip
    items += [
        Item(order.number, transaction_date, "", FEE_LABELS.get(fee.kind, fee.kind), None, "", None,
             fee.amount, fee.tax_rate)
        for fee in order.fees.all()
    ]  # fmt: skip
    return items


def invoice_items(invoice: Invoice) -> list[Item]:
    """Every line and fee of the invoice's orders, by transaction date (details prefetched)."""
    links = sorted(invoice.invoice_orders.all(), key=lambda link: (link.transaction_date, link.order_id))
    return [
        item for link in links for item in order_items(link.order, transaction_date=link.transaction_date)
    ]


def tax_rows(invoice: Invoice) -> list[dict[str, Any]]:
    """Per-rate totals (税率ごとの合計): base, tax, base + tax, and the difference from the orders' tax."""
    rows = []
    for rate, base, tax, orders_tax in (
        (10, invoice.taxable_10, invoice.tax_10, invoice.orders_tax_10),
        (8, invoice.taxable_8, invoice.tax_8, invoice.orders_tax_8),
    ):
        rows.append(
            {"rate": rate, "taxable": base, "tax": tax, "total": base + tax, "orders_tax": orders_tax,
             "difference": tax - orders_tax, "reduced": rate == REDUCED_RATE}
        )  # fmt: skip
    return rows


def _date(value: date | None) -> str | None:
    return value.isoformat() if value else None


def invoice_summary(invoice: Invoice, *, pdf_url: str) -> dict[str, Any]:
    """A list row / the head of the invoice resource."""
    return {
        "number": invoice.number,
        "customer": invoice.customer.code,
        "closing_date": invoice.closed_on.isoformat(),
        "period_start": _date(invoice.period_start),
        "period_end": invoice.period_end.isoformat(),
        "due_date": invoice.due_date.isoformat(),
        "issued_at": timezone.localtime(invoice.issued_at).isoformat(),
        "previous_balance": money_str(invoice.previous_balance),
        "payments_received": money_str(invoice.payments_received),
        "carried_over": money_str(invoice.carried_over),
        "purchases_total": money_str(invoice.purchases_total),
        "total_due": money_str(invoice.total_due),
        "currency": "JPY",
        "pdf": pdf_url,
        "updated_at": timezone.localtime(invoice.updated_at).isoformat(),
    }


def invoice_resource(invoice: Invoice, *, pdf_url: str) -> dict[str, Any]:
    """The whole invoice (contract section 8): summary, issuer, recipient, per-rate totals, orders."""
    links = sorted(invoice.invoice_orders.all(), key=lambda link: (link.transaction_date, link.order_id))
    return {
        **invoice_summary(invoice, pdf_url=pdf_url),
        "issuer": {
            "name": invoice.issuer_name,
            "address": invoice.issuer_address,
            "registration_number": invoice.issuer_registration_number,
        },
        "recipient": {
            "name": invoice.recipient_name,
            "postal_code": invoice.recipient_postal_code,
            "address": invoice.recipient_address,
        },
        "tax_rates": [
            {
                "rate": str(row["rate"]),
                "taxable": money_str(row["taxable"]),
                "tax": money_str(row["tax"]),
                "total": money_str(row["total"]),
                "orders_tax": money_str(row["orders_tax"]),
                "difference": money_str(row["difference"]),
            }
            for row in tax_rows(invoice)
        ],
        "orders": [
            {
                "number": link.order.number,
                "transaction_date": link.transaction_date.isoformat(),
                "po_number": link.order.po_number,
                "subtotal": money_str(link.order.subtotal),
                "fees": money_str(link.order.fees_total),
                "tax": {"10": money_str(link.order.tax_10), "8": money_str(link.order.tax_8)},
                "total": money_str(link.order.total),
            }
            for link in links
        ],
        "payments": [
            {
                "reference": p.reference,
                "received_on": p.received_on.isoformat(),
                "amount": money_str(p.amount),
            }
            for p in sorted(invoice.payments.all(), key=lambda p: (p.received_on, p.pk))
        ],
    }
