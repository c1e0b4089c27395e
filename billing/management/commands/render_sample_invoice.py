"""`manage.py render_sample_invoice [--output FILE] [--customer CODE]`: a sample invoice PDF from demo data.

Nothing is kept: the invoice is issued inside a transaction that is rolled back after rendering,
so the demo database stays as it was. An invoice that already exists is rendered as it is.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from billing import selectors, services
from billing.models import Invoice
from billing.pdf import render_invoice_pdf
from customers.models import Customer

DEMO_ISSUER = services.Issuer(
    name="株式会社ビートゥービー商事（デモ）",
    address="〒100-0005 東京都千代田区丸の内1-1-1",
    registration_number="T7000012050002",  # a real-format number with a valid check digit
)


class _Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Render a sample invoice PDF from the demo data (nothing is saved)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", default="sample-invoice.pdf", help="where to write the PDF")
        parser.add_argument("--customer", help="customer code (default: the one with most orders to bill)")

    def handle(self, *args: Any, **options: Any) -> None:
        output = Path(options["output"])
        now = timezone.now()
        pdf = b""
        number = ""
        try:
            with transaction.atomic():
                invoice = self._invoice(code=options["customer"], now=now)
                pdf, number = render_invoice_pdf(invoice), invoice.number
                raise _Rollback
        except _Rollback:
            pass
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(pdf)
        self.stdout.write(f"wrote {output} ({len(pdf):,} bytes, invoice {number})")

    def _invoice(self, *, code: str | None, now: Any) -> Invoice:
        existing = Invoice.objects.filter(customer__code=code) if code else Invoice.objects.all()
        latest = existing.order_by("-closing_date", "-id").first()
        if latest is not None:
            return selectors.get_invoice(number=latest.number)
        basis = services.invoice_basis_statuses()
        candidates = Customer.objects.annotate(
            billable=Count("orders", filter=Q(orders__status__in=basis, orders__invoice_link__isnull=True))
        ).filter(billable__gt=0)
        if code:
            candidates = candidates.filter(code=code)
        customer = candidates.order_by("-billable", "code").first()
        if customer is None:
            raise CommandError("No orders to bill: load the demo data first (manage.py seed_demo).")
        today = timezone.localdate(now)
        issuer = services.issuer_from_settings()
        if not settings.SHOP_INVOICE_REGISTRATION_NUMBER:
            issuer = DEMO_ISSUER
        locked = Customer.objects.select_for_update(no_key=True).get(pk=customer.pk)
        draft = services.draft_invoice(customer=locked, closing_date=today, closed_on=today, lock=True)
        invoice = services.issue_invoice(draft, now=now, issuer=issuer)
        return selectors.get_invoice(number=invoice.number)
