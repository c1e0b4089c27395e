from django.urls import path

from engagement import views

app_name = "engagement"
urlpatterns = [
    path("staff/dormant/", views.dormant_customers, name="dormant"),
    path("favourites/", views.favourites, name="favourites"),
    path("cross-sell/", views.cross_sell_panel, name="cross_sell"),
    path("reminders/<int:digest_id>/", views.reminder, name="reminder"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
