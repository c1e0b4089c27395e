from django.urls import path

from customers import api_erp

urlpatterns = [
    path("customers/<str:code>", api_erp.CustomerUpsertApi.as_view(), name="erp-customer"),
]
