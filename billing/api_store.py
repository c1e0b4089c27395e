"""Buyer API for invoices (contract section 5): own company's invoices only; another's is 404."""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from b2bshop.api import ErrorSerializer, PageNumberPagination
from b2bshop.api_views import StoreApi
from billing import selectors
from billing.api_common import PDF_RENDERERS, InvoiceSerializer, InvoiceSummarySerializer
from billing.documents import invoice_resource, invoice_summary
from billing.models import Invoice
from billing.pdf import pdf_response, render_delivery_slip_pdf, render_invoice_pdf
from customers.auth import signed_in_user
from customers.selectors import get_buyer_customer
from orders import selectors as order_selectors


class StoreInvoicePageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = InvoiceSummarySerializer(many=True)


def _pdf_url(request: Request, invoice: Invoice) -> str:
    return request.build_absolute_uri(reverse("store-invoice-pdf", kwargs={"number": invoice.number}))


class StoreInvoiceListApi(StoreApi):
    @extend_schema(
        operation_id="store_invoices_list",
        summary="Own company's invoices, newest first",
        responses={200: StoreInvoicePageSerializer},
        tags=["store"],
    )
    def get(self, request: Request) -> Response:
        customer = get_buyer_customer(user=signed_in_user(request))
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(
            selectors.list_invoices(customer=customer).select_related("customer"), request, view=self
        )
        return paginator.get_paginated_response(
            [invoice_summary(invoice, pdf_url=_pdf_url(request, invoice)) for invoice in page]
        )


class StoreInvoiceDetailApi(StoreApi):
    @extend_schema(
        operation_id="store_invoices_retrieve",
        summary="One invoice of the own company (another company's: 404)",
        responses={200: InvoiceSerializer, 404: ErrorSerializer},
        tags=["store"],
    )
    def get(self, request: Request, number: str) -> Response:
        customer = get_buyer_customer(user=signed_in_user(request))
        invoice = selectors.get_invoice(number=number, customer=customer)
        return Response(invoice_resource(invoice, pdf_url=_pdf_url(request, invoice)))


class StoreInvoicePdfApi(StoreApi):
    renderer_classes = PDF_RENDERERS

    @extend_schema(
        operation_id="store_invoices_pdf",
        summary="One invoice of the own company as PDF (another company's: 404)",
        responses={(200, "application/pdf"): OpenApiTypes.BINARY, 404: ErrorSerializer},
        tags=["store"],
    )
    def get(self, request: Request, number: str) -> HttpResponse:
        customer = get_buyer_customer(user=signed_in_user(request))
        invoice = selectors.get_invoice(number=number, customer=customer)
        return pdf_response(render_invoice_pdf(invoice), filename=f"{invoice.number}.pdf")


class StoreDeliverySlipPdfApi(StoreApi):
    renderer_classes = PDF_RENDERERS

    @extend_schema(
        operation_id="store_orders_delivery_slip",
        summary="The delivery slip (納品書) of an own order as PDF (another company's: 404)",
        responses={(200, "application/pdf"): OpenApiTypes.BINARY, 404: ErrorSerializer},
        tags=["store"],
    )
    def get(self, request: Request, number: str) -> HttpResponse:
        customer = get_buyer_customer(user=signed_in_user(request))
        order = order_selectors.get_order(customer=customer, number=number)
        return pdf_response(render_delivery_slip_pdf(order), filename=f"{order.number}-slip.pdf")
