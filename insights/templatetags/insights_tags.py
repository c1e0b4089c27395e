from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def pct(value: Decimal | None) -> str:
    """A 0-1 share as a percentage with one decimal: 0.8123 → 81.2%."""
    if value is None or value == "":
        return "—"
    return f"{Decimal(value) * 100:.1f}%"


@register.filter
def signed_pct(value: Decimal | None) -> str:
    if value is None:
        return "—"
    return f"{Decimal(value) * 100:+.1f}%"


@register.filter
def get(mapping: dict, key: object) -> object:
    return mapping.get(key, "") if mapping else ""


@register.filter
def num(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"
