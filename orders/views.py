"""Storefront order pages: cart, quick order, templates, checkout, history, staff proxy orders.

Thin: read the form, call one service, render. Prices, fees and violations always come from
``orders.services.cart.evaluate_cart`` (through ``buyer_cart``).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from b2bshop.errors import ApplicationError, NotFound
from catalog.stock import InsufficientStock
from customers.models import Customer
from customers.selectors import get_buyer_customer, list_ship_tos
from orders import selectors
from orders.forms import CheckoutForm, ProxyOrderForm, QuickOrderForm, TemplateForm, new_key
from orders.services import cart as cart_services
from orders.services import templates as template_services
from orders.services.calendar import earliest_delivery_date
from orders.services.checkout import CheckoutDetails, RulesViolated, place_order, place_proxy_order
from orders.services.documents import order_view
from orders.services.quick_order import parse_lines, quick_order, resolve_entries
from orders.services.reorder import reorder
from pricing_rules import engine
from pricing_rules.messages import fee_message, hint_message, violation_message


def buyer_required(view):
    """Logged-in buyers only; staff and integration users have no cart (404, not 403)."""

    @login_required
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not getattr(request.user, "is_buyer", False):
            raise Http404
        try:
            return view(request, *args, **kwargs)
        except NotFound:  # another company's order or template: 404, never 403
            raise Http404 from None

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _stepper(line: engine.PricedLine) -> dict[str, int | None]:
    """Quantities the − and + buttons move to: the neighbouring valid quantities."""
    multiple = max(line.multiple, 1)
    minimum = max(line.min_quantity, 1)
    up = -(-(line.quantity + 1) // multiple) * multiple
    up = max(up, line.smallest_valid_quantity or minimum)
    if line.max_quantity is not None and up > line.max_quantity:
        up = None
    down = ((line.quantity - 1) // multiple) * multiple
    if line.max_quantity is not None and down > line.max_quantity:
        down = (line.max_quantity // multiple) * multiple
    return {"up": up, "down": down if down >= minimum else None}


def evaluation_context(evaluation: engine.Evaluation, products: dict | None = None) -> dict[str, Any]:
    """Lines with their own violations next to them; order-level violations next to the total."""
    by_sku: dict[str, list[str]] = defaultdict(list)
    order_level: list[dict[str, str]] = []
    for violation in evaluation.violations:
        if violation.sku:
            by_sku[violation.sku].append(violation_message(violation))
        elif violation.code != "empty_cart":
            order_level.append({"code": violation.code, "message": violation_message(violation)})
    lines = [
        {
            "line": line,
            "product": (products or {}).get(line.sku),
            "violations": by_sku.get(line.sku, []),
            "stepper": _stepper(line),
        }
        for line in evaluation.lines
    ]
    return {
        "evaluation": evaluation,
        "lines": lines,
        "order_violations": order_level,
        "fees": [{"fee": fee, "label": fee_message(fee)} for fee in evaluation.fees],
        "hints": [{"code": hint.code, "message": hint_message(hint)} for hint in evaluation.hints],
        "tax": [(rate, evaluation.tax.get(rate, 0)) for rate in engine.TAX_RATES],
    }


def _cart_context(request: HttpRequest) -> dict[str, Any]:
    state = cart_services.buyer_cart(buyer=request.user, on=timezone.localdate())
    return {"state": state, **evaluation_context(state.evaluation, state.products)}


@buyer_required
def cart(request: HttpRequest) -> HttpResponse:
    context = _cart_context(request)
    context["template_form"] = TemplateForm()
    return render(request, "orders/cart.html", context)


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
        product = cart_services.get_orderable_product(sku=request.POST.get("sku", ""), buyer=request.user)
        quantity = cart_services.parse_quantity(request.POST.get("quantity", "1"), allow_zero=False)
        cart_services.add_items(buyer=request.user, items=[(product, quantity)])
    except ApplicationError as exc:
        message, ok = exc.message, False
    else:
        message = gettext("Added %(quantity)s %(unit)s of %(name)s to the cart.") % {
            "quantity": f"{quantity:,}",
            "unit": product.unit,
            "name": product.name,
        }
        ok = True
    if request.htmx:
        response = render(request, "orders/_cart_added.html", {"message": message, "ok": ok})
        response["HX-Trigger"] = "cart-changed"
        return response
    (messages.success if ok else messages.error)(request, message)
    return HttpResponseRedirect(_safe_back(request, reverse("orders:cart")))


@buyer_required
@require_POST
def cart_line(request: HttpRequest, sku: str) -> HttpResponse:
    """Set one line's quantity (stepper or field); 0 or ``remove`` deletes it."""
    try:
        product = cart_services.get_orderable_product(sku=sku, buyer=request.user)
        # "set" is a stepper button's target quantity; otherwise the typed quantity.
        raw = (
            "0" if "remove" in request.POST else (request.POST.get("set") or request.POST.get("quantity", ""))
        )
        quantity = cart_services.parse_quantity(raw)
        cart_services.set_quantity(buyer=request.user, product=product, quantity=quantity)
    except NotFound:
        # An inactive product can still be removed from the cart.
        from orders.models import CartLine

        CartLine.objects.filter(cart__buyer=request.user, product__sku=sku).delete()
    except ApplicationError as exc:
        messages.error(request, exc.message)
    if request.htmx:
        context = _cart_context(request)
        context["template_form"] = TemplateForm()
        return render(request, "orders/_cart.html", context)
    return redirect("orders:cart")


@buyer_required
def quick_order_view(request: HttpRequest) -> HttpResponse:
    result = None
    form = QuickOrderForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("file")
        try:
            if upload is not None:
                result = quick_order(buyer=request.user, csv_bytes=upload.read(1024 * 1024))
            else:
                result = quick_order(buyer=request.user, text=form.cleaned_data["lines"])
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
    return render(request, "orders/quick_order.html", {"form": form, "result": result})


@buyer_required
def templates_view(request: HttpRequest) -> HttpResponse:
    customer = get_buyer_customer(user=request.user)
    if request.method == "POST":
        form = TemplateForm(request.POST)
        if form.is_valid():
            try:
                template_services.save_cart_as_template(buyer=request.user, name=form.cleaned_data["name"])
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
    added, skipped = template_services.add_template_to_cart(buyer=request.user, template_id=template_id)
    messages.success(request, gettext("%(count)s lines were added to the cart.") % {"count": len(added)})
    for product in skipped:
        messages.warning(request, gettext("%(name)s is no longer available.") % {"name": product.name})
    return redirect("orders:cart")


@buyer_required
@require_POST
def template_delete(request: HttpRequest, template_id: int) -> HttpResponse:
    template_services.delete_template(buyer=request.user, template_id=template_id)
    return redirect("orders:templates")


@buyer_required
def checkout(request: HttpRequest) -> HttpResponse:
    customer = get_buyer_customer(user=request.user)
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
                buyer=request.user,
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
        state = cart_services.buyer_cart(buyer=request.user, on=timezone.localdate(), ship_to_id=ship_to_id)
    except NotFound:
        state = cart_services.buyer_cart(buyer=request.user, on=timezone.localdate())
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
    customer = get_buyer_customer(user=request.user)
    order = selectors.get_order(customer=customer, number=number)
    return render(request, "orders/placed.html", {"order": order, "view": order_view(order)})


@buyer_required
def history(request: HttpRequest) -> HttpResponse:
    customer = get_buyer_customer(user=request.user)
    page = Paginator(selectors.list_orders(customer=customer), 20).get_page(request.GET.get("page"))
    return render(request, "orders/history.html", {"page": page})


@buyer_required
def order_detail(request: HttpRequest, number: str) -> HttpResponse:
    customer = get_buyer_customer(user=request.user)
    try:
        order = selectors.get_order(customer=customer, number=number)
    except NotFound:
        raise Http404 from None
    return render(request, "orders/order_detail.html", {"order": order, "view": order_view(order)})


@buyer_required
@require_POST
def order_reorder(request: HttpRequest, number: str) -> HttpResponse:
    try:
        result = reorder(buyer=request.user, number=number)
    except NotFound:
        raise Http404 from None
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("orders:cart")
    messages.success(
        request, gettext("%(count)s lines were added to the cart.") % {"count": len(result.added)}
    )
    for item in result.unavailable:
        messages.warning(request, gettext("%(name)s is no longer available.") % {"name": item["name"]})
    return redirect("orders:cart")


@staff_member_required
@permission_required("orders.add_order", raise_exception=True)
def proxy_order(request: HttpRequest) -> HttpResponse:
    """代理注文: staff key in a phone/FAX order; same evaluation and rules as the buyer's cart."""
    form = ProxyOrderForm(request.POST or None, initial={"idempotency_key": new_key()})
    context: dict[str, Any] = {"form": form}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        customer = (
            Customer.objects.select_related("price_group").filter(code=data["customer"].strip()).first()
        )
        if customer is None:
            form.add_error("customer", gettext("No customer with this code."))
            return render(request, "orders/proxy.html", context)
        rows = [
            (n, raw, raw.split()) for n, raw in enumerate(data["lines"].splitlines(), start=1) if raw.strip()
        ]
        entries, errors = parse_lines(rows)
        items, unknown = resolve_entries(entries, customer=customer)
        context["line_errors"] = sorted(errors + unknown, key=lambda e: e.line_no)
        context["customer"] = customer
        if context["line_errors"]:
            return render(request, "orders/proxy.html", context)
        try:
            ship_to = selectors.resolve_ship_to(customer=customer, ship_to_id=data.get("ship_to"))
        except NotFound as exc:
            form.add_error("ship_to", exc.message)
            return render(request, "orders/proxy.html", context)
        evaluation = cart_services.evaluate_cart(
            customer=customer,
            lines=items,
            ship_to_prefecture=ship_to.get("prefecture", ""),
            on=timezone.localdate(),
            credit_available=selectors.credit_available(customer=customer),
            channel=data["channel"],
        )
        context.update(evaluation_context(evaluation))
        context["ship_to"] = ship_to
        if "place" in request.POST:
            details = CheckoutDetails(
                ship_to_id=data.get("ship_to"),
                requested_delivery_date=data.get("requested_delivery_date"),
                po_number=data.get("po_number", ""),
                note=data.get("note", ""),
            )
            try:
                placed_order = place_proxy_order(
                    staff=request.user,
                    customer=customer,
                    items=items,
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
                        None,
                        gettext("%(sku)s: only %(available)s left (you asked for %(requested)s).") % line,
                    )
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request, gettext("Order %(number)s was placed.") % {"number": placed_order.order.number}
                )
                return redirect(reverse("admin:orders_order_change", args=[placed_order.order.pk]))
    return render(request, "orders/proxy.html", context)
