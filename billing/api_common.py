"""Serializers (OpenAPI shapes) and PDF plumbing shared by the ERP and store invoice APIs."""

from __future__ import annotations

import json
from typing import Any

from rest_framework import renderers, serializers


class PdfRenderer(renderers.BaseRenderer):
    """Lets a client send ``Accept: application/pdf``; errors still go out as JSON text."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        if isinstance(data, bytes):
            return data
        return json.dumps(data, ensure_ascii=False).encode()


PDF_RENDERERS = [renderers.JSONRenderer, PdfRenderer]


class TaxRateTotalSerializer(serializers.Serializer):
    rate = serializers.CharField(help_text='"10" or "8" (percent)')
    taxable = serializers.CharField(help_text="base at this rate, lines and fees, excl. tax")
    tax = serializers.CharField(help_text="computed once over the invoice, rounded down")
    total = serializers.CharField()
    orders_tax = serializers.CharField(help_text="sum of the orders' own per-order tax at this rate")
    difference = serializers.CharField(help_text="tax − orders_tax (may be negative)")


class PartySerializer(serializers.Serializer):
    name = serializers.CharField()
    address = serializers.CharField(allow_blank=True)


class IssuerSerializer(PartySerializer):
    registration_number = serializers.CharField(allow_blank=True, help_text="T + 13 digits")


class RecipientSerializer(PartySerializer):
    postal_code = serializers.CharField(allow_blank=True)


class OrderTaxSerializer(serializers.Serializer):
    def get_fields(self) -> dict[str, serializers.Field]:
        return {"10": serializers.CharField(), "8": serializers.CharField()}


class InvoiceOrderSerializer(serializers.Serializer):
    number = serializers.CharField()
    transaction_date = serializers.DateField()
    po_number = serializers.CharField(allow_blank=True)
    subtotal = serializers.CharField()
    fees = serializers.CharField()
    tax = OrderTaxSerializer()
    total = serializers.CharField()


class InvoicePaymentSerializer(serializers.Serializer):
    reference = serializers.CharField()
    received_on = serializers.DateField()
    amount = serializers.CharField()


class InvoiceSummarySerializer(serializers.Serializer):
    number = serializers.CharField()
    customer = serializers.CharField(help_text="customer code")
    closing_date = serializers.DateField(help_text="締日 (the day the run closed; a holiday moves it)")
    period_start = serializers.DateField(allow_null=True)
    period_end = serializers.DateField()
    due_date = serializers.DateField()
    issued_at = serializers.DateTimeField()
    previous_balance = serializers.CharField(help_text="前回御請求額")
    payments_received = serializers.CharField(help_text="御入金額")
    carried_over = serializers.CharField(help_text="繰越金額")
    purchases_total = serializers.CharField(help_text="今回御買上額 (incl. tax)")
    total_due = serializers.CharField(help_text="今回御請求額")
    currency = serializers.ChoiceField(choices=["JPY"])
    pdf = serializers.URLField()
    updated_at = serializers.DateTimeField()


class InvoiceSerializer(InvoiceSummarySerializer):
    issuer = IssuerSerializer()
    recipient = RecipientSerializer()
    tax_rates = TaxRateTotalSerializer(many=True)
    orders = InvoiceOrderSerializer(many=True)
    payments = InvoicePaymentSerializer(many=True)
