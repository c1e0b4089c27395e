"""PDF rendering of invoices (請求書) and delivery slips (納品書): HTML templates through WeasyPrint.

Japanese text needs a CJK font on the machine (Debian: fonts-noto-cjk); WeasyPrint embeds the
glyphs it uses, so the PDF reads the same everywhere.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone, translation

from billing import documents
from billing.models import Invoice
from orders.models import Order
from pricing_rules.engine import TAX_RATES


def _pdf(template: str, context: dict[str, Any]) -> bytes:
    from weasyprint import HTML  # imported here: loading pango costs ~0.3 s, only PDF requests need it

    with translation.override("ja"):
        html = render_to_string(template, context)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def render_invoice_pdf(invoice: Invoice) -> bytes:
    """The qualified invoice as A4 PDF. Expects ``selectors.invoice_with_details``."""
    rows = documents.tax_rows(invoice)
    return _pdf(
        "billing/invoice_pdf.html",
        {
            "invoice": invoice,
            "items": documents.invoice_items(invoice),
            "tax_rows": rows,
            "tax_total": invoice.tax_10 + invoice.tax_8,
            "has_difference": any(row["difference"] for row in rows),
            "orders_count": len(invoice.invoice_orders.all()),
            "bank_account": settings.SHOP_INVOICE_BANK_ACCOUNT,
            "mark": documents.REDUCED_MARK,
        },
    )


def render_delivery_slip_pdf(order: Order) -> bytes:
    """The delivery slip (納品書) of one order, with per-rate totals. Expects lines and fees prefetched."""
    items = documents.order_items(order)
    taxable = dict.fromkeys(TAX_RATES, Decimal(0))
    for item in items:
        taxable[item.tax_rate] += item.amount
    tax = {10: order.tax_10, 8: order.tax_8}
    return _pdf(
        "billing/delivery_slip_pdf.html",
        {
            "order": order,
            "ordered_on": timezone.localdate(order.placed_at),
            "ship_to_address": documents.full_address(
                order.ship_to.get("prefecture", ""), order.ship_to.get("address", "")
            ),
            "items": items,
            "tax_rows": [
                {
                    "rate": rate,
                    "taxable": taxable[rate],
                    "tax": tax[rate],
                    "total": taxable[rate] + tax[rate],
                    "reduced": rate == documents.REDUCED_RATE,
                }
                for rate in TAX_RATES
            ],  # fmt: skip
            "issuer_name": settings.SHOP_INVOICE_ISSUER_NAME,
            "issuer_address": settings.SHOP_INVOICE_ISSUER_ADDRESS,
            "registration_number": settings.SHOP_INVOICE_REGISTRATION_NUMBER,
            "mark": documents.REDUCED_MARK,
        },
    )


def pdf_response(content: bytes, *, filename: str, inline: bool = False) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
