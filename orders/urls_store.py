from django.urls import path

from orders import api_store

urlpatterns = [
    path("cart", api_store.CartApi.as_view(), name="store-cart"),
    path("cart/items/<str:sku>", api_store.CartItemApi.as_view(), name="store-cart-item"),
    path("checkout", api_store.CheckoutApi.as_view(), name="store-checkout"),
    path("orders", api_store.OrderListApi.as_view(), name="store-orders"),
    path("approvals", api_store.AwaitingApprovalListApi.as_view(), name="store-approvals"),
    path("orders/<str:number>", api_store.OrderDetailApi.as_view(), name="store-order"),
    path("orders/<str:number>/reorder", api_store.ReorderApi.as_view(), name="store-reorder"),
    path("orders/<str:number>/approve", api_store.ApproveOrderApi.as_view(), name="store-order-approve"),
    path("orders/<str:number>/reject", api_store.RejectOrderApi.as_view(), name="store-order-reject"),
]
