"""Storefront order pages (cart, checkout, history)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST


@login_required
@require_POST
def cart_add(request: HttpRequest) -> HttpResponse:
    """Add `sku` × `quantity` to the buyer's cart (form fields). Implemented by the checkout work."""
    return HttpResponse(status=501)
