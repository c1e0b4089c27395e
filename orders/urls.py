from django.urls import path

from orders import views, views_approval

app_name = "orders"
urlpatterns = [
    path("cart/", views.cart, name="cart"),
    path("cart/add/", views.cart_add, name="cart_add"),
    path("cart/lines/<str:sku>/", views.cart_line, name="cart_line"),
    path("quick/", views.quick_order_view, name="quick_order"),
    path("templates/", views.templates_view, name="templates"),
    path("templates/<int:template_id>/add/", views.template_add, name="template_add"),
    path("templates/<int:template_id>/delete/", views.template_delete, name="template_delete"),
    path("checkout/", views.checkout, name="checkout"),
    path("history/", views.history, name="history"),
    path("history/<str:number>/", views.order_detail, name="detail"),
    path("history/<str:number>/placed/", views.placed, name="placed"),
    path("history/<str:number>/reorder/", views.order_reorder, name="reorder"),
    path("staff/proxy/", views.proxy_order, name="proxy"),
    path("approvals/", views_approval.approvals, name="approvals"),
    path(
        "history/<str:number>/approve/",
        views_approval.decide,
        {"decision": "approve"},
        name="approve",
    ),
    path(
        "history/<str:number>/reject/",
        views_approval.decide,
        {"decision": "reject"},
        name="reject",
    ),
]
