"""Staff pages of the back office that are not a model list; thin callers of backoffice.selectors."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from backoffice import selectors
from customers.models import Customer


def customer_panel(request: HttpRequest, customer_id: int) -> HttpResponse:
    """The proxy-order screen's side panel (htmx): the customer's usual products and open orders."""
    if not request.user.has_perm("orders.add_order"):
        raise PermissionDenied
    customer = get_object_or_404(Customer, pk=customer_id)
    panel = selectors.customer_panel(customer=customer, today=timezone.localdate())
    return render(request, "backoffice/customer_panel.html", {"customer": customer, "panel": panel})
