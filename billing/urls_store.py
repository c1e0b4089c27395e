from django.urls import path

from billing import api_store

urlpatterns = [
    path("invoices", api_store.StoreInvoiceListApi.as_view(), name="store-invoices"),
    path("invoices/<str:number>.pdf", api_store.StoreInvoicePdfApi.as_view(), name="store-invoice-pdf"),
    path("invoices/<str:number>", api_store.StoreInvoiceDetailApi.as_view(), name="store-invoice"),
    path(
        "orders/<str:number>/delivery-slip.pdf",
        api_store.StoreDeliverySlipPdfApi.as_view(),
        name="store-order-delivery-slip",
    ),
]
