"""Staff views: invoices (with PDF downloads), payments and the receivables list with CSV export."""

from __future__ import annotations

import io
from typing import Any

from django.contrib import admin
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from b2bshop.admin_base import ReadOnlyModelAdmin
from b2bshop.csv_safe import safe_writer
from b2bshop.errors import NotFound
from billing import selectors
from billing.models import Invoice, InvoiceOrder, Payment, Receivable
from billing.pdf import pdf_response, render_delivery_slip_pdf, render_invoice_pdf
from orders.models import Order
from pricing_rules.admin_columns import yen_column


class InvoiceOrderInline(admin.TabularInline):
    model = InvoiceOrder
    extra = 0
    can_delete = False
    fields = readonly_fields = ("order", "transaction_date", "total", "slip")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("total"))
    def total(self, link: InvoiceOrder) -> Any:
        return link.order.total

    @admin.display(description=_("delivery slip"))
    def slip(self, link: InvoiceOrder) -> str:
        url = reverse("admin:billing_delivery_slip_pdf", args=[link.order.number])
        return format_html('<a href="{}">PDF</a>', url)


class PaymentInline(admin.TabularInline):
    model = Payment
    extra = 0
    can_delete = False
    fields = readonly_fields = ("reference", "received_on", "amount")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    """Issued invoices are read-only: a correction is a credit on the next one, never an edit."""

    list_display = [
        "number",
        "customer",
        "closed_on",
        "due_date",
        yen_column("purchases_total", _("this period's purchases incl. tax (今回御買上額)")),
        yen_column("total_due", _("amount billed (今回御請求額)")),
        "pdf",
    ]
    list_filter = ["closed_on"]
    search_fields = ["number", "customer__code", "customer__name"]
    list_select_related = ["customer"]
    date_hierarchy = "closing_date"
    inlines = [InvoiceOrderInline, PaymentInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in Invoice._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="PDF")
    def pdf(self, invoice: Invoice) -> str:
        return format_html(
            '<a href="{}">PDF</a>', reverse("admin:billing_invoice_pdf", args=[invoice.number])
        )

    def get_urls(self) -> list:
        return [
            path("<str:number>/pdf/", self.admin_site.admin_view(self.pdf_view), name="billing_invoice_pdf"),
            path(
                "slips/<str:number>/pdf/",
                self.admin_site.admin_view(self.slip_view),
                name="billing_delivery_slip_pdf",
            ),
            *super().get_urls(),
        ]

    def pdf_view(self, request: HttpRequest, number: str) -> HttpResponse:
        if not self.has_view_permission(request):
            raise Http404
        try:
            invoice = selectors.get_invoice(number=number)
        except NotFound:
            raise Http404 from None
        return pdf_response(render_invoice_pdf(invoice), filename=f"{invoice.number}.pdf")

    def slip_view(self, request: HttpRequest, number: str) -> HttpResponse:
        if not self.has_view_permission(request):
            raise Http404
        order = (
            Order.objects.filter(number=number).select_related("customer").prefetch_related("lines", "fees")
        )
        found = order.first()
        if found is None:
            raise Http404
        return pdf_response(render_delivery_slip_pdf(found), filename=f"{found.number}-slip.pdf")


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = [
        "reference",
        "customer",
        "received_on",
        yen_column("amount", _("amount")),
        "invoice",
        "created_at",
    ]
    search_fields = ["reference", "customer__code", "customer__name"]
    list_select_related = ["customer", "invoice"]
    date_hierarchy = "received_on"
    readonly_fields = [
        "customer",
        "amount",
        "received_on",
        "reference",
        "invoice",
        "recorded_by",
        "created_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # payments come from the ERP (POST /api/v1/erp/customers/{code}/payments)


RECEIVABLE_COLUMNS = [
    ("code", _("customer code")),
    ("name", _("customer")),
    ("balance", _("open balance")),
    ("current", _("not yet due")),
    ("1_30", _("1-30 days overdue")),
    ("31_60", _("31-60 days overdue")),
    ("61_90", _("61-90 days overdue")),
    ("over_90", _("over 90 days overdue")),
    ("overdue", _("overdue")),
    ("max_days", _("days overdue (oldest)")),
]


@admin.register(Receivable)
class ReceivableAdmin(ReadOnlyModelAdmin):
    """The receivables list (売掛金一覧): open balance, ageing and overdue flag per customer; CSV export."""

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm("billing.view_invoice")

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        today = timezone.localdate()
        rows: list[dict[str, Any]] = [
            {
                "code": customer.code,
                "name": customer.name,
                "balance": ageing.balance,
                **ageing.buckets,
                "overdue": ageing.is_overdue,
                "max_days": ageing.max_days_overdue,
            }
            for customer, ageing in selectors.list_receivables(today=today)
            if ageing.balance != 0 or request.GET.get("all")
        ]
        if request.GET.get("only") == "overdue":
            rows = [row for row in rows if row["overdue"]]
        if request.GET.get("format") == "csv":
            buffer = io.StringIO()
            writer = safe_writer(buffer)
            writer.writerow([str(label) for _key, label in RECEIVABLE_COLUMNS])
            for row in rows:
                writer.writerow(
                    [
                        ("yes" if row[key] else "no") if key == "overdue" else row[key]
                        for key, _l in RECEIVABLE_COLUMNS
                    ]
                )
            response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="receivables-{today:%Y%m%d}.csv"'
            return response
        context = {
            **self.admin_site.each_context(request),
            "title": _("Receivables"),
            "opts": self.model._meta,
            "today": today,
            "columns": RECEIVABLE_COLUMNS,
            "rows": rows,
            "total": sum((row["balance"] for row in rows), 0),
        }
        return TemplateResponse(request, "admin/billing/receivables.html", context)
