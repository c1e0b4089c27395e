"""Staff pages: the proxy order (代理注文) keyed in from a phone call or a FAX."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from b2bshop.errors import ApplicationError, NotFound
from catalog.stock import InsufficientStock
from customers.auth import signed_in_user
from customers.models import Customer
from customers.selectors import list_ship_tos, search_customers
from orders.forms import ProxyOrderForm, new_key
from orders.services.checkout import CheckoutDetails, RulesViolated, place_proxy_order
from orders.services.proxy_order import find_proxy_customer, preview_proxy_order
from orders.views.common import evaluation_context

# Which form field a lookup failure of the preview belongs to.
_FIELD_OF = {"customer_not_found": "customer", "ship_to_not_found": "ship_to"}


def _known_customer(data: Any) -> Customer | None:
    """The customer the posted text already names unambiguously (for the ship-to list), else None."""
    query = (data.get("customer") or "").strip() if data else ""
    if not query:
        return None
    try:
        customer, _candidates = find_proxy_customer(query=query)
    except NotFound:
        return None
    return customer


@staff_member_required
@permission_required("orders.add_order", raise_exception=True)
def proxy_customers(request: HttpRequest) -> HttpResponse:
    """Autocomplete for the proxy screen: customers matching the typed name, kana, code or phone."""
    found = search_customers(query=request.GET.get("customer", ""))
    return render(request, "orders/_proxy_customers.html", {"candidates": found})


@staff_member_required
@permission_required("orders.add_order", raise_exception=True)
def proxy_order(request: HttpRequest) -> HttpResponse:
    """代理注文: staff key in a phone/FAX order; same evaluation and rules as the buyer's cart."""
    posted = request.POST.copy() if request.method == "POST" else None
    if posted is not None and posted.get("pick_customer"):
        posted["customer"] = posted.get("pick_customer", "")  # a suggestion was clicked
        posted.pop("ship_to", None)  # another customer: its own default address
    known = _known_customer(posted)
    form = ProxyOrderForm(
        posted,
        initial={"idempotency_key": new_key()},
        ship_tos=list_ship_tos(customer=known) if known else (),
    )
    context: dict[str, Any] = {"form": form, "customer": known}
    if posted is None or not form.is_valid():
        return render(request, "orders/proxy.html", context)
    data = form.cleaned_data
    if known is not None and not data["lines"].strip():
        return render(request, "orders/proxy.html", context)  # customer chosen; lines come next
    try:
        preview = preview_proxy_order(
            customer_code=data["customer"],
            lines=data["lines"],
            ship_to_id=data.get("ship_to"),
            on=timezone.localdate(),
            channel=data["channel"],
        )
    except NotFound as exc:
        form.add_error(_FIELD_OF.get(exc.code), exc.message)
        return render(request, "orders/proxy.html", context)
    context.update(customer=preview.customer, candidates=preview.candidates, line_errors=preview.line_errors)
    if preview.customer is None:
        form.add_error("customer", gettext("Several customers match: choose one below."))
        return render(request, "orders/proxy.html", context)
    if preview.evaluation is None:
        return render(request, "orders/proxy.html", context)
    context.update(evaluation_context(preview.evaluation), ship_to=preview.ship_to)
    if "place" not in request.POST:
        return render(request, "orders/proxy.html", context)
    details = CheckoutDetails(
        ship_to_id=data.get("ship_to"),
        requested_delivery_date=data.get("requested_delivery_date"),
        po_number=data.get("po_number", ""),
        note=data.get("note", ""),
    )
    try:
        placed_order = place_proxy_order(
            staff=signed_in_user(request),
            customer=preview.customer,
            items=preview.items,
            idempotency_key=data["idempotency_key"],
            details=details,
            now=timezone.now(),
            channel=data["channel"],
        )
    except RulesViolated:
        form.add_error(None, gettext("The order does not meet the trading rules."))
    except InsufficientStock as exc:
        for line in exc.details.get("lines", []):
            form.add_error(
                None, gettext("%(sku)s: only %(available)s left (you asked for %(requested)s).") % line
            )
    except ApplicationError as exc:
        form.add_error(None, exc.message)
    else:
        messages.success(
            request, gettext("Order %(number)s was placed.") % {"number": placed_order.order.number}
        )
        return redirect(reverse("admin:orders_order_change", args=[placed_order.order.pk]))
    return render(request, "orders/proxy.html", context)
