from django.urls import path

from customers import views

app_name = "accounts"
urlpatterns = [
    path("company/users/", views.members, name="members"),
    path("company/users/invite/", views.invite, name="invite"),
    path("company/users/<int:user_id>/", views.member, name="member"),
    path(
        "company/users/<int:user_id>/deactivate/", views.member_active, {"active": False}, name="deactivate"
    ),
    path("company/users/<int:user_id>/reactivate/", views.member_active, {"active": True}, name="reactivate"),
    path("invitation/<str:token>/", views.accept_invitation, name="accept_invitation"),
    path("staff/two-factor/", views.two_factor_setup, name="two_factor"),
]
