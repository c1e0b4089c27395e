"""Storefront pages: the company's invoices and PDF downloads (invoices and delivery slips)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from b2bshop.views import buyer_required
from billing import selectors
from billing.pdf import pdf_response, render_delivery_slip_pdf, render_invoice_pdf
from customers.auth import signed_in_user
from customers.selectors import get_buyer_customer
from orders import selectors as order_selectors


@buyer_required
def invoice_list(request: HttpRequest) -> HttpResponse:
    customer = get_buyer_customer(user=signed_in_user(request))
    page = Paginator(selectors.list_invoices(customer=customer), 24).get_page(request.GET.get("page"))
    ageing = selectors.customer_ageing(customer=customer, today=timezone.localdate())
    return render(request, "billing/invoices.html", {"page": page, "ageing": ageing})


@buyer_required
def invoice_pdf(request: HttpRequest, number: str) -> HttpResponse:
    customer = get_buyer_customer(user=signed_in_user(request))
    invoice = selectors.get_invoice(number=number, customer=customer)
    return pdf_response(render_invoice_pdf(invoice), filename=f"{invoice.number}.pdf")


@buyer_required
def delivery_slip_pdf(request: HttpRequest, number: str) -> HttpResponse:
    customer = get_buyer_customer(user=signed_in_user(request))
    order = order_selectors.get_order(customer=customer, number=number)
    return pdf_response(render_delivery_slip_pdf(order), filename=f"{order.number}-slip.pdf")
