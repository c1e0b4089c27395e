from django.urls import path

from catalog import api_store

urlpatterns = [
    path("products", api_store.StoreProductListApi.as_view(), name="store-products"),
]
