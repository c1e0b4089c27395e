from decimal import Decimal

from django import template

from pricing_rules.money import format_yen

register = template.Library()


@register.filter
def yen(value):
    """¥1,234 (the one money display format, from pricing_rules.money)."""
    if value in (None, ""):
        return ""
    return format_yen(Decimal(value))
