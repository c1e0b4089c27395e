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
from orders.forms import ProxyOrderForm, new_key
from orders.services.checkout import CheckoutDetails, RulesViolated, place_proxy_order
from orders.services.proxy_order import preview_proxy_order
from orders.views.common import evaluation_context

# Which form field a lookup failure of the preview belongs to.
_FIELD_OF = {"customer_not_found": "customer", "ship_to_not_found": "ship_to"}


@staff_member_required
@permission_required("orders.add_order", raise_exception=True)
def proxy_order(request: HttpRequest) -> HttpResponse:
    """代理注文: staff key in a phone/FAX order; same evaluation and rules as the buyer's cart."""
    form = ProxyOrderForm(request.POST or None, initial={"idempotency_key": new_key()})
    context: dict[str, Any] = {"form": form}
    if request.method != "POST" or not form.is_valid():
        return render(request, "orders/proxy.html", context)
    data = form.cleaned_data
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
    context.update(customer=preview.customer, line_errors=preview.line_errors)
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
