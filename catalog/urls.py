from django.urls import path

from catalog import views

app_name = "catalog"
urlpatterns = [
    path("", views.home, name="home"),
    path("products/", views.product_list, name="product_list"),
    path("products/<str:sku>/", views.product_detail, name="product_detail"),
    path("categories/<str:category_code>/", views.product_list, name="category"),
    path("company/", views.my_company, name="company"),
    path("company/ship-tos/", views.ship_to_add, name="ship_to_add"),
    path("company/postal-code/", views.postal_code_lookup, name="postal_code"),
]
