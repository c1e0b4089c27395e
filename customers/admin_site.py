"""The Django admin with the staff TOTP check (django-otp).

Staff who enrolled an authenticator (or every staff user, with ADMIN_REQUIRE_OTP) give a code at the
admin login; a session that logged in without one (for example on the storefront) is not let in.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_otp.admin import OTPAdminAuthenticationForm

from customers import two_factor
from customers.models import User


class StaffLoginForm(OTPAdminAuthenticationForm):
    """Password, plus a TOTP code only for staff who need one."""

    otp_token = forms.CharField(
        label=_("Authenticator code"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}),
    )
    otp_error_messages = dict(
        OTPAdminAuthenticationForm.otp_error_messages,
        token_required=_("Enter the 6-digit code from your authenticator app."),
        invalid_token=_("The code is not correct. Enter the current 6-digit code."),
        device_required=_("Set up two-step verification first at /staff/two-factor/."),
    )

    def clean(self) -> dict[str, Any]:
        # The password check of Django's admin form; the OTP step only for staff who need it.
        self.cleaned_data = super(OTPAdminAuthenticationForm, self).clean()
        user = self.get_user()
        if isinstance(user, User) and two_factor.otp_required_for(user=user):
            self.clean_otp(user)
        return self.cleaned_data

    def _chosen_device(self, user: Any) -> Any:
        # One authenticator per user: verify against it without asking which device.
        return super()._chosen_device(user) or two_factor.confirmed_device(user=user)


class ShopAdminSite(admin.AdminSite):
    login_form = StaffLoginForm
    login_template = "admin/staff_login.html"

    def has_permission(self, request: HttpRequest) -> bool:
        if not super().has_permission(request):
            return False
        user = request.user
        if isinstance(user, User) and two_factor.otp_required_for_session(user=user, session=request.session):
            return bool(user.is_verified())  # type: ignore[attr-defined]  # set by OTPMiddleware
        return True
