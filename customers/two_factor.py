"""Optional TOTP for staff (django-otp): enrolment, and when the admin asks for a code.

A staff user who enrolled an authenticator app must give a code at every admin login; with
``ADMIN_REQUIRE_OTP`` every staff user must, so staff without a device enrol first at
``/staff/two-factor/`` (reachable after a password login on the storefront).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext
from django_otp.plugins.otp_totp.models import TOTPDevice

from b2bshop.errors import ValidationFailed
from customers.models import User

DEVICE_NAME = "authenticator"


def has_confirmed_device(*, user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def otp_required_for(*, user: User) -> bool:
    """True if this staff user must give a TOTP code to use the admin (asks the database)."""
    return bool(user.is_staff and (settings.ADMIN_REQUIRE_OTP or has_confirmed_device(user=user)))


# Whether the signed-in staff user had an authenticator at login: kept in the session so staff
# pages do not ask the database on every request.
SESSION_FLAG = "_staff_otp_device"


def otp_required_for_session(*, user: User, session: Any) -> bool:
    """True if this session's staff user must have given a TOTP code (no query)."""
    return bool(user.is_staff and (settings.ADMIN_REQUIRE_OTP or session.get(SESSION_FLAG)))


def remember_device_on_login(sender: object, request: Any = None, user: Any = None, **kwargs: object) -> None:
    """user_logged_in receiver: note in the session whether this staff user has an authenticator."""
    session = getattr(request, "session", None)
    if session is not None and isinstance(user, User) and user.is_staff:
        session[SESSION_FLAG] = has_confirmed_device(user=user)


def confirmed_device(*, user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def start_totp_enrolment(*, user: User, restart: bool) -> TOTPDevice:
    """The user's unconfirmed device: a fresh secret when enrolment starts over, else the pending one."""
    with transaction.atomic():
        pending = TOTPDevice.objects.filter(user=user, confirmed=False)
        if not restart and (device := pending.order_by("-pk").first()) is not None:
            return device
        pending.delete()
        return TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def confirm_totp_enrolment(*, user: User, token: str) -> TOTPDevice:
    """Confirm the pending device with a code from the app (replacing any older one). Raises ValidationFailed."""
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("-pk").first()
        )
        if device is None or not device.verify_token(token.strip()):
            raise ValidationFailed(gettext("The code is not correct. Enter the current 6-digit code."))
        TOTPDevice.objects.filter(user=user, confirmed=True).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        return device
