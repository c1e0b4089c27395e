from django.urls import path

from orders import api_erp

urlpatterns = [
    path("orders", api_erp.ErpOrderListApi.as_view(), name="erp-orders"),
    path("orders/<str:number>", api_erp.ErpOrderDetailApi.as_view(), name="erp-order"),
    path("orders/<str:number>/events", api_erp.ErpOrderEventApi.as_view(), name="erp-order-events"),
]
