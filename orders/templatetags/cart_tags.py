"""The header's cart badge (``{% cart_count %}``): buyers only, read once per page."""

from __future__ import annotations

from typing import Any

from django import template

from orders.selectors import cart_line_count

register = template.Library()


@register.simple_tag(takes_context=True)
def cart_count(context: dict[str, Any]) -> int:
    """Products in the signed-in buyer's cart; 0 for anyone else (no query)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not getattr(user, "is_buyer", False):
        return 0
    return cart_line_count(buyer=user)
