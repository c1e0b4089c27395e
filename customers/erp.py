"""Customer master data from the ERP (contract section 3): upsert one customer by code."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from b2bshop.errors import ValidationFailed
from customers.models import Customer, PriceGroup


@dataclass(frozen=True, slots=True)
class CustomerData:
    code: str
    name: str
    prefecture: str
    postal_code: str
    address: str
    closing_day: int
    ec_enabled: bool | None = None  # None: keep the shop's setting (new customers get the model default)
    name_kana: str = ""
    price_group: str | None = None
    phone: str = ""
    payment_terms_days: int = 30
    payment_terms: str = "days"
    credit_limit: Decimal | None = None
    invoice_registration_number: str = ""


def upsert_customer(*, data: CustomerData) -> tuple[Customer, bool]:
    """Create or replace the customer `data.code`; (customer, created).

    Raises ValidationFailed when the price group code is unknown: price groups are shop
    configuration (rates), so the ERP cannot create one by naming it. A prospect (未取引先)
    with this code becomes a customer (取引先).
    """
    group = None
    if data.price_group:
        group = PriceGroup.objects.filter(code=data.price_group).first()
        if group is None:
            message = _("Unknown price group code “%(code)s”.") % {"code": data.price_group}
            raise ValidationFailed(message, details={"price_group": [message]})
    values = {
        "name": data.name,
        "name_kana": data.name_kana,
        "price_group": group,
        "prefecture": data.prefecture,
        "postal_code": data.postal_code,
        "address": data.address,
        "phone": data.phone,
        "closing_day": data.closing_day,
        "payment_terms_days": data.payment_terms_days,
        "payment_terms": data.payment_terms,
        "credit_limit": data.credit_limit,
        "invoice_registration_number": data.invoice_registration_number,
        "trading_status": Customer.TradingStatus.CUSTOMER,
    }
    if data.ec_enabled is not None:
        values["ec_enabled"] = data.ec_enabled
    with transaction.atomic():
        customer, created = Customer.objects.select_for_update().update_or_create(
            code=data.code, defaults=values
        )
    return customer, created
