from django.urls import path

from engagement import views

app_name = "engagement"
urlpatterns = [
    path("favourites/", views.favourites, name="favourites"),
    path("reminders/<int:digest_id>/", views.reminder, name="reminder"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
