"""Storefront pages owned by customers: company users (admin only), invitations, the language switch.

Thin: read the form, call one ``customers.services`` function, render. To anyone but the company's
admin the user pages do not exist (404); another company's user is 404 too.
"""

from __future__ import annotations

from base64 import b32encode

import qrcode
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language
from django_otp import login as otp_login
from qrcode.image.svg import SvgPathImage

from b2bshop.api import error_body
from b2bshop.errors import NotFound, ValidationFailed
from customers import selectors, services, two_factor
from customers.auth import signed_in_user
from customers.forms import InviteForm, MemberForm


def _members_page(request: HttpRequest, invite_form: InviteForm, status: int = 200) -> HttpResponse:
    members = selectors.list_members(admin=signed_in_user(request), now=timezone.now())
    return render(request, "customers/members.html", {"members": members, "form": invite_form}, status=status)


@login_required
def members(request: HttpRequest) -> HttpResponse:
    try:
        return _members_page(request, InviteForm(initial={"role": "buyer"}))
    except NotFound:
        raise Http404 from None


@login_required
@require_POST
def invite(request: HttpRequest) -> HttpResponse:
    form = InviteForm(request.POST)
    try:
        if not form.is_valid():
            return _members_page(request, form, status=400)
        data = form.cleaned_data
        try:
            services.invite_member(
                admin=signed_in_user(request),
                email=data["email"],
                full_name=data["full_name"],
                role=data["role"],
                spending_limit=data["spending_limit"],
                now=timezone.now(),
            )
        except ValidationFailed as exc:
            form.add_error("email", exc.message)
            return _members_page(request, form, status=400)
    except NotFound:
        raise Http404 from None
    messages.success(request, gettext("An invitation was sent to %(email)s.") % {"email": data["email"]})
    return redirect("accounts:members")


@login_required
def member(request: HttpRequest, user_id: int) -> HttpResponse:
    try:
        user = selectors.get_member(admin=signed_in_user(request), user_id=user_id)
        form = MemberForm(
            request.POST or None, initial={"role": user.role, "spending_limit": user.spending_limit}
        )
        if request.method == "POST" and form.is_valid():
            try:
                services.update_member(
                    admin=signed_in_user(request),
                    user_id=user.pk,
                    role=form.cleaned_data["role"],
                    spending_limit=form.cleaned_data["spending_limit"],
                )
            except ValidationFailed as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request, gettext("The settings of %(email)s were saved.") % {"email": user.email}
                )
                return redirect("accounts:members")
    except NotFound:
        raise Http404 from None
    status = 400 if form.errors else 200
    return render(request, "customers/member.html", {"member": user, "form": form}, status=status)


@login_required
@require_POST
def member_active(request: HttpRequest, user_id: int, active: bool) -> HttpResponse:
    try:
        user = services.set_member_active(
            admin=signed_in_user(request), user_id=user_id, active=active, now=timezone.now()
        )
    except NotFound:
        raise Http404 from None
    except ValidationFailed as exc:
        messages.error(request, exc.message)
        return redirect("accounts:member", user_id=user_id)
    if active:
        messages.success(request, gettext("%(email)s can log in again.") % {"email": user.email})
    else:
        messages.success(request, gettext("%(email)s can no longer log in.") % {"email": user.email})
    return redirect("accounts:members")


def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The invited colleague sets a password (the configured validators apply); the link then stops working."""
    now = timezone.now()
    try:
        invitation = selectors.get_open_invitation(token=token, now=now)
    except NotFound as exc:
        return render(request, "customers/invitation_invalid.html", {"message": exc.message}, status=404)
    form = SetPasswordForm(invitation.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.accept_invitation(token=token, password=form.cleaned_data["new_password1"], now=now)
        except NotFound as exc:
            return render(request, "customers/invitation_invalid.html", {"message": exc.message}, status=404)
        messages.success(request, gettext("Your password was set. Please log in."))
        return redirect("login")
    return render(
        request,
        "customers/accept_invitation.html",
        {"form": form, "invitation": invitation},
        status=400 if form.errors else 200,
    )


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch; a signed-in user's choice is also saved for their e-mails."""
    response = django_set_language(request)
    if request.user.is_authenticated:
        services.set_preferred_language(user=request.user, language=request.POST.get("language", ""))
    return response


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    """django-axes' answer once a (login name, address) pair is locked: 429 in the user's language.

    The same answer whether the login name exists or not; it says when to try again, never why.
    """
    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    message = gettext("Too many failed login attempts. Please try again in %(minutes)d minutes.") % {
        "minutes": minutes
    }
    retry_after = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(error_body("locked_out", message, {}), status=429)
    else:
        response = render(request, "registration/locked_out.html", {"message": message}, status=429)
    response["Retry-After"] = retry_after
    return response


@login_required
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Staff enrol an authenticator app: scan the QR code, confirm with one code. Others get 404."""
    user = signed_in_user(request)
    if not user.is_staff:
        raise Http404
    if two_factor.has_confirmed_device(user=user) and not user.is_verified():  # type: ignore[attr-defined]
        # Replacing an authenticator takes the current one: a password alone must not swap it.
        return redirect(f"{reverse('admin:login')}?next={request.path}")
    error = ""
    if request.method == "POST":
        try:
            device = two_factor.confirm_totp_enrolment(user=user, token=request.POST.get("token", ""))
        except ValidationFailed as exc:
            error = exc.message
        else:
            # The code just proved the device: this session is verified from now on.
            otp_login(request, device)
            request.session[two_factor.SESSION_FLAG] = True
            messages.success(request, gettext("Two-step verification is on. The admin will ask for a code."))
            return redirect("accounts:two_factor")
    device = two_factor.start_totp_enrolment(user=user, restart=request.method != "POST")
    qr_svg = qrcode.make(device.config_url, image_factory=SvgPathImage).to_string(encoding="unicode")
    context = {
        "enrolled": two_factor.has_confirmed_device(user=user),
        "qr_svg": mark_safe(qr_svg),  # noqa: S308 - generated by qrcode from our own otpauth URL
        "secret": b32encode(device.bin_key).decode(),
        "error": error,
    }
    return render(request, "customers/two_factor.html", context, status=400 if error else 200)
