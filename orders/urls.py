from django.urls import path

from orders import views

app_name = "orders"
urlpatterns = [
    path("cart/add/", views.cart_add, name="cart_add"),
]
