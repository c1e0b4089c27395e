from django.urls import path

from orders.views import approval, cart, checkout, history, staff

app_name = "orders"
urlpatterns = [
    path("cart/", cart.cart, name="cart"),
    path("cart/add/", cart.cart_add, name="cart_add"),
    path("cart/lines/<str:sku>/", cart.cart_line, name="cart_line"),
    path("quick/", cart.quick_order_view, name="quick_order"),
    path("templates/", cart.templates_view, name="templates"),
    path("templates/<int:template_id>/add/", cart.template_add, name="template_add"),
    path("templates/<int:template_id>/delete/", cart.template_delete, name="template_delete"),
    path("checkout/", checkout.checkout, name="checkout"),
    path("history/", history.history, name="history"),
    path("history.csv", history.history_csv, name="history_csv"),
    path("history/<str:number>/", history.order_detail, name="detail"),
    path("history/<str:number>/placed/", checkout.placed, name="placed"),
    path("history/<str:number>/reorder/", history.order_reorder, name="reorder"),
    path("staff/proxy/", staff.proxy_order, name="proxy"),
    path("staff/proxy/customers/", staff.proxy_customers, name="proxy_customers"),
    path("approvals/", approval.approvals, name="approvals"),
    path("history/<str:number>/approve/", approval.decide, {"decision": "approve"}, name="approve"),
    path("history/<str:number>/reject/", approval.decide, {"decision": "reject"}, name="reject"),
]
