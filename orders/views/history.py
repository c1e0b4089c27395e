"""Order history: the list of the company's orders, one order, and ordering it again."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from b2bshop.errors import ApplicationError, NotFound
from b2bshop.views import buyer_required
from customers.auth import signed_in_user
from customers.selectors import get_buyer_customer
from orders import selectors
from orders.services.documents import order_view
from orders.services.reorder import reorder


@buyer_required
def history(request: HttpRequest) -> HttpResponse:
    customer = get_buyer_customer(user=signed_in_user(request))
    page = Paginator(selectors.list_orders(customer=customer), 20).get_page(request.GET.get("page"))
    return render(request, "orders/history.html", {"page": page})


@buyer_required
def order_detail(request: HttpRequest, number: str) -> HttpResponse:
    customer = get_buyer_customer(user=signed_in_user(request))
    order = selectors.get_order(customer=customer, number=number)
    return render(request, "orders/order_detail.html", {"order": order, "view": order_view(order)})


@buyer_required
@require_POST
def order_reorder(request: HttpRequest, number: str) -> HttpResponse:
    try:
        result = reorder(buyer=signed_in_user(request), number=number)
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
