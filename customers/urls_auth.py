"""Password reset and change for storefront users: Django's auth views with the shop's own templates.

Not namespaced: Django's views reverse these names (``password_reset_done`` ...) themselves. The
templates live under customers/password/ so the admin site keeps its own password pages.
"""

from django.contrib.auth import views as auth_views
from django.urls import path

from customers.forms import OutboxPasswordResetForm

T = "customers/password/"

urlpatterns = [
    path(
        "password/reset/",
        auth_views.PasswordResetView.as_view(
            template_name=T + "reset_form.html", form_class=OutboxPasswordResetForm
        ),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name=T + "reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(template_name=T + "reset_confirm.html"),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(template_name=T + "reset_complete.html"),
        name="password_reset_complete",
    ),
    path(
        "password/change/",
        auth_views.PasswordChangeView.as_view(template_name=T + "change_form.html"),
        name="password_change",
    ),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name=T + "change_done.html"),
        name="password_change_done",
    ),
]
