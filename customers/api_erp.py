"""ERP → shop customer master (contract section 3): `PUT /api/v1/erp/customers/{code}`."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from b2bshop.api import require_json_object
from b2bshop.api_fields import MoneyField, StrictBooleanField, StrictIntegerField
from b2bshop.api_views import ErpApi, upsert_schema, upserted
from b2bshop.errors import ValidationFailed
from b2bshop.money import money_str
from customers import erp
from customers.models import PREFECTURES, Customer

_POSTAL = re.compile(r"^(\d{3})-?(\d{4})$")


class CustomerInSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    name_kana = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    price_group = serializers.CharField(
        max_length=32, required=False, allow_blank=True, allow_null=True, default=None
    )
    prefecture = serializers.ChoiceField(
        choices=PREFECTURES,
        error_messages={"invalid_choice": gettext_lazy("Enter a prefecture such as 東京都.")},
    )
    postal_code = serializers.CharField(max_length=8)
    address = serializers.CharField(max_length=300)
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    closing_day = StrictIntegerField()
    payment_terms_days = StrictIntegerField(min_value=0, max_value=365, required=False, default=30)
    payment_terms = serializers.ChoiceField(
        choices=Customer.PaymentTerms.values,
        required=False,
        default=Customer.PaymentTerms.DAYS,
        help_text="days (closing date + payment_terms_days), next_month_end (翌月末) or "
        "month_after_next_end (翌々月末)",
    )
    credit_limit = MoneyField(decimal_places=0, max_digits=14, required=False, allow_null=True, default=None)
    invoice_registration_number = serializers.CharField(
        max_length=14, required=False, allow_blank=True, default=""
    )
    # Optional: omitted leaves the shop's own setting (web rollout is managed in the shop, contract section 3).
    ec_enabled = StrictBooleanField(required=False)

    def validate_postal_code(self, value: str) -> str:
        match = _POSTAL.match(value.strip())
        if not match:
            raise serializers.ValidationError(_("Enter a postal code such as 100-0001."))
        return f"{match.group(1)}-{match.group(2)}"

    def validate_closing_day(self, value: int) -> int:
        if not (1 <= value <= 28 or value == 31):
            raise serializers.ValidationError(_("The closing day must be 1 to 28, or 31 for month end."))
        return value

    def validate_invoice_registration_number(self, value: str) -> str:
        if value and not re.fullmatch(r"T\d{13}", value):
            raise serializers.ValidationError(_("Enter T followed by 13 digits."))
        return value


class CustomerOutSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    name_kana = serializers.CharField()
    price_group = serializers.CharField(allow_null=True)
    prefecture = serializers.CharField()
    postal_code = serializers.CharField()
    address = serializers.CharField()
    phone = serializers.CharField()
    closing_day = serializers.IntegerField()
    payment_terms_days = serializers.IntegerField()
    payment_terms = serializers.CharField()
    credit_limit = serializers.CharField(allow_null=True)
    invoice_registration_number = serializers.CharField()
    ec_enabled = serializers.BooleanField()
    trading_status = serializers.CharField()
    updated_at = serializers.DateTimeField()


def customer_json(customer: Customer) -> dict[str, Any]:
    return {
        "code": customer.code, "name": customer.name, "name_kana": customer.name_kana,
        "price_group": customer.price_group.code if customer.price_group else None,
        "prefecture": customer.prefecture, "postal_code": customer.postal_code, "address": customer.address,
        "phone": customer.phone, "closing_day": customer.closing_day,
        "payment_terms_days": customer.payment_terms_days, "payment_terms": customer.payment_terms,
        "credit_limit": money_str(customer.credit_limit) if customer.credit_limit is not None else None,
        "invoice_registration_number": customer.invoice_registration_number, "ec_enabled": customer.ec_enabled,
        "trading_status": customer.trading_status, "updated_at": customer.updated_at.isoformat(),
    }  # fmt: skip


CUSTOMER_EXAMPLE = {
    "name": "株式会社山田工業", "name_kana": "ヤマダコウギョウ", "price_group": "A", "prefecture": "東京都",
    "postal_code": "100-0001", "address": "千代田区千代田1-1", "phone": "03-1234-5678", "closing_day": 20,
    "payment_terms_days": 30, "credit_limit": "1000000", "invoice_registration_number": "T1234567890123",
    "ec_enabled": True,
}  # fmt: skip


class CustomerUpsertApi(ErpApi):
    @upsert_schema(
        operation_id="erp_customer_put",
        summary="Create or replace one customer by code",
        description="closing_day: 1-28 or 31 (month end). price_group must be an existing code (400 otherwise). "
        "credit_limit is whole yen as a string.",
        request=CustomerInSerializer,
        response=CustomerOutSerializer,
        key=("code", "C10001"),
        example=("customer", CUSTOMER_EXAMPLE),
        answer_extra={"trading_status": "customer"},
        invalid=(
            "bad closing day",
            {"closing_day": ["The closing day must be 1 to 28, or 31 for month end."]},
        ),
    )
    def put(self, request: Request, code: str) -> Response:
        body = require_json_object(request.data)
        if len(code) > 32:
            message = _("The customer code may have at most 32 characters.")
            raise ValidationFailed(message, details={"code": [message]})
        serializer = CustomerInSerializer(data=body)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        customer, created = erp.upsert_customer(
            data=erp.CustomerData(code=code, **{**data, "price_group": data["price_group"] or None})
        )
        return upserted(customer_json(customer), created=created)
