"""ERP side of order-to-cash (contract section 3): payments in, invoices out."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from b2bshop.api import MAX_PAGE_SIZE, ErrorSerializer, keyset_page, keyset_params, require_json_object
from b2bshop.api_fields import MoneyField
from b2bshop.api_views import ERP_AUTH_RESPONSES, ErpApi
from b2bshop.errors import ValidationFailed
from b2bshop.money import money_str
from billing import selectors, services
from billing.api_common import PDF_RENDERERS, InvoiceSerializer
from billing.documents import invoice_resource
from billing.models import Invoice, Payment
from billing.pdf import pdf_response, render_invoice_pdf
from customers.auth import signed_in_user


class PaymentInSerializer(serializers.Serializer):
    amount = MoneyField(decimal_places=0, max_digits=14, help_text='whole yen as a string, e.g. "55000"')
    received_on = serializers.DateField()
    reference = serializers.CharField(max_length=64, help_text="the ERP's unique reference of this receipt")


class PaymentOutSerializer(serializers.Serializer):
    customer = serializers.CharField()
    reference = serializers.CharField()
    amount = serializers.CharField()
    received_on = serializers.DateField()
    invoice = serializers.CharField(
        allow_null=True, help_text="the invoice that reported it (御入金額), once closed"
    )
    balance = serializers.CharField(help_text="the customer's open balance after this payment")
    recorded_at = serializers.DateTimeField()


def payment_json(payment: Payment) -> dict[str, Any]:
    balance = selectors.list_receivables(today=payment.received_on, customers=[payment.customer])[0][
        1
    ].balance
    return {
        "customer": payment.customer.code,
        "reference": payment.reference,
        "amount": money_str(payment.amount),
        "received_on": payment.received_on.isoformat(),
        "invoice": payment.invoice.number if payment.invoice is not None else None,
        "balance": money_str(balance),
        "recorded_at": payment.created_at.isoformat(),
    }


class PaymentApi(ErpApi):
    @extend_schema(
        operation_id="erp_customer_payments_create",
        summary="Report a payment received from a customer (入金)",
        description="Idempotent by `reference` per customer: the same reference, amount and date again → 200 "
        "and nothing changes; the same reference with another amount or date → 409.",
        request=PaymentInSerializer,
        responses={
            201: OpenApiResponse(PaymentOutSerializer, description="recorded"),
            200: OpenApiResponse(PaymentOutSerializer, description="already recorded, unchanged"),
            400: ErrorSerializer,
            404: ErrorSerializer,
            409: OpenApiResponse(ErrorSerializer, description="the reference exists with another amount"),
            **ERP_AUTH_RESPONSES,
        },
        examples=[
            OpenApiExample(
                "payment",
                value={"amount": "55000", "received_on": "2026-12-25", "reference": "BANK-20261225-0001"},
                request_only=True,
            ),
            OpenApiExample(
                "conflict",
                value={
                    "code": "payment_reference_conflict",
                    "message": "Payment BANK-20261225-0001 was already recorded with amount 55000 on 2026-12-25.",
                    "details": {"amount": "55000", "received_on": "2026-12-25"},
                },
                response_only=True,
                status_codes=["409"],
            ),
        ],
        tags=["erp"],
    )
    def post(self, request: Request, code: str) -> Response:
        serializer = PaymentInSerializer(data=require_json_object(request.data))
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        result = services.record_payment(
            customer_code=code,
            amount=data["amount"],
            received_on=data["received_on"],
            reference=data["reference"],
            actor=signed_in_user(request),
        )
        return Response(
            payment_json(result.payment),
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        )


class ErpInvoicePageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = InvoiceSerializer(many=True)


def _pdf_url(request: Request, invoice: Invoice) -> str:
    return request.build_absolute_uri(reverse("erp-invoice-pdf", kwargs={"number": invoice.number}))


def _invoice_filters(request: Request) -> tuple[QuerySet[Invoice], int]:
    """``updated_since`` and ``page_size``, validated as for GET /api/v1/erp/orders."""
    errors: dict[str, list[str]] = {}
    since, size = keyset_params(request, errors)
    if errors:
        raise ValidationFailed(_("The request has invalid fields."), details=errors)
    queryset = Invoice.objects.all()
    if since is not None:
        queryset = queryset.filter(updated_at__gte=since)
    return queryset, size


class ErpInvoiceListApi(ErpApi):
    @extend_schema(
        operation_id="erp_invoices_list",
        summary="Invoices for the ERP to pull, oldest change first",
        description="Keyset (cursor) pagination on (updated_at, id), exactly like GET /api/v1/erp/orders: "
        "store the `updated_at` of the last invoice processed and pass it as `updated_since` next time.",
        parameters=[
            OpenApiParameter("updated_since", OpenApiTypes.DATETIME, required=False),
            OpenApiParameter(
                "cursor", OpenApiTypes.STR, required=False, description="from `next` / `previous`"
            ),
            OpenApiParameter(
                "page_size", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE}, required=False
            ),
        ],
        responses={200: ErpInvoicePageSerializer, 400: ErrorSerializer, **ERP_AUTH_RESPONSES},
        tags=["erp"],
    )
    def get(self, request: Request) -> Response:
        queryset, size = _invoice_filters(request)
        rows, links = keyset_page(request, queryset, size=size, load=selectors.invoice_with_details)
        results = [invoice_resource(invoice, pdf_url=_pdf_url(request, invoice)) for invoice in rows]
        return Response({**links, "results": results})


class ErpInvoiceDetailApi(ErpApi):
    @extend_schema(
        operation_id="erp_invoices_retrieve",
        summary="One invoice with its orders, per-rate totals and PDF link",
        responses={200: InvoiceSerializer, 404: ErrorSerializer, **ERP_AUTH_RESPONSES},
        tags=["erp"],
    )
    def get(self, request: Request, number: str) -> Response:
        invoice = selectors.get_invoice(number=number)
        return Response(invoice_resource(invoice, pdf_url=_pdf_url(request, invoice)))


class ErpInvoicePdfApi(ErpApi):
    renderer_classes = PDF_RENDERERS

    @extend_schema(
        operation_id="erp_invoices_pdf",
        summary="The invoice as PDF (適格請求書)",
        responses={(200, "application/pdf"): OpenApiTypes.BINARY, 404: ErrorSerializer, **ERP_AUTH_RESPONSES},
        tags=["erp"],
    )
    def get(self, request: Request, number: str) -> HttpResponse:
        invoice = selectors.get_invoice(number=number)
        return pdf_response(render_invoice_pdf(invoice), filename=f"{invoice.number}.pdf")
