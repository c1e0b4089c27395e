from django.urls import path

from catalog import api_erp

urlpatterns = [
    path("products/bulk", api_erp.ProductBulkApi.as_view(), name="erp-products-bulk"),
    path("products/<str:sku>", api_erp.ProductUpsertApi.as_view(), name="erp-product"),
    path("stock", api_erp.StockApi.as_view(), name="erp-stock"),
    path("prices/bulk", api_erp.PriceBulkApi.as_view(), name="erp-prices-bulk"),
    path("customers/<str:code>/visibility", api_erp.VisibilityApi.as_view(), name="erp-customer-visibility"),
    path(
        "price-groups/<str:code>/visibility",
        api_erp.PriceGroupVisibilityApi.as_view(),
        name="erp-price-group-visibility",
    ),
]
