from django.urls import path

from billing import views

app_name = "billing"
urlpatterns = [
    path("", views.invoice_list, name="invoices"),
    path("<str:number>.pdf", views.invoice_pdf, name="invoice_pdf"),
    path("slips/<str:number>.pdf", views.delivery_slip_pdf, name="delivery_slip_pdf"),
]
