"""Storefront catalog pages (login-only, server-rendered): home, product list/search, category, product, company."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalog import selectors
from catalog.forms import ShipToForm
from customers import selectors as customer_selectors
from customers import services as customer_services
from customers.auth import signed_in_user
from customers.models import Customer
from customers.selectors import get_buyer_customer


def _customer(request: HttpRequest) -> Customer | None:
    """The buyer's company (price group and sales rep joined), or None for staff browsing at list price."""
    if not getattr(request.user, "customer_id", None):
        return None
    return get_buyer_customer(user=signed_in_user(request))


def _ordering_context(customer: Customer | None) -> dict[str, object]:
    rep = customer.owner if customer is not None and customer.owner_id else None
    return {
        "customer": customer,
        "can_order": customer is not None and customer.ec_enabled,
        "contact_phone": settings.SHOP_CONTACT_PHONE,
        "sales_rep": (rep.full_name or rep.email) if rep is not None else "",
    }


@login_required
def home(request: HttpRequest) -> HttpResponse:
    categories = selectors.category_tree(customer=_customer(request))
    return render(request, "catalog/home.html", {"categories": categories})


@login_required
def product_list(request: HttpRequest, category_code: str | None = None) -> HttpResponse:
    """Search results and category pages: this buyer's prices, availability, MOQ and multiple."""
    customer = _customer(request)
    category = None
    if category_code is not None:
        category = selectors.get_category(code=category_code, customer=customer)
        if category is None:
            raise Http404
    query = request.GET.get("q", "").strip()[:100]
    try:
        number = max(int(request.GET.get("page", "1")), 1)
    except ValueError:
        number = 1
    products, has_next = selectors.page_of(
        selectors.list_products(customer=customer, search=query, category=category),
        page=number,
        size=settings.CATALOG_PAGE_SIZE,
    )
    offers = selectors.offers_for(customer=customer, products=products, on=timezone.localdate())
    context = {
        "category": category, "query": query, "offers": offers, "page_number": number, "has_next": has_next,
        "has_previous": number > 1, "next_page": number + 1, "previous_page": number - 1,
        **_ordering_context(customer),
    }  # fmt: skip
    return render(request, "catalog/product_list.html", context)


@login_required
def product_detail(request: HttpRequest, sku: str) -> HttpResponse:
    customer = _customer(request)
    product = selectors.get_visible_product(sku=sku, customer=customer)
    if product is None:
        raise Http404
    offer = selectors.offers_for(customer=customer, products=[product], on=timezone.localdate())[0]
    return render(request, "catalog/product_detail.html", {"offer": offer, "product": product,
                                                           **_ordering_context(customer)})  # fmt: skip


@login_required
def my_company(request: HttpRequest) -> HttpResponse:
    """Buyers and ship-to addresses of the buyer's own company; company admins may add a ship-to."""
    customer = _customer(request)
    if customer is None:
        raise Http404
    form = ShipToForm()
    return render(request, "catalog/company.html", _company_context(request, customer, form))


@login_required
@require_POST
def ship_to_add(request: HttpRequest) -> HttpResponse:
    customer = _customer(request)
    if customer is None:
        raise Http404
    if not customer_selectors.can_manage_ship_tos(user=signed_in_user(request)):
        messages.error(request, _("Only a company administrator can add delivery addresses."))
        return redirect("catalog:company")
    form = ShipToForm(request.POST)
    if not form.is_valid():
        return render(request, "catalog/company.html", _company_context(request, customer, form), status=400)
    customer_services.add_ship_to(customer=customer, user=signed_in_user(request), **form.cleaned_data)
    messages.success(request, _("The delivery address was added."))
    return redirect("catalog:company")


def _company_context(request: HttpRequest, customer: Customer, form: ShipToForm) -> dict[str, object]:
    return {
        "customer": customer,
        "buyers": customer_selectors.list_buyers(customer=customer),
        "ship_tos": customer_selectors.list_ship_tos(customer=customer),
        "can_manage": customer_selectors.can_manage_ship_tos(user=signed_in_user(request)),
        "form": form,
    }
