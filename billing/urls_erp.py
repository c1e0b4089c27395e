from django.urls import path

from billing import api_erp

urlpatterns = [
    path("customers/<str:code>/payments", api_erp.PaymentApi.as_view(), name="erp-customer-payments"),
    path("invoices", api_erp.ErpInvoiceListApi.as_view(), name="erp-invoices"),
    path("invoices/<str:number>.pdf", api_erp.ErpInvoicePdfApi.as_view(), name="erp-invoice-pdf"),
    path("invoices/<str:number>", api_erp.ErpInvoiceDetailApi.as_view(), name="erp-invoice"),
]
