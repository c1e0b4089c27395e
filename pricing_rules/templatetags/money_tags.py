"""The one ``yen`` template filter, for every page, e-mail and PDF (format from ``b2bshop.money``)."""

from __future__ import annotations

from decimal import Decimal

from django import template

from b2bshop.money import format_yen

register = template.Library()


@register.filter
def yen(value: Decimal | int | str | None) -> str:
    """¥1,234 / ¥0.85; nothing for a missing amount."""
    if value is None or value == "":
        return ""
    return format_yen(Decimal(value))
