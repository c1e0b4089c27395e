"""Storefront approval pages (承認待ち): the company's waiting orders, approve and reject buttons.

Thin: the decision is ``orders.services.approval``; to anyone but an approver or company admin
of the order's company these pages do not exist (404).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from b2bshop.errors import ApplicationError, NotFound
from b2bshop.views import buyer_required
from customers.auth import signed_in_user
from customers.selectors import get_buyer_customer
from orders.services import approval


def _approver(request: HttpRequest) -> None:
    if not signed_in_user(request).can_approve:
        raise Http404


@buyer_required
def approvals(request: HttpRequest) -> HttpResponse:
    _approver(request)
    customer = get_buyer_customer(user=signed_in_user(request))
    orders = list(approval.list_awaiting_approval(customer=customer))
    return render(request, "orders/approvals.html", {"orders": orders})


@buyer_required
@require_POST
def decide(request: HttpRequest, number: str, decision: str) -> HttpResponse:
    _approver(request)
    service = approval.approve_order if decision == "approve" else approval.reject_order
    try:
        order = service(
            approver=signed_in_user(request),
            number=number,
            now=timezone.now(),
            reason=request.POST.get("reason", ""),
        )
    except NotFound:
        raise Http404 from None
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("orders:detail", number=number)
    if decision == "approve":
        messages.success(request, gettext("Order %(number)s was approved.") % {"number": order.number})
    else:
        messages.success(request, gettext("Order %(number)s was rejected.") % {"number": order.number})
    return redirect("orders:approvals")
