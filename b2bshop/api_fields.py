"""Strict DRF fields for ERP input shared by every ERP API: exact money, real integers, 8/10 tax rates.

Decisions (docs/catalog.md): money is a decimal string ("120", "0.85") read by the one money
parser (b2bshop.money.parse_money: "12.500" is refused, write "12.5"); a JSON integer is
accepted too because it is exact; a JSON float (120.5) is refused because the sender has
already lost the exact value. Integers must be JSON integers (not "12", not 12.0, not true).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from b2bshop.money import MoneyError, money_str, parse_money


class StrictIntegerField(serializers.IntegerField):
    default_error_messages = {
        "invalid": _("Enter a whole number (a JSON integer)."),
        "min_value": _("Enter a number greater than or equal to {min_value}."),
        "max_value": _("Enter a number less than or equal to {max_value}."),
    }

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


@extend_schema_field({"type": "string", "pattern": r"^\d+(\.\d{1,2})?$", "example": "12.50"})
class MoneyField(serializers.Field):
    """A non-negative amount with at most `decimal_places` decimals, as a string or JSON integer."""

    default_error_messages = {
        "float": _(
            'Send money as a decimal string such as "120" or "0.85", not a JSON number with a fraction.'
        ),
        "invalid": _('Enter a decimal number such as "120" or "0.85".'),
        "negative": _("Enter an amount of zero or more."),
        "places": _("Enter at most {places} decimal places."),
        "too_large": _("The amount is too large."),
    }

    def __init__(self, *, decimal_places: int = 2, max_digits: int = 12, **kwargs: Any):
        self.decimal_places = decimal_places
        self.max_digits = max_digits
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> Decimal:
        if isinstance(data, Decimal):  # only JSON strings and integers are money on the wire
            self.fail("invalid")
        try:
            value = parse_money(data, places=self.decimal_places)
        except MoneyError as exc:
            if exc.reason == "places":
                self.fail("places", places=self.decimal_places)
            self.fail(exc.reason)
        if value >= Decimal(10) ** (self.max_digits - self.decimal_places):
            self.fail("too_large")
        return value

    def to_representation(self, value: Decimal) -> str:
        return money_str(Decimal(value))


@extend_schema_field({"type": "string", "enum": ["10", "8"]})
class TaxRateField(serializers.Field):
    default_error_messages = {"invalid": _('The tax rate must be "10" or "8".')}

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or str(data).strip() not in {"10", "8"}:
            self.fail("invalid")
        return int(str(data).strip())

    def to_representation(self, value: int) -> str:
        return str(value)


class StrictBooleanField(serializers.BooleanField):
    default_error_messages = {"invalid": _("Enter true or false.")}

    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            self.fail("invalid")
        return data
