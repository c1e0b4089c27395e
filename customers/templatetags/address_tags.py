"""The one way pages and e-mails print a delivery address (``{{ ship_to|address }}``)."""

from __future__ import annotations

from typing import Any

from django import template

from b2bshop.text import full_address

register = template.Library()


@register.filter
def address(value: Any) -> str:
    """Prefecture + address with the prefecture once, from a ship-to snapshot dict or a model."""
    if isinstance(value, dict):
        return full_address(value.get("prefecture", ""), value.get("address", ""))
    return full_address(getattr(value, "prefecture", ""), getattr(value, "address", ""))
