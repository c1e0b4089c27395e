"""Building the cart: the cart page and its stepper, add to cart, quick order, order templates.

Thin: read the form, call one service, render. Prices, fees and violations always come from
``orders.services.cart.evaluate_cart`` (through ``buyer_cart``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from b2bshop.errors import ApplicationError, NotFound
from b2bshop.views import buyer_required
from customers.auth import signed_in_user
from customers.selectors import get_buyer_customer
from orders import selectors
from orders.forms import QuickOrderForm, TemplateForm
from orders.services import cart as cart_services
from orders.services import templates as template_services
from orders.services.quick_order import example_line, quick_order
from orders.views.common import evaluation_context


def _cart_context(
    request: HttpRequest, *, error_sku: str = "", error: str = "", typed: str = ""
) -> dict[str, Any]:
    """The cart as it is now; with ``error_sku`` that line shows ``error`` and keeps what was ``typed``."""
    state = cart_services.buyer_cart(buyer=signed_in_user(request), on=timezone.localdate())
    context = {"state": state, **evaluation_context(state.evaluation, state.products)}
    for item in context["lines"]:
        if error_sku and item["line"].sku == error_sku:
            item["error"], item["typed"] = error, typed
    context["template_form"] = TemplateForm()
    return context


@buyer_required
def cart(request: HttpRequest) -> HttpResponse:
    return render(request, "orders/cart.html", _cart_context(request))


def _safe_back(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.headers.get("referer") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return fallback


@buyer_required
@require_POST
def cart_add(request: HttpRequest) -> HttpResponse:
    """Add ``sku`` × ``quantity`` (form fields) to the cart; back to the page, or an htmx fragment."""
    try:
        product = cart_services.get_orderable_product(
            sku=request.POST.get("sku", ""), buyer=signed_in_user(request)
        )
        quantity = cart_services.parse_quantity(request.POST.get("quantity", "1"), allow_zero=False)
        cart_services.add_items(buyer=signed_in_user(request), items=[(product, quantity)])
    except ApplicationError as exc:
        message, ok = exc.message, False
    else:
        message = gettext("Added %(quantity)s %(unit)s of %(name)s to the cart.") % {
            "quantity": f"{quantity:,}",
            "unit": product.unit,
            "name": product.name,
        }
        ok = True
    if request.htmx:  # type: ignore[attr-defined]  # set by django_htmx's HtmxMiddleware
        count = selectors.cart_line_count(buyer=signed_in_user(request))
        response = render(request, "orders/_cart_added.html", {"message": message, "ok": ok, "count": count})
        response["HX-Trigger"] = "cart-changed"
        return response
    (messages.success if ok else messages.error)(request, message)
    return HttpResponseRedirect(_safe_back(request, reverse("orders:cart")))


@buyer_required
@require_POST
def cart_line(request: HttpRequest, sku: str) -> HttpResponse:
    """Set one line's quantity (stepper or field); 0 or ``remove`` deletes it.

    A bad quantity changes nothing and comes back next to the field that was typed in (the
    field keeps the typed text), never as a message on the next page.
    """
    raw = "0" if "remove" in request.POST else (request.POST.get("set") or request.POST.get("quantity", ""))
    try:
        product = cart_services.get_orderable_product(sku=sku, buyer=signed_in_user(request))
        # "set" is a stepper button's target quantity; otherwise the typed quantity.
        quantity = cart_services.parse_quantity(raw)
        cart_services.set_quantity(buyer=signed_in_user(request), product=product, quantity=quantity)
    except NotFound:
        # A product that went inactive or hidden can still be removed from the cart; any other
        # unknown or hidden SKU does not exist for this buyer.
        if not cart_services.remove_line(buyer=signed_in_user(request), sku=sku):
            raise Http404 from None
    except ApplicationError as exc:
        context = _cart_context(request, error_sku=sku, error=exc.message, typed=raw[:20])
        if request.htmx:  # type: ignore[attr-defined]  # htmx swaps 2xx answers only; the error is part of the fragment
            return render(request, "orders/_cart.html", context)
        return render(request, "orders/cart.html", context, status=400)
    if request.htmx:  # type: ignore[attr-defined]  # set by django_htmx's HtmxMiddleware
        return render(request, "orders/_cart.html", _cart_context(request))
    return redirect("orders:cart")


@buyer_required
def quick_order_view(request: HttpRequest) -> HttpResponse:
    result = None
    form = QuickOrderForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("file")
        try:
            if upload is not None:
                result = quick_order(buyer=signed_in_user(request), csv_bytes=upload.read(1024 * 1024))
            else:
                result = quick_order(buyer=signed_in_user(request), text=form.cleaned_data["lines"])
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            if result.added:
                messages.success(
                    request, gettext("%(count)s lines were added to the cart.") % {"count": len(result.added)}
                )
            if not result.errors:
                return redirect("orders:cart")
            form = QuickOrderForm(initial={"lines": "\n".join(e.text for e in result.errors if e.text)})
    example = example_line(customer=get_buyer_customer(user=signed_in_user(request)), on=timezone.localdate())
    return render(request, "orders/quick_order.html", {"form": form, "result": result, "example": example})


@buyer_required
def templates_view(request: HttpRequest) -> HttpResponse:
    customer = get_buyer_customer(user=signed_in_user(request))
    if request.method == "POST":
        form = TemplateForm(request.POST)
        if form.is_valid():
            try:
                template_services.save_cart_as_template(
                    buyer=signed_in_user(request), name=form.cleaned_data["name"]
                )
            except ApplicationError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, gettext("The cart was saved as a template."))
        return redirect("orders:templates")
    return render(
        request, "orders/templates.html", {"templates": selectors.list_templates(customer=customer)}
    )


@buyer_required
@require_POST
def template_add(request: HttpRequest, template_id: int) -> HttpResponse:
    added, skipped = template_services.add_template_to_cart(
        buyer=signed_in_user(request), template_id=template_id
    )
    messages.success(request, gettext("%(count)s lines were added to the cart.") % {"count": len(added)})
    for product in skipped:
        messages.warning(request, gettext("%(name)s is no longer available.") % {"name": product.name})
    return redirect("orders:cart")


@buyer_required
@require_POST
def template_delete(request: HttpRequest, template_id: int) -> HttpResponse:
    template_services.delete_template(buyer=signed_in_user(request), template_id=template_id)
    return redirect("orders:templates")
