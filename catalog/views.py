"""Storefront catalog pages (login-only, server-rendered): home, product list/search, category, product, company."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalog import display, selectors
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
    """Search results and category pages: count, sort, in-stock and category filters, add to cart per row."""
    customer = _customer(request)
    category = None
    if category_code is not None:
        category = selectors.get_category(code=category_code, customer=customer)
        if category is None:
            raise Http404
    elif request.GET.get("category"):
        category = selectors.get_category(code=request.GET["category"][:32], customer=customer)
    query = request.GET.get("q", "").strip()[:100]
    sort = request.GET.get("sort", "")
    sort = sort if sort in selectors.SORTS else ""
    in_stock = request.GET.get("in_stock") == "1"
    try:
        number = max(int(request.GET.get("page", "1")), 1)
    except ValueError:
        number = 1
    found = selectors.product_page(
        customer=customer, search=query, category=category, sort=sort, in_stock=in_stock,
        page=number, size=settings.CATALOG_PAGE_SIZE,
    )  # fmt: skip
    products, has_next, count = found.products, found.has_next, found.count
    offers = selectors.offers_for(customer=customer, products=products, on=timezone.localdate())
    ordering = _ordering_context(customer)
    rows_html = display.offer_rows_html(
        offers, can_order=bool(ordering["can_order"]), csrf_token=get_token(request)
    )
    filters: dict[str, str | int] = {"q": query, "sort": sort, "in_stock": "1" if in_stock else ""}
    if category is not None and category_code is None:
        filters["category"] = category.code
    context = {
        "category": category, "category_code": category_code, "query": query,
        "rows_html": rows_html,
        "page_number": number, "has_next": has_next, "has_previous": number > 1,
        "next_query": urlencode({k: v for k, v in {**filters, "page": number + 1}.items() if v}),
        "previous_query": urlencode({k: v for k, v in {**filters, "page": number - 1}.items() if v}),
        "count": count, "count_capped": count > selectors.COUNT_CAP, "count_cap": selectors.COUNT_CAP,
        "sort": sort, "in_stock": in_stock, "sorts": _sort_choices(),
        "categories": selectors.category_tree(customer=customer) if category_code is None else [],
        **ordering,
    }  # fmt: skip
    return render(request, "catalog/product_list.html", context)


def _sort_choices() -> list[tuple[str, str]]:
    return [
        ("", _("Recommended")),
        ("name", _("Sort by name")),
        ("price", _("Price: low to high")),
        ("price_desc", _("Price: high to low")),
        ("newest", _("Newest")),
    ]


@login_required
def product_detail(request: HttpRequest, sku: str) -> HttpResponse:
    customer = _customer(request)
    product = selectors.get_visible_product(sku=sku, customer=customer)
    if product is None:
        raise Http404
    offer = selectors.offers_for(customer=customer, products=[product], on=timezone.localdate())[0]
    return render(request, "catalog/product_detail.html", {"offer": offer, "product": product,
                                                           "offer_html": display.offer_html(offer, csrf_token=get_token(request)),
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


@login_required
def postal_code_lookup(request: HttpRequest) -> JsonResponse:
    """``?postal_code=3300061`` → prefecture / city / town for the ship-to form; 404 with a message if unknown."""
    found = customer_selectors.lookup_postal_code(request.GET.get("postal_code", "")[:16])
    if found is None:
        return JsonResponse(
            {"error": _("No address is known for this postal code; please type the address.")}, status=404
        )
    return JsonResponse(found)
