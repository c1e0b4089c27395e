"""Reminder pages: the cart link from the e-mail (sign-in first, own company only) and one-click unsubscribe."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from catalog.models import Product
from catalog.prices import price_sheets
from customers.selectors import get_buyer_customer
from engagement import selectors, services
from engagement.models import ReminderDigest, ReorderReminder


@login_required
def reminder(request: HttpRequest, digest_id: int) -> HttpResponse:
    """The due items at today's prices; POST puts them into the cart. Another company's reminder is 404."""
    customer = get_buyer_customer(user=request.user)  # type: ignore[arg-type]
    digest = ReminderDigest.objects.filter(pk=digest_id, customer=customer).first()
    if digest is None:
        raise Http404
    if request.method == "POST":
        count = services.fill_cart_from_reminder(buyer=request.user, digest=digest)  # type: ignore[arg-type]
        messages.success(request, _("%(n)d item(s) from your reminder are in the cart.") % {"n": count})
        return redirect("orders:cart")
    reminders = list(
        ReorderReminder.objects.filter(digest=digest).select_related("product").order_by("product__sku")
    )
    sheets = price_sheets(customer=customer, products=[r.product for r in reminders], on=timezone.localdate())
    lines = [
        {"reminder": r, "product": r.product, "unit_price": sheets[r.product_id].unit_price(r.quantity)}
        for r in reminders
    ]
    return render(request, "engagement/reminder.html", {"digest": digest, "lines": lines})


@csrf_exempt  # RFC 8058 one-click: the mail provider POSTs without a session; the signed token is the proof
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks for confirmation, POST unsubscribes. A tampered or expired link changes nothing."""
    try:
        services.read_unsubscribe_token(token=token)
        if request.method == "POST":
            services.unsubscribe(token=token, now=timezone.now())
            return render(request, "engagement/unsubscribe.html", {"done": True})
    except services.BadUnsubscribeLink as exc:
        message = (
            _("This unsubscribe link has expired. Please use the link in a newer e-mail or contact us.")
            if exc.expired
            else _("This unsubscribe link is not valid. Please use the link exactly as it is in the e-mail.")
        )
        return render(request, "engagement/unsubscribe.html", {"error": message}, status=400)
    return render(request, "engagement/unsubscribe.html", {"token": token})


@login_required
def favourites(request: HttpRequest) -> HttpResponse:
    """よく買う商品: the company's frequently bought items, each added to the cart in one tap."""
    customer = get_buyer_customer(user=request.user)  # type: ignore[arg-type]
    today = timezone.localdate()
    found = selectors.list_favourites(customer_id=customer.id, since=today - timedelta(days=365))
    products = Product.objects.in_bulk([f.product_id for f in found])
    sheets = price_sheets(customer=customer, products=list(products.values()), on=today)
    rows = [
        {
            "favourite": f,
            "product": products[f.product_id],
            "unit_price": sheets[f.product_id].unit_price(f.last_quantity),
        }
        for f in found
    ]
    return render(request, "engagement/favourites.html", {"rows": rows, "can_order": customer.ec_enabled})
