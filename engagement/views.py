"""Reminder pages: the cart link from the e-mail (sign-in first, own company only) and one-click unsubscribe."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from catalog.prices import price_sheets
from catalog.selectors import visible_products
from customers.auth import signed_in_user
from customers.selectors import get_buyer_customer
from engagement import cross_sell, dormant, selectors, services
from engagement.models import EmailOptOut, ReminderDigest, ReorderReminder


@login_required
def reminder(request: HttpRequest, digest_id: int) -> HttpResponse:
    """The due items at today's prices; POST puts them into the cart. Another company's reminder is 404."""
    customer = get_buyer_customer(user=signed_in_user(request))
    digest = ReminderDigest.objects.filter(pk=digest_id, customer=customer).first()
    if digest is None:
        raise Http404
    if request.method == "POST":
        count = services.fill_cart_from_reminder(buyer=signed_in_user(request), digest=digest)
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
        _user_id, topic = services.read_unsubscribe_token(token=token)
        label = EmailOptOut.Topic(topic).label
        if request.method == "POST":
            services.unsubscribe(token=token, now=timezone.now())
            return render(request, "engagement/unsubscribe.html", {"done": True, "topic": label})
    except services.BadUnsubscribeLink as exc:
        message = (
            _("This unsubscribe link has expired. Please use the link in a newer e-mail or contact us.")
            if exc.expired
            else _("This unsubscribe link is not valid. Please use the link exactly as it is in the e-mail.")
        )
        return render(request, "engagement/unsubscribe.html", {"error": message}, status=400)
    return render(request, "engagement/unsubscribe.html", {"token": token, "topic": label})


@login_required
def favourites(request: HttpRequest) -> HttpResponse:
    """よく買う商品: the company's frequently bought items, each added to the cart in one tap."""
    customer = get_buyer_customer(user=signed_in_user(request))
    today = timezone.localdate()
    found = selectors.list_favourites(customer_id=customer.id, since=today - timedelta(days=365))
    # Only what the company may still see: a product hidden since it was bought is left out.
    products = visible_products(customer=customer).in_bulk([f.product_id for f in found])
    sheets = price_sheets(customer=customer, products=list(products.values()), on=today)
    rows = [
        {
            "favourite": f,
            "product": products[f.product_id],
            "unit_price": sheets[f.product_id].unit_price(f.last_quantity),
        }
        for f in found
        if f.product_id in products
    ]
    return render(request, "engagement/favourites.html", {"rows": rows, "can_order": customer.ec_enabled})


@staff_member_required
def dormant_customers(request: HttpRequest) -> HttpResponse:
    """Inside sales: dormant customers by past revenue, with whom to call; POST sends reactivation e-mails."""
    today = timezone.localdate()
    if request.method == "POST":
        ids = [int(v) for v in request.POST.getlist("customer") if v.isdigit()]
        count = dormant.send_reactivation_emails(customer_ids=ids, on=today, now=timezone.now())
        messages.success(request, _("%(n)d reactivation e-mail(s) queued.") % {"n": count})
        return redirect("engagement:dormant")
    rows = dormant.list_dormant_customers(on=today)
    return render(
        request,
        "engagement/dormant.html",
        {"rows": rows, "title": _("Dormant customers"), "site_header": _("b2bshop administration")},
    )


@login_required
def cross_sell_panel(request: HttpRequest) -> HttpResponse:
    """htmx fragment: what goes with a product (``?product=SKU``) or with the cart (no parameter).

    Loaded after the page, so the product and cart pages keep their own query counts. A hidden or
    unknown product is 404; staff without a company get an empty fragment.
    """
    if not getattr(request.user, "is_buyer", False):
        return HttpResponse("")
    buyer = signed_in_user(request)
    customer = get_buyer_customer(user=buyer)
    today, now = timezone.localdate(), timezone.now()
    context: dict[str, Any]
    sku = request.GET.get("product", "")
    if sku:
        product = visible_products(customer=customer).filter(sku=sku).first()
        if product is None:
            raise Http404
        items = cross_sell.cross_sell_for(customer=customer, product_ids=[product.id], on=today, now=now)
        context = {"items": items, "hint": None}
    else:
        panel = cross_sell.cart_panel(buyer=buyer, on=today, now=now)
        context = {"items": panel.cross_sell, "hint": panel.hint}
    context["can_order"] = customer.ec_enabled
    return render(request, "engagement/_cross_sell_panel.html", context)
