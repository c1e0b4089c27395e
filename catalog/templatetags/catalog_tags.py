from __future__ import annotations

from decimal import Decimal

from django import template

from pricing_rules.money import format_yen

register = template.Library()


@register.filter
def yen(value: Decimal | int | None) -> str:
    """¥1,234 / ¥0.85."""
    if value is None:
        return ""
    return format_yen(Decimal(value))
