"""Staff TOTP beyond the admin: a staff session that needs a code and has not given one goes nowhere.

Staff pages live outside the admin too (proxy orders, dormant customers); without this a staff user
with an authenticator could log in on the storefront with the password alone and use them. Buyers
never pay for it (one attribute check), nor do staff: whether they have an authenticator is noted
in the session at login (customers.two_factor.remember_device_on_login).
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from customers import two_factor
from customers.models import User

# Where an unverified staff session may still go: to log in with the code, out, or change language.
ALLOWED_PREFIXES = (
    "/admin/login/",
    "/admin/logout/",
    "/login/",
    "/logout/",
    "/static/",
    "/i18n/",
    "/healthz",
)


class StaffOtpMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            isinstance(user, User)
            and user.is_staff
            and not request.path.startswith(ALLOWED_PREFIXES)
            and not user.is_verified()  # type: ignore[attr-defined]  # set by django_otp's OTPMiddleware
            and two_factor.otp_required_for_session(user=user, session=request.session)
        ):
            enrolling = request.path == reverse("accounts:two_factor")
            if not (enrolling and not two_factor.has_confirmed_device(user=user)):
                return HttpResponseRedirect(f"{reverse('admin:login')}?{urlencode({'next': request.path})}")
        return self.get_response(request)
