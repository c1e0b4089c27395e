"""Order history: the list of the company's orders, one order, and ordering it again."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from b2bshop.errors import ApplicationError, NotFound
from b2bshop.views import buyer_required
from customers.auth import signed_in_user
from customers.selectors import get_buyer_customer
from orders import selectors
from orders.forms import OrderSearchForm
from orders.services.documents import order_view
from orders.services.history_export import write_history_csv
from orders.services.reorder import reorder


def _filters(request: HttpRequest) -> tuple[selectors.OrderFilters, OrderSearchForm]:
    form = OrderSearchForm(request.GET or None)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = selectors.OrderFilters(
            query=data.get("q") or "", date_from=data.get("date_from"), date_to=data.get("date_to")
        )
        return filters, form
    return selectors.OrderFilters(), form


@buyer_required
def history(request: HttpRequest) -> HttpResponse:
    """The company's orders, searchable by number, PO number, SKU or product name and by date."""
    customer = get_buyer_customer(user=signed_in_user(request))
    filters, form = _filters(request)
    page = Paginator(selectors.search_orders(customer=customer, filters=filters), 20).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "orders/history.html", {"page": page, "form": form, "query": query.urlencode()})


@buyer_required
def history_csv(request: HttpRequest) -> HttpResponse:
    """The same search as CSV (one row per order line), for the buyer's spreadsheet."""
    customer = get_buyer_customer(user=signed_in_user(request))
    filters, _form = _filters(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="orders-{stamp}.csv"'
    write_history_csv(customer=customer, filters=filters, out=response)
    return response


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
