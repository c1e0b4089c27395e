"""Checkout: the checkout form and the order-placed confirmation."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext

from b2bshop.errors import ApplicationError, NotFound
from b2bshop.views import buyer_required
from catalog.stock import InsufficientStock
from customers.auth import signed_in_user
from customers.selectors import get_buyer_customer, list_ship_tos
from orders import selectors
from orders.forms import CheckoutForm, new_key
from orders.services import cart as cart_services
from orders.services.calendar import earliest_delivery_date
from orders.services.checkout import CheckoutDetails, RulesViolated, place_order
from orders.services.documents import order_view
from orders.views.common import evaluation_context


@buyer_required
def checkout(request: HttpRequest) -> HttpResponse:
    customer = get_buyer_customer(user=signed_in_user(request))
    ship_tos = list_ship_tos(customer=customer)
    form = CheckoutForm(request.POST or None, ship_tos=ship_tos, initial={"idempotency_key": new_key()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        details = CheckoutDetails(
            ship_to_id=data.get("ship_to"),
            requested_delivery_date=data.get("requested_delivery_date"),
            po_number=data.get("po_number", ""),
            note=data.get("note", ""),
        )
        try:
            placed = place_order(
                buyer=signed_in_user(request),
                idempotency_key=data["idempotency_key"],
                details=details,
                now=timezone.now(),
            )
        except RulesViolated:
            messages.error(
                request, gettext("The order does not meet the trading rules; please fix the cart.")
            )
            return redirect("orders:cart")
        except InsufficientStock as exc:
            for line in exc.details.get("lines", []):
                messages.error(
                    request,
                    gettext("%(sku)s: only %(available)s left (you asked for %(requested)s).") % line,
                )
            return redirect("orders:cart")
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("orders:placed", number=placed.order.number)
    ship_to_id = form.cleaned_data.get("ship_to") if form.is_bound and hasattr(form, "cleaned_data") else None
    try:
        state = cart_services.buyer_cart(
            buyer=signed_in_user(request), on=timezone.localdate(), ship_to_id=ship_to_id
        )
    except NotFound:
        state = cart_services.buyer_cart(buyer=signed_in_user(request), on=timezone.localdate())
    if not state.evaluation.lines:
        return redirect("orders:cart")
    context = {
        "form": form,
        "state": state,
        "earliest": earliest_delivery_date(today=timezone.localdate()),
        **evaluation_context(state.evaluation, state.products),
    }
    return render(request, "orders/checkout.html", context)


@buyer_required
def placed(request: HttpRequest, number: str) -> HttpResponse:
    customer = get_buyer_customer(user=signed_in_user(request))
    order = selectors.get_order(customer=customer, number=number)
    return render(request, "orders/placed.html", {"order": order, "view": order_view(order)})
