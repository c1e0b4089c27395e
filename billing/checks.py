"""Deploy checks: a qualified invoice needs the issuer's name and a valid registration number."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register

from billing.terms import is_valid_registration_number


@register(Tags.security, deploy=True)
def check_invoice_issuer(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Warn in `check --deploy` when invoices would go out without a valid issuer (適格請求書の記載事項)."""
    messages: list[CheckMessage] = []
    number = settings.SHOP_INVOICE_REGISTRATION_NUMBER
    if not number:
        messages.append(
            Warning(
                "SHOP_INVOICE_REGISTRATION_NUMBER is not set: invoices are not qualified invoices (適格請求書).",
                hint="Set it to the shop's registration number, T followed by 13 digits.",
                id="billing.W001",
            )
        )
    elif not is_valid_registration_number(number):
        messages.append(
            Warning(
                f"SHOP_INVOICE_REGISTRATION_NUMBER {number!r} is not T + 13 digits with a valid check digit.",
                hint="Copy it from the 適格請求書発行事業者 registration notice.",
                id="billing.W002",
            )
        )
    if not settings.SHOP_INVOICE_ISSUER_NAME or not settings.SHOP_INVOICE_ISSUER_ADDRESS:
        messages.append(
            Warning(
                "SHOP_INVOICE_ISSUER_NAME / SHOP_INVOICE_ISSUER_ADDRESS are not set: invoices show no issuer.",
                id="billing.W003",
            )
        )
    return messages
